//! The offline assistant against its evaluation set (`assistant_eval.json`): realistic
//! requests with the tool call (and exact arguments) or the question expected. Prints every
//! failure and the accuracy; the goal is >= 95 %. Clock: Wednesday 2026-11-25.

mod common;

use booksygo_core::ai::offline::{Plan, understand};
use booksygo_core::ai::tools::Session;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Case {
    /// Earlier messages of the same conversation (answers to questions).
    #[serde(default)]
    before: Vec<String>,
    message: String,
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    args: Option<Value>,
    /// The slot a clarifying question should ask for, or "any".
    #[serde(default)]
    ask: Option<String>,
    /// The request is out of scope: the assistant should say it did not understand.
    #[serde(default)]
    not_understood: bool,
    /// "tuning" (written with the parser) or "holdout" (written after it, scored blind first).
    #[serde(default)]
    set: String,
}

#[tokio::test]
async fn offline_understanding_meets_the_bar() {
    let (_dir, agency) = common::agency();
    let today = common::date("2026-11-25");
    let cases: Vec<Case> =
        serde_json::from_str(include_str!("assistant_eval.json")).expect("eval set parses");
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut by_set: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (n, case) in cases.iter().enumerate() {
        let mut session = Session::default();
        for earlier in &case.before {
            let (_, draft, _) = understand(&agency, &session, earlier, today).await;
            session.draft = draft.map(|d| serde_json::to_value(d).unwrap());
        }
        let (plan, draft, _) = understand(&agency, &session, &case.message, today).await;
        let ok = match (&plan, &case.tool, &case.ask) {
            (Plan::Call { tool, arguments }, Some(t), _) => {
                tool == t && case.args.as_ref().is_none_or(|a| a == arguments)
            }
            (Plan::Ask(_), None, Some(slot)) => {
                slot == "any"
                    || draft
                        .as_ref()
                        .and_then(|d| d.asking.as_deref())
                        .is_some_and(|s| s == slot)
            }
            (Plan::Say(_), None, None) => case.not_understood,
            _ => false,
        };
        let tally = by_set.entry(case.set.as_str()).or_default();
        tally.1 += 1;
        if ok {
            tally.0 += 1;
        }
        if !ok {
            failures.push(format!(
                "#{n} [{}] {:?}\n   expected: tool={:?} args={} ask={:?}\n   got:      {:?} (asking {:?})",
                case.set,
                case.message,
                case.tool,
                case.args.as_ref().map(Value::to_string).unwrap_or_default(),
                case.ask,
                plan,
                draft.and_then(|d| d.asking)
            ));
        }
    }
    let total = cases.len();
    let passed = total - failures.len();
    let accuracy = passed as f64 * 100.0 / total as f64;
    println!("offline assistant evaluation: {passed}/{total} = {accuracy:.1}%");
    for (set, (p, t)) in &by_set {
        println!("  {set}: {p}/{t} = {:.1}%", *p as f64 * 100.0 / *t as f64);
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        accuracy >= 95.0,
        "accuracy {accuracy:.1}% is below 95%:\n{}",
        failures.join("\n")
    );
}
