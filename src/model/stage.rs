//! A deployment stage's state and the small vocabulary sources use to tell it
//! through the deployment line's free-form `stage` field: [`stage_label`]
//! writes it and [`parse_stage`] reads it: `paused: <reason>`,
//! `aborted: <reason>`, `verifying` (or any stage naming `canary` /
//! `analysis`), plus `@20%` for a traffic weight and `step 2/8` for a step.
//! Anything else is a plain label.

use super::Text;

/// The region column for lines that name none.
pub const NO_REGION: &str = "production";

/// The state of one region's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageState {
    Queued,
    Progressing,
    Paused,
    Verifying,
    Certified,
    Succeeded,
    Failed,
    RolledBack,
    Aborted,
}

impl StageState {
    /// Every state, in the order a legend lists them.
    pub const ALL: [StageState; 9] = [
        StageState::Certified,
        StageState::Verifying,
        StageState::Progressing,
        StageState::Paused,
        StageState::Queued,
        StageState::Succeeded,
        StageState::Failed,
        StageState::RolledBack,
        StageState::Aborted,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StageState::Queued => "queued",
            StageState::Progressing => "progressing",
            StageState::Paused => "paused",
            StageState::Verifying => "verifying",
            StageState::Certified => "certified",
            StageState::Succeeded => "succeeded",
            StageState::Failed => "failed",
            StageState::RolledBack => "rolled back",
            StageState::Aborted => "aborted",
        }
    }

    /// One character for a lane cell.
    pub fn glyph(self) -> char {
        match self {
            StageState::Queued => '·',
            StageState::Progressing => '▶',
            StageState::Paused => '⏸',
            StageState::Verifying => '◎',
            StageState::Certified => '★',
            StageState::Succeeded => '✓',
            StageState::Failed => '✗',
            StageState::RolledBack => '↺',
            StageState::Aborted => '■',
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            StageState::Certified
                | StageState::Succeeded
                | StageState::Failed
                | StageState::RolledBack
                | StageState::Aborted
        )
    }

    pub fn is_bad(self) -> bool {
        matches!(
            self,
            StageState::Failed | StageState::RolledBack | StageState::Aborted
        )
    }

    pub fn is_good(self) -> bool {
        matches!(self, StageState::Certified | StageState::Succeeded)
    }
}

/// What a source said about a stage beyond its status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageNote {
    pub paused: bool,
    pub aborted: bool,
    pub verifying: bool,
    pub reason: Option<Text>,
    pub weight: Option<u8>,
    pub step: Option<(u32, u32)>,
}

/// Reads the stage vocabulary (see the module docs).
pub fn parse_stage(stage: Option<&str>) -> StageNote {
    let mut note = StageNote::default();
    let Some(s) = stage else { return note };
    let lower = s.to_ascii_lowercase();
    let (head, rest) = match s.split_once(':') {
        Some((h, r)) => (h.trim().to_ascii_lowercase(), Some(r)),
        None => (lower.trim().to_string(), None),
    };
    note.paused = head.starts_with("paused");
    note.aborted = head.starts_with("aborted");
    note.verifying =
        head.starts_with("verifying") || head.contains("canary") || head.contains("analysis");
    for word in lower.split_whitespace() {
        if let Some(w) = word.strip_prefix('@').and_then(|w| w.strip_suffix('%')) {
            note.weight = w.parse().ok();
        }
    }
    if let Some(i) = lower.find("step ") {
        let tail = &lower[i + 5..];
        let token = tail.split_whitespace().next().unwrap_or("");
        if let Some((a, b)) = token.split_once('/')
            && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
        {
            note.step = Some((a, b));
        }
    }
    if let Some(r) = rest {
        // The reason ends where the weight or step annotations begin.
        let cut = [r.find(" @"), r.find(" step ")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(r.len());
        let reason = r[..cut].trim();
        if !reason.is_empty() {
            // Sources clean untrusted text where it enters (`util::text::sanitize`).
            note.reason = Some(Text::from(reason));
        }
    }
    note
}

/// Writes the stage vocabulary: `paused: reason @20% step 2/8`.
pub fn stage_label(
    state: StageState,
    reason: Option<&str>,
    weight: Option<u8>,
    step: Option<(u32, u32)>,
) -> String {
    let mut s = match state {
        StageState::Paused => "paused".to_string(),
        StageState::Aborted => "aborted".to_string(),
        StageState::Verifying => "verifying".to_string(),
        _ => "rollout".to_string(),
    };
    if let Some(r) = reason {
        s.push_str(": ");
        s.push_str(r);
    }
    if let Some(w) = weight {
        s.push_str(&format!(" @{w}%"));
    }
    if let Some((a, b)) = step {
        s.push_str(&format!(" step {a}/{b}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_vocabulary_round_trips() {
        let s = stage_label(
            StageState::Paused,
            Some("InconclusiveAnalysisRun"),
            Some(25),
            Some((2, 8)),
        );
        assert_eq!(s, "paused: InconclusiveAnalysisRun @25% step 2/8");
        let n = parse_stage(Some(&s));
        assert!(n.paused && !n.aborted);
        assert_eq!(n.reason.as_deref(), Some("InconclusiveAnalysisRun"));
        assert_eq!(n.weight, Some(25));
        assert_eq!(n.step, Some((2, 8)));
        let n = parse_stage(Some("canary"));
        assert!(n.verifying && !n.paused);
        assert_eq!(parse_stage(Some("rollout")), StageNote::default());
        let n = parse_stage(Some("aborted: metric \"web\" failed"));
        assert!(n.aborted);
        assert_eq!(n.reason.as_deref(), Some("metric \"web\" failed"));
    }
}
