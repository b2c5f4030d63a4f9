//! Small building blocks shared by the screens, and the chrome around them:
//! the status bar, the `?` help and the release-window alert feed.

pub mod alert_feed;
pub mod fitted_table;
pub mod help;
pub mod palette;
pub mod prompt;
pub mod scroll;
pub mod status_bar;
