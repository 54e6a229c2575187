//! `booksygo admin report`: the analytics report (the funnel, revenue, bookings, top routes
//! and packages) in the terminal, with bars and sparklines, on the server's own machine.

use crate::output::{Out, Style, Table};
use booksygo_core::analytics::{GroupBy, Report, ReportQuery};
use booksygo_core::config::Paths;
use clap::Args;
use jiff::civil::Date;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day [default: 29 days before --to]: YYYY-MM-DD, today, -7d...
    #[arg(long, value_parser = super::parse_date)]
    from: Option<Date>,
    /// Last day, included [default: today].
    #[arg(long, value_parser = super::parse_date)]
    to: Option<Date>,
    /// day, week, route or provider.
    #[arg(long, default_value = "day", value_parser = parse_group)]
    group_by: GroupBy,
    /// Print CSV (one row per group and currency, then TOTAL) instead of the charts.
    #[arg(long)]
    csv: bool,
    /// The data directory whose store to read [default: the usual one].
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Read this database instead (postgres://... or sqlite:PATH), as `serve --database-url`.
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

fn parse_group(s: &str) -> Result<GroupBy, String> {
    GroupBy::parse(s).map_err(|e| e.to_string())
}

const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, the highest as a full block; all blank when all are zero.
pub fn sparkline(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if max <= 0 || v <= 0 {
                ' '
            } else {
                TICKS[((v * 7 + max - 1) / max).clamp(0, 7) as usize]
            }
        })
        .collect()
}

/// A bar of `width` cells at most, proportional to `value` over `max`.
pub fn bar(value: i64, max: i64, width: usize) -> String {
    if max <= 0 || value <= 0 {
        return String::new();
    }
    let cells = ((value as f64 / max as f64) * width as f64).ceil() as usize;
    "█".repeat(cells.clamp(1, width))
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

pub async fn run(args: ReportArgs, out: Out) -> anyhow::Result<u8> {
    let today = super::today();
    let to = args.to.unwrap_or(today);
    let from = args
        .from
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to));
    if args.csv && out.json {
        return Err(booksygo_core::Error::invalid("choose --json or --csv, not both").into());
    }
    let query = ReportQuery::new(from, to, args.group_by)?;
    let paths = match args.data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    };
    let settings = booksygo_core::config::Settings::load(&Paths::from_env()?)?;
    let database = settings.database(args.database_url)?;
    let agency = tokio::task::spawn_blocking(move || {
        booksygo_core::LocalAgency::existing_on(paths, &settings, database)
    })
    .await??;
    let report = agency.analytics_report(&query).await?;
    if args.csv {
        crate::output::emit(&booksygo_core::analytics::to_csv(&report));
    } else if out.json {
        out.print_json(&report)?;
    } else {
        print(&report, &out);
    }
    Ok(crate::exit::OK)
}

fn print(r: &Report, out: &Out) {
    out.line(&out.paint(
        Style::Bold,
        &format!("BooksyGo report {} to {}", r.from, r.to),
    ));
    let t = &r.totals;
    out.line("");
    out.line("Funnel");
    let widest = r.funnel.iter().map(|s| s.count).max().unwrap_or(0);
    for s in &r.funnel {
        out.line(&format!(
            "  {:<16} {:>7}  {:<30} {}",
            s.step,
            s.count,
            bar(s.count, widest, 30),
            s.rate.map(percent).unwrap_or_default()
        ));
    }
    out.line(&format!(
        "  search to paid: {}   cancellations: {}",
        percent(t.conversion),
        t.cancellations
    ));
    let money = |m: &std::collections::BTreeMap<String, String>| {
        if m.is_empty() {
            "-".to_string()
        } else {
            m.iter()
                .map(|(c, v)| format!("{c} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    out.line(&format!(
        "  revenue: {}   average booking: {}   refunds: {}",
        money(&t.revenue),
        money(&t.average_booking_value),
        money(&t.refunds)
    ));
    if matches!(r.group_by, GroupBy::Day | GroupBy::Week) && !r.groups.is_empty() {
        let series = |f: fn(&booksygo_core::analytics::Figures) -> i64| {
            sparkline(&r.groups.iter().map(|g| f(&g.figures)).collect::<Vec<_>>())
        };
        out.line("");
        out.line(&format!(
            "By {}, {} to {}",
            if r.group_by == GroupBy::Day {
                "day"
            } else {
                "week"
            },
            r.groups.first().map(|g| g.key.as_str()).unwrap_or(""),
            r.groups.last().map(|g| g.key.as_str()).unwrap_or("")
        ));
        out.line(&format!("  searches  {}", series(|f| f.searches)));
        out.line(&format!("  bookings  {}", series(|f| f.bookings_created)));
        out.line(&format!("  paid      {}", series(|f| f.bookings_paid)));
    }
    let mut table = Table::new(&[
        "GROUP", "SEARCHES", "BOOKINGS", "PAID", "CONV", "REVENUE", "",
    ])
    .right(&[1, 2, 3, 4]);
    let most = r
        .groups
        .iter()
        .map(|g| g.figures.bookings_paid)
        .max()
        .unwrap_or(0);
    let shown: Vec<_> = r
        .groups
        .iter()
        .filter(|g| {
            let f = &g.figures;
            f.searches + f.bookings_created + f.offer_views > 0
        })
        .collect();
    out.line("");
    if shown.is_empty() {
        out.line("Nothing happened in this period.");
    } else {
        for g in shown {
            let f = &g.figures;
            table.row(vec![
                g.key.clone(),
                f.searches.to_string(),
                f.bookings_created.to_string(),
                f.bookings_paid.to_string(),
                percent(f.conversion),
                money(&f.revenue),
                bar(f.bookings_paid, most, 20),
            ]);
        }
        out.line(&table.render(out));
    }
    for (title, ranked) in [
        ("Top routes", &r.top_routes),
        ("Top packages", &r.top_packages),
    ] {
        if !ranked.is_empty() {
            out.line(&format!("{title}:"));
            for x in ranked {
                out.line(&format!("  {:<24} {:>5}", x.name, x.bookings));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_and_bars_scale_to_the_largest() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), " ▂▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(bar(5, 10, 10), "█████");
        assert_eq!(bar(1, 1000, 10), "█");
        assert_eq!(bar(0, 10, 10), "");
    }
}
