//! How a build tells its caller how far it has come (for a progress bar).

/// Receives progress from a build. Calls come from several threads at once.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// A stage with `total` steps begins (`"reading"`, `"rendering"`, `"writing"`).
    fn stage(&self, name: &'static str, total: usize);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: usize);
}

/// Tells `progress`, if there is one, that a stage begins.
pub(super) fn stage(progress: Option<&dyn Progress>, name: &'static str, total: usize) {
    if let Some(p) = progress {
        p.stage(name, total);
    }
}

/// Tells `progress`, if there is one, that one more step is done.
pub(super) fn advance(progress: Option<&dyn Progress>) {
    if let Some(p) = progress {
        p.advance(1);
    }
}
