//! Names that repeat on every line of an input (services, teams, regions,
//! stages, authors) are stored once and shared, per reading thread.

use crate::model::Text;
use crate::util::text::sanitize;

thread_local! {
    /// Names read by this thread: services, teams, regions and the like repeat on
    /// every line, so each distinct one is stored once and shared.
    static NAMES: std::cell::RefCell<
        std::collections::HashSet<Text, foldhash::fast::FixedState>,
    > = std::cell::RefCell::default();
}

/// Distinct names kept per thread; past this the set starts over (a file of
/// unique "names" must not grow it without bound).
const NAMES_KEPT: usize = 1 << 16;

/// `s` cleaned like all source text ([`sanitize`]), as the one copy this
/// thread shares for it.
pub fn shared(s: &str) -> Text {
    NAMES.with_borrow_mut(|names| {
        if let Some(shared) = names.get(s) {
            return shared.clone();
        }
        let clean = sanitize(s);
        if names.len() >= NAMES_KEPT {
            names.clear();
        }
        names.insert(clean.clone());
        clean
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_copy_per_name_cleaned_like_any_text() {
        let a = shared("svc-api");
        let b = shared("svc-api");
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert_eq!(&*shared("team\u{1b}[2J-x"), "team-x");
    }
}
