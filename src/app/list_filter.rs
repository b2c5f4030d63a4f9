//! The `/` filter the list screens share: one small query language, the
//! prompt's editing keys, and matching. Pure: a screen hands each row's
//! fields in and keeps the rows that match; it refilters as the text is typed.
//!
//! Syntax (words separated by spaces, every word must match, any case):
//! - `team:NAME` `service:NAME` `sev:LEVEL` `status:STATE` `region:NAME`
//!   `tier:TIER`: the field contains the value (`tier:hi` finds `high`);
//!   a screen takes only the keys its rows have, and says which
//! - any other word: found in any of the row's fields or its text
//! - an unknown `key:` is a problem shown in the prompt, never searched as text

use super::Action;

/// What a filter word can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Team,
    Service,
    Severity,
    Status,
    Region,
    Tier,
    /// Free text (ids, titles): only free words look at it.
    Text,
}

impl Field {
    /// The key a user types, `team:`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Team => "team:",
            Field::Service => "service:",
            Field::Severity => "sev:",
            Field::Status => "status:",
            Field::Region => "region:",
            Field::Tier => "tier:",
            Field::Text => "",
        }
    }

    fn from_key(key: &str) -> Option<Field> {
        Some(match key {
            "team" | "t" => Field::Team,
            "service" | "svc" => Field::Service,
            "sev" | "severity" => Field::Severity,
            "status" | "state" => Field::Status,
            "region" => Field::Region,
            "tier" => Field::Tier,
            _ => return None,
        })
    }
}

/// A parsed filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The text it was parsed from, trimmed.
    pub text: String,
    /// Lower-case words; `None`: a free word.
    terms: Vec<(Option<Field>, String)>,
    /// What could not be understood, one message each.
    pub problems: Vec<String>,
}

impl Query {
    /// Parses `text` for a screen whose rows have the fields `keys`.
    pub fn parse(text: &str, keys: &[Field]) -> Self {
        let mut q = Query {
            text: text.trim().to_string(),
            ..Self::default()
        };
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            match lower.split_once(':') {
                Some((key, value)) => match Field::from_key(key) {
                    Some(f) if keys.contains(&f) => {
                        // `team:` alone (still being typed) narrows nothing.
                        if !value.is_empty() {
                            q.terms.push((Some(f), value.to_string()));
                        }
                    }
                    _ => q.problems.push(format!(
                        "unknown key '{key}:' here ({} or text)",
                        keys.iter().map(|f| f.key()).collect::<Vec<_>>().join(" ")
                    )),
                },
                None => q.terms.push((None, lower)),
            }
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a row with these fields passes every word.
    pub fn matches(&self, row: &[(Field, &str)]) -> bool {
        self.terms.iter().all(|(field, word)| {
            row.iter()
                .filter(|(f, _)| field.is_none_or(|want| want == *f))
                .any(|(_, value)| contains(value, word))
        })
    }
}

/// Whether `value` contains the lower-case `word`, in any case.
fn contains(value: &str, word: &str) -> bool {
    if value.is_ascii() && word.is_ascii() {
        return value
            .as_bytes()
            .windows(word.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(word.as_bytes()));
    }
    value.to_lowercase().contains(word)
}

/// The editing keys of a prompt line: `true` when `text` changed.
pub fn edit(text: &mut String, action: Action) -> bool {
    match action {
        Action::Type(c) if !c.is_control() && text.chars().count() < 200 => text.push(c),
        Action::Erase => {
            text.pop();
        }
        Action::ClearPrompt => text.clear(),
        Action::EraseWord => {
            let kept = text.trim_end().rfind(' ').map_or(0, |i| i + 1);
            text.truncate(kept);
        }
        _ => return false,
    }
    true
}

/// A list screen's filter and its `/` prompt.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub query: Query,
    /// The prompt's text while it is open.
    pub prompt: Option<String>,
}

/// What a key did to the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Not a filter key: the screen (or the app) handles it.
    Pass,
    /// The prompt changed on screen; the rows did not.
    Redraw,
    /// The query changed: refilter.
    Refilter,
}

