//! Execution limits: statement count, call depth, wall-clock deadline and size caps.

/// Limits enforced on one run. Defaults follow Zoho's documented limits where there are any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Statements executed per run (Zoho: 5,000). A bracketed task counts as one.
    pub max_statements: u64,
    /// Nested function/method calls (Zoho: 75).
    pub max_call_depth: u32,
    /// Wall-clock budget in milliseconds, measured with the host's clock.
    pub timeout_ms: u64,
    /// Longest TEXT value, in bytes.
    pub max_text_length: usize,
    /// Most elements in one LIST, KEY-VALUE or COLLECTION.
    pub max_collection_size: usize,
    /// Estimated bytes of data a script may hold in its variables at once.
    pub max_memory_bytes: usize,
    /// Total bytes of `info` output per run (Zoho Creator: 500 KB).
    pub max_info_bytes: usize,
    /// Nodes that rendering, comparison and JSON conversion may visit in one run, so a single
    /// built-in call over large containers cannot run unbounded (about a second of work).
    pub max_work_units: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_statements: 5_000,
            max_call_depth: 75,
            timeout_ms: 60_000,
            max_text_length: 5 * 1024 * 1024,
            max_collection_size: 100_000,
            max_memory_bytes: 64 * 1024 * 1024,
            max_info_bytes: 500 * 1024,
            max_work_units: 100_000_000,
        }
    }
}
