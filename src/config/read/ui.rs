//! `[ui]`: the theme, and `[ui.colors]`: a colour per role over the theme's,
//! each checked with its file and line.

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeValue;

type Value<'a> = Spanned<DeValue<'a>>;

use super::{Cx, spec};

impl Cx<'_> {
    /// `[ui]`: how the cockpit looks: the theme, and `[ui.colors]`, a colour
    /// per role over the theme's.
    pub(super) fn ui(&mut self, value: &Value<'_>) -> Option<crate::config::Ui> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            theme: Option<Spanned<String>>,
            colors: Option<std::collections::BTreeMap<Spanned<String>, Spanned<String>>>,
        }
        let raw: Raw = self.deserialize(value, "ui", spec::<Raw>)?;
        let theme = raw.theme.and_then(|t| {
            let name = t.get_ref().trim().to_ascii_lowercase();
            if crate::config::THEMES.contains(&name.as_str()) {
                return Some(name);
            }
            self.problem(
                t.span().start,
                "ui.theme",
                format!(
                    "`{}` is not a theme; the themes are {}",
                    t.get_ref(),
                    crate::config::THEMES.join(", ")
                ),
            );
            None
        });
        let colors = raw
            .colors
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(role, colour)| self.colour(&role, &colour))
            .collect();
        Some(crate::config::Ui { theme, colors })
    }

    /// One `[ui.colors]` line: a known role and a colour it can read.
    fn colour(
        &mut self,
        role: &Spanned<String>,
        colour: &Spanned<String>,
    ) -> Option<(String, crate::model::colours::Colour)> {
        use crate::model::colours::{Colour, NAMES, ROLES};
        let roles: Vec<&str> = ROLES.iter().map(|r| r.0).collect();
        let name = role.get_ref().trim().to_ascii_lowercase();
        if !roles.contains(&name.as_str()) {
            self.unknown(role.span().start, "ui.colors", role.get_ref(), &roles);
            return None;
        }
        let key = format!("ui.colors.{name}");
        match Colour::parse(colour.get_ref()) {
            Some(c) => Some((name, c)),
            None => {
                self.problem(
                    colour.span().start,
                    key,
                    format!(
                        "`{}` is not a colour: write a name ({}), \"#rrggbb\" or \"0\" to \"255\"",
                        crate::util::text::sanitize(colour.get_ref()),
                        NAMES.join(", ")
                    ),
                );
                None
            }
        }
    }
}