impl ListFilter {
    /// `/` opens the prompt; in it, typing filters as it goes (a text with a
    /// problem keeps the last good query and shows why), Enter keeps the
    /// filter and Esc clears it; Esc on the list clears an active filter.
    pub fn key(&mut self, action: Action, keys: &[Field]) -> Edit {
        let Some(text) = self.prompt.as_mut() else {
            return match action {
                Action::Filter => {
                    self.prompt = Some(self.query.text.clone());
                    Edit::Redraw
                }
                Action::Back if !self.query.text.is_empty() => {
                    self.query = Query::default();
                    Edit::Refilter
                }
                _ => Edit::Pass,
            };
        };
        if edit(text, action) {
            let q = Query::parse(text, keys);
            if q.problems.is_empty() && q != self.query {
                self.query = q;
                return Edit::Refilter;
            }
            return Edit::Redraw;
        }
        match action {
            Action::Open => {
                if Query::parse(text, keys).problems.is_empty() {
                    self.prompt = None;
                }
                Edit::Redraw
            }
            Action::Back => {
                self.prompt = None;
                self.query = Query::default();
                Edit::Refilter
            }
            _ => Edit::Pass,
        }
    }

    /// Takes a saved filter back: kept when it reads without a problem.
    pub fn restore(&mut self, text: &str, keys: &[Field]) {
        let q = Query::parse(text, keys);
        if q.problems.is_empty() {
            self.query = q;
        }
    }

    /// The first problem of the prompt's text, or the syntax that fits `room`.
    pub fn hint(&self, keys: &[Field], room: usize) -> (String, bool) {
        let text = self.prompt.as_deref().unwrap_or("");
        if let Some(p) = Query::parse(text, keys).problems.into_iter().next() {
            return (p, true);
        }
        let syntax: Vec<&str> = keys.iter().map(|f| f.key()).collect();
        let syntax = format!("{} text", syntax.join(" "));
        [
            format!("{syntax} · Enter keeps · Esc clears · ^U erases"),
            format!("{syntax} · Enter keeps · Esc clears"),
            syntax,
        ]
        .into_iter()
        .find(|h| h.chars().count() <= room)
        .map_or((String::new(), false), |h| (h, false))
    }

    /// What a screen's title says about the filter: ` · /pay 3 of 8`.
    pub fn title(&self, shown: usize, total: usize) -> String {
        if self.query.text.is_empty() {
            return String::new();
        }
        format!(" · /{} {shown} of {total}", self.query.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[Field] = &[Field::Team, Field::Tier];

    #[test]
    fn keys_match_their_field_and_words_match_any() {
        let row = [
            (Field::Team, "payments"),
            (Field::Tier, "high"),
            (Field::Text, "PAY-7"),
        ];
        let yes = |t: &str| Query::parse(t, KEYS).matches(&row);
        assert!(yes("pay"));
        assert!(yes("PAY tier:hi"));
        assert!(yes("pay-7"));
        assert!(!yes("tier:low"));
        assert!(!yes("team:high"));
        assert!(yes("team:"), "a key still being typed narrows nothing");
        let q = Query::parse("region:eu pay", KEYS);
        assert_eq!(
            q.problems,
            ["unknown key 'region:' here (team: tier: or text)"]
        );
    }

    #[test]
    fn the_prompt_filters_as_it_is_typed_enter_keeps_and_esc_clears() {
        let mut f = ListFilter::default();
        assert_eq!(f.key(Action::Down, KEYS), Edit::Pass);
        assert_eq!(f.key(Action::Filter, KEYS), Edit::Redraw);
        assert_eq!(f.key(Action::Type('p'), KEYS), Edit::Refilter);
        assert_eq!(f.query.text, "p");
        // A space changes the text but not the query.
        assert_eq!(f.key(Action::Type(' '), KEYS), Edit::Redraw);
        for c in "x:".chars() {
            f.key(Action::Type(c), KEYS);
        }
        assert_eq!(f.query.text, "p x", "a problem keeps the last good query");
        assert!(f.hint(KEYS, 80).1, "and the hint says why");
        assert_eq!(f.key(Action::Open, KEYS), Edit::Redraw);
        assert!(
            f.prompt.is_some(),
            "Enter does not keep a text with a problem"
        );
        f.key(Action::ClearPrompt, KEYS);
        for c in "tier:elite".chars() {
            f.key(Action::Type(c), KEYS);
        }
        f.key(Action::Open, KEYS);
        assert_eq!(
            (f.prompt.as_deref(), f.query.text.as_str()),
            (None, "tier:elite")
        );
        assert_eq!(f.title(2, 8), " · /tier:elite 2 of 8");
        // Esc on the list clears it; Esc in the prompt too.
        assert_eq!(f.key(Action::Back, KEYS), Edit::Refilter);
        assert!(f.query.is_empty());
        assert_eq!(f.key(Action::Back, KEYS), Edit::Pass);
        f.key(Action::Filter, KEYS);
        f.key(Action::Type('z'), KEYS);
        assert_eq!(f.key(Action::Back, KEYS), Edit::Refilter);
        assert_eq!((f.prompt.as_deref(), f.query.text.as_str()), (None, ""));
    }
}
