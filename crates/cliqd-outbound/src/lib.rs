//! The one outbound HTTP client (webhooks, invokeUrl): timeouts, size caps and a guard against private/loopback targets.
#![forbid(unsafe_code)]

use std::time::Duration;

/// Settings of the outbound client.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Allow targets on loopback and private networks (local development and tests only).
    pub allow_private: bool,
    /// Time for the whole request, connection to last byte.
    pub timeout: Duration,
    /// Largest response body read; a larger one is an error.
    pub max_response_bytes: usize,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(40),
            max_response_bytes: 5 * 1024 * 1024,
        }
    }
}

/// One outbound HTTP request.
#[derive(Debug, Clone, Default)]
pub struct OutboundRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// The answer to an outbound request (any status).
#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("invalid url: {0}")]
    InvalidUrl(String),
    #[error("target address {0} is private or loopback and not allowed")]
    Forbidden(String),
    #[error("request timed out")]
    Timeout,
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    #[error("request failed: {0}")]
    Transport(String),
}

/// The one outbound HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct OutboundClient {
    config: OutboundConfig,
}

impl OutboundClient {
    pub fn new(config: OutboundConfig) -> Self {
        Self { config }
    }

    pub async fn execute(
        &self,
        request: OutboundRequest,
    ) -> Result<OutboundResponse, OutboundError> {
        let _ = (&self.config, request);
        Err(OutboundError::Transport("not implemented yet".into()))
    }
}
