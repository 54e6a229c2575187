//! The confirmation rule for tools that spend or give back money (`create_booking`,
//! `cancel_booking`): the first call only quotes and hands out a token; the action runs only
//! when the same call comes back with that token **and** the person has said an explicit yes
//! in the conversation after the quote was shown. Every backend (offline, OpenAI-compatible)
//! and the MCP server go through this one type, so none can skip it.

use serde::{Deserialize, Serialize};

/// An action waiting for the person's yes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub token: String,
    /// The tool that will act.
    pub tool: String,
    /// The tool's arguments (without token or reply), canonical JSON: the confirmed call must
    /// be the quoted one.
    pub fingerprint: String,
    /// What was shown to the person.
    pub summary: String,
    /// How many messages the person had sent when the quote was made; only a later message
    /// can approve it.
    pub issued_at_message: u64,
    pub approved: bool,
}

/// Pending confirmations of one conversation, with the count of the person's messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Confirmations {
    pub user_messages: u64,
    pub pending: Vec<Pending>,
}

/// What the person's message meant for pending actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Other,
}

impl Confirmations {
    /// Records a message from the person. An explicit yes approves the newest pending action
    /// quoted before it; an explicit no drops every pending action.
    pub fn user_said(&mut self, text: &str) -> Answer {
        self.user_messages += 1;
        let answer = classify(text);
        match answer {
            Answer::Yes => {
                let now = self.user_messages;
                if let Some(p) = self
                    .pending
                    .iter_mut()
                    .rev()
                    .find(|p| p.issued_at_message < now)
                {
                    p.approved = true;
                }
            }
            Answer::No => self.pending.clear(),
            Answer::Other => {}
        }
        answer
    }

    /// Registers a quoted action and returns its token.
    pub fn issue(&mut self, tool: &str, fingerprint: String, summary: String) -> String {
        // One pending action per tool and arguments: quoting again replaces the old token.
        self.pending
            .retain(|p| !(p.tool == tool && p.fingerprint == fingerprint));
        let token = crate::ids::new("cfm");
        self.pending.push(Pending {
            token: token.clone(),
            tool: tool.to_string(),
            fingerprint,
            summary,
            issued_at_message: self.user_messages,
            approved: false,
        });
        if self.pending.len() > 20 {
            self.pending.remove(0);
        }
        token
    }

    /// Checks a token for a call; on success the pending action is used up.
    pub fn redeem(
        &mut self,
        tool: &str,
        fingerprint: &str,
        token: &str,
    ) -> std::result::Result<Pending, String> {
        let Some(i) = self.pending.iter().position(|p| p.token == token) else {
            return Err(format!(
                "unknown or used confirmation token '{token}': call {tool} without a token to get a fresh quote"
            ));
        };
        let p = &self.pending[i];
        if p.tool != tool || p.fingerprint != fingerprint {
            return Err(format!(
                "confirmation token '{token}' was issued for a different request: call {tool} again without a token to quote this one"
            ));
        }
        if !p.approved {
            return Err(format!(
                "the person has not confirmed yet: show them the quote ({}) and ask for an explicit yes",
                p.summary
            ));
        }
        Ok(self.pending.remove(i))
    }

    pub fn newest(&self) -> Option<&Pending> {
        self.pending.last()
    }
}

/// Is this an explicit yes, an explicit no, or something else? Only short answers count
/// either way: a longer message is a new request ("flights to Rome with no stops"). A hedge
/// ("maybe", "I'm not sure", "hmm") is neither: the quote stays pending.
pub fn classify(text: &str) -> Answer {
    let t: String = text
        .to_lowercase()
        .replace('\u{2019}', "'")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || text.contains('?') || words.len() > 6 {
        return Answer::Other;
    }
    let joined = words.join(" ");
    const HEDGES: &[&str] = &[
        "maybe",
        "perhaps",
        "hmm",
        "hm",
        "unsure",
        "not sure",
        "i'm not sure",
        "don't know",
        "dont know",
        "let me think",
        "think about it",
        "later",
        "probably",
        "possibly",
    ];
    if HEDGES
        .iter()
        .any(|h| words.contains(h) || (h.contains(' ') && joined.contains(h)))
    {
        return Answer::Other;
    }
    // "why not" agrees; it is not a no.
    let joined = joined.replace("why not", "").replace("of course", "yes");
    let words: Vec<&str> = joined.split_whitespace().collect();
    if words.is_empty() {
        return Answer::Yes;
    }
    const NO: &[&str] = &[
        "no",
        "nope",
        "don't",
        "dont",
        "do not",
        "cancel that",
        "stop",
        "wait",
        "not",
        "never",
        "abort",
        "nah",
    ];
    let joined = words.join(" ");
    if NO
        .iter()
        .any(|n| words.contains(n) || (n.contains(' ') && joined.contains(n)))
    {
        return Answer::No;
    }
    const YES_WORDS: &[&str] = &[
        "yes",
        "y",
        "yep",
        "yeah",
        "yup",
        "confirm",
        "confirmed",
        "ok",
        "okay",
        "sure",
        "absolutely",
        "definitely",
        "correct",
    ];
    const YES_PHRASES: &[&str] = &[
        "go ahead",
        "do it",
        "book it",
        "pay it",
        "cancel it",
        "that's right",
        "sounds good",
    ];
    if YES_WORDS.contains(&words[0]) {
        return Answer::Yes;
    }
    if words.len() <= 4 && YES_PHRASES.iter().any(|p| joined.contains(p)) {
        return Answer::Yes;
    }
    Answer::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_answers() {
        for yes in [
            "yes",
            "Yes please",
            "yes, book it",
            "confirm",
            "OK",
            "go ahead",
            "Yep!",
            "sure, do it",
            "sure, why not",
            "ok, why not",
            "of course",
        ] {
            assert_eq!(classify(yes), Answer::Yes, "{yes}");
        }
        for no in ["no", "No thanks", "don't book it", "wait", "not now"] {
            assert_eq!(classify(no), Answer::No, "{no}");
        }
        for other in [
            "book a flight from London to Paris next Friday",
            "flights from Cape Town to Johannesburg with no stops",
            "hmm, maybe",
            "I'm not sure",
            "not sure yet",
            "let me think about it",
            "is it refundable?",
            "what about hotels",
            "",
        ] {
            assert_eq!(classify(other), Answer::Other, "{other}");
        }
    }

    #[test]
    fn only_a_later_yes_for_the_same_call_redeems() {
        let mut c = Confirmations::default();
        // A yes said before the quote does not count.
        c.user_said("yes");
        let t = c.issue("create_booking", "{a}".into(), "EUR 10".into());
        assert!(c.redeem("create_booking", "{a}", &t).is_err());
        c.user_said("what does it include");
        assert!(c.redeem("create_booking", "{a}", &t).is_err());
        c.user_said("yes please");
        assert!(c.redeem("create_booking", "{b}", &t).is_err(), "other args");
        assert!(c.redeem("cancel_booking", "{a}", &t).is_err(), "other tool");
        assert!(c.redeem("create_booking", "{a}", &t).is_ok());
        assert!(
            c.redeem("create_booking", "{a}", &t).is_err(),
            "a token works once"
        );
    }

    #[test]
    fn a_no_drops_pending_actions() {
        let mut c = Confirmations::default();
        let t = c.issue("cancel_booking", "{x}".into(), "refund".into());
        c.user_said("no");
        c.user_said("yes");
        assert!(c.redeem("cancel_booking", "{x}", &t).is_err());
    }
}
