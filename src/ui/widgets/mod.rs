//! Small building blocks shared by the views.

pub mod scroll;
pub mod status_bar;
