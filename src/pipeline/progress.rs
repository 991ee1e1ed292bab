//! How a build tells its caller how far it has come (for a progress bar).

/// Receives progress from a build. Calls come from several threads at once.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// A stage with `total` steps begins (`"reading"`, `"rendering"`, `"writing"`).
    fn stage(&self, name: &'static str, total: usize);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: usize);
}
