//! `booksygo points [show|history|badges|challenges|leaderboard|referral]`

use crate::output::{Out, Style, Table};
use booksygo_core::Agency;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum PointsCmd {
    /// Balance and level (the default).
    Show,
    /// Every points movement.
    History,
    /// Badges earned and still locked.
    Badges,
    /// This period's challenges and your progress.
    Challenges,
    /// Everyone in this store by total points.
    Leaderboard {
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
    },
    /// Your referral code and the travellers it brought: 200 points when one's first booking
    /// is completed (at most 20 a month).
    Referral,
}

pub async fn run(cmd: Option<PointsCmd>, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match cmd.unwrap_or(PointsCmd::Show) {
        PointsCmd::Show => {
            let b = agency.points().await?;
            if out.json {
                out.print_json(&b)?;
                return Ok(crate::exit::OK);
            }
            out.line(&format!(
                "{} points available, {} earned in all",
                out.paint(Style::Bold, &b.available.to_string()),
                b.total
            ));
            let bar = "#".repeat(usize::from(b.level_progress) / 5)
                + &"-".repeat(20 - usize::from(b.level_progress) / 5);
            match (&b.next_level, b.to_next_level) {
                (Some(next), Some(n)) => {
                    out.line(&format!("level {} [{bar}] {n} points to {next}", b.level))
                }
                _ => out.line(&format!("level {} (the top)", b.level)),
            }
            out.line(&out.paint(
                Style::Dim,
                "100 points = EUR 1 off a booking (at most half its price): book ... --points N",
            ));
        }
        PointsCmd::History => {
            let h = agency.points_history().await?;
            if out.json {
                out.print_json(&h)?;
                return Ok(crate::exit::OK);
            }
            let mut t = Table::new(&["WHEN", "WHAT", "TOTAL", "AVAILABLE", "BOOKING", "NOTE"])
                .right(&[2, 3]);
            for e in &h {
                t.row(vec![
                    e.at.strftime("%Y-%m-%d").to_string(),
                    e.kind.clone(),
                    format!("{:+}", e.total_delta),
                    format!("{:+}", e.available_delta),
                    e.booking_id.clone().unwrap_or_default(),
                    e.note.clone(),
                ]);
            }
            crate::output::emit(&t.render(&out));
        }
        PointsCmd::Badges => {
            let list = agency.badges().await?;
            if out.json {
                out.print_json(&list)?;
                return Ok(crate::exit::OK);
            }
            for b in &list {
                match b.earned_at {
                    Some(at) => out.line(&format!(
                        "{} {} ({}) earned {}",
                        out.paint(Style::Green, "[x]"),
                        b.name,
                        b.description,
                        at.strftime("%Y-%m-%d")
                    )),
                    None => out.line(&format!("[ ] {} ({})", b.name, b.description)),
                }
            }
        }
        PointsCmd::Challenges => {
            let list = agency.challenges().await?;
            if out.json {
                out.print_json(&list)?;
                return Ok(crate::exit::OK);
            }
            for c in &list {
                let mark = if c.completed {
                    out.paint(Style::Green, "[done]")
                } else {
                    format!("[{}/{}]", c.progress, c.goal)
                };
                out.line(&format!(
                    "{mark} {}: {} (until {}, +{} points)",
                    c.name, c.description, c.ends_on, c.reward_points
                ));
            }
        }
        PointsCmd::Leaderboard { limit } => {
            let list = agency.leaderboard(limit).await?;
            if out.json {
                out.print_json(&list)?;
                return Ok(crate::exit::OK);
            }
            let mut t = Table::new(&["#", "TRAVELLER", "POINTS", "LEVEL"]).right(&[0, 2]);
            for e in &list {
                t.row(vec![
                    e.rank.to_string(),
                    e.name.clone(),
                    e.total.to_string(),
                    e.level.clone(),
                ]);
            }
            crate::output::emit(&t.render(&out));
        }
        PointsCmd::Referral => {
            let r = agency.referral().await?;
            if out.json {
                out.print_json(&r)?;
                return Ok(crate::exit::OK);
            }
            out.line(&format!(
                "your referral code: {}",
                out.paint(Style::Bold, &r.code)
            ));
            out.line(&format!(
                "a traveller who registers with it (booksygo register URL --referral-code {}) earns you {} points when their first booking is completed; {} of {} this month",
                r.code, r.points_each, r.rewarded_this_month, r.monthly_limit
            ));
            if !r.referred.is_empty() {
                let mut t = Table::new(&["TRAVELLER", "REGISTERED", "STATUS"]);
                for p in &r.referred {
                    t.row(vec![
                        p.name.clone(),
                        p.registered_at.strftime("%Y-%m-%d").to_string(),
                        p.status.replace('_', " "),
                    ]);
                }
                crate::output::emit(&t.render(&out));
            }
        }
    }
    Ok(crate::exit::OK)
}
