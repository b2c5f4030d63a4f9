//! The commands (cockpit, report, serve, check, replay) and what wires them: the
//! command line, the source registry, logging, the terminal. May use every layer.

pub mod acknowledgements;
pub mod check;
pub mod cli;
pub mod cockpit;
pub mod event_loop;
pub mod logging;
pub mod poll_once;
pub mod recording;
pub mod registry;
pub mod replay;
pub mod report;
pub mod screen_save;
pub mod serve;
pub mod serve_conn;
pub mod shell_files;
pub mod terminal;
pub mod view_state;
pub mod wiring;
