//! The host interface: everything a script reaches outside the interpreter (info output,
//! HTTP, mail, Cliq tasks, the clock, system variables). Values cross as JSON data.

use chrono::{DateTime, FixedOffset, Offset, Utc};

/// An `invokeUrl` request as the script described it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// Upper-case method: GET, POST, PUT, PATCH, DELETE.
    pub method: String,
    pub url: String,
    /// `parameters:` (a map → form fields, a text → raw body), as JSON data.
    pub parameters: Option<serde_json::Value>,
    /// `body:` raw body text.
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
    pub connection: Option<String>,
    pub content_type: Option<String>,
    /// `detailed: true` asks for `{responseText, responseHeader, responseCode}`.
    pub detailed: bool,
    /// Every other `key: value` line of the task, verbatim.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The host's answer to an `invokeUrl`.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the embedding application provides. Every method has a conservative default so a
/// host only implements what it supports; the defaults fail tasks with a clear message.
pub trait Host {
    /// One `info` line, as the script printed it (also collected in the run's outcome).
    fn info(&mut self, line: &str) {
        let _ = line;
    }

    /// The current instant. The interpreter has no clock of its own: `now`, `today`,
    /// `zoho.currenttime` and the wall-clock deadline all come from here.
    fn now(&mut self) -> DateTime<Utc>;

    /// The time zone for dates shown to and read from the script (Zoho: the org/user zone).
    fn time_zone(&self) -> FixedOffset {
        // Pacific Standard Time: Zoho's docs compute epochs against PST (see DECISIONS.md).
        FixedOffset::west_opt(8 * 3600).unwrap_or(Utc.fix())
    }

    /// `invokeUrl [...]`. An `Err` becomes a catchable runtime error.
    fn invoke_url(&mut self, request: &HttpRequest) -> Result<HttpResponse, String> {
        let _ = request;
        Err("invokeUrl is not available in this host".into())
    }

    /// `sendmail [...]`, with the task's `key: value` lines as a JSON object.
    fn send_mail(&mut self, mail: &serde_json::Value) -> Result<(), String> {
        let _ = mail;
        Err("sendmail is not available in this host".into())
    }

    /// A `zoho.cliq.*` task, e.g. `task = "posttochannel"` (lower-case, without the
    /// `zoho.cliq.` prefix) with its arguments as JSON. Returns the task's result.
    fn cliq_task(
        &mut self,
        task: &str,
        args: &[serde_json::Value],
    ) -> Result<serde_json::Value, String> {
        let _ = args;
        Err(format!("zoho.cliq.{task} is not available in this host"))
    }

    /// A `zoho.*` system variable other than the clock ones, e.g. `zoho.loginuser`,
    /// `zoho.loginuserid`, `zoho.adminuserid` (lower-case name without `zoho.`).
    fn system_variable(&mut self, name: &str) -> Option<serde_json::Value> {
        let _ = name;
        None
    }
}

/// A host with a fixed clock and no outside world: tasks fail, info lines are only
/// collected. Used by tests and the conformance runner.
#[derive(Debug, Clone)]
pub struct NullHost {
    pub now: DateTime<Utc>,
}

impl Default for NullHost {
    fn default() -> Self {
        NullHost {
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        }
    }
}

impl Host for NullHost {
    fn now(&mut self) -> DateTime<Utc> {
        self.now
    }
}
