//! Which rows of a long list are on screen: only those are built.

/// The first visible row so that `selected` stays on a screen of `height` rows.
pub fn offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    (selected + 1).saturating_sub(height)
}

#[cfg(test)]
mod tests {
    #[test]
    fn selection_stays_visible() {
        assert_eq!(super::offset(0, 10), 0);
        assert_eq!(super::offset(9, 10), 0);
        assert_eq!(super::offset(10, 10), 1);
        assert_eq!(super::offset(5, 0), 0);
    }
}
