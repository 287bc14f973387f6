//! The one outbound HTTP client (webhooks, invokeUrl): timeouts, size caps and a guard against private/loopback targets.
//!
//! Every request cliqd makes to a URL chosen by a user goes through [`OutboundClient`]. The guard is
//! applied twice: to IP-literal hosts before the request is sent (and on every redirect), and to
//! every address a host name resolves to, inside the client's DNS resolver, so a name that
//! resolves to a private address (DNS rebinding included) is refused at connect time.

mod guard;
mod websocket;

use std::sync::{Arc, Once};
use std::time::Duration;

pub use guard::is_forbidden_ip;

/// Settings of the outbound client.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Allow targets on loopback and private networks (local development and tests only).
    pub allow_private: bool,
    /// Time for the whole request, connection to last byte.
    pub timeout: Duration,
    /// Time to establish the connection.
    pub connect_timeout: Duration,
    /// Largest response body read; a larger one is an error.
    pub max_response_bytes: usize,
    /// Largest request body sent.
    pub max_request_bytes: usize,
    /// How many redirects are followed (each one re-checked by the guard).
    pub max_redirects: usize,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(40),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 5 * 1024 * 1024,
            max_request_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// One outbound HTTP request.
#[derive(Debug, Clone, Default)]
pub struct OutboundRequest {
    /// HTTP method, any case (`GET`, `post`, …). Empty means `GET`.
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

impl OutboundResponse {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("invalid url: {0}")]
    InvalidUrl(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error(
        "target address {0} is private or loopback, which is refused unless allowed with --allow-private-network"
    )]
    Forbidden(String),
    #[error("request timed out")]
    Timeout,
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    #[error("request failed: {0}")]
    Transport(String),
}

/// The one outbound HTTP client. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct OutboundClient {
    config: Arc<OutboundConfig>,
    http: reqwest::Client,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another part of the process may have installed one already; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Whether a redirect to `url` is followed, after `previous` hops: at most `max` hops, and
/// never to a private or loopback address unless `allow_private` (the guard, once more per hop).
fn follow_redirect(
    url: &url::Url,
    previous: usize,
    max: usize,
    allow_private: bool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if previous >= max {
        return Err("too many redirects".into());
    }
    guard::check_url_host(url, allow_private).map_err(Into::into)
}

impl OutboundClient {
    pub fn new(config: OutboundConfig) -> Result<Self, OutboundError> {
        install_crypto_provider();
        let allow_private = config.allow_private;
        let max_redirects = config.max_redirects;
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            match follow_redirect(
                attempt.url(),
                attempt.previous().len(),
                max_redirects,
                allow_private,
            ) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        });
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(redirect)
            .dns_resolver(Arc::new(guard::GuardedResolver { allow_private }))
            .user_agent(concat!("cliqd/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OutboundError::Transport(e.to_string()))?;
        Ok(Self {
            config: Arc::new(config),
            http,
        })
    }

    pub fn config(&self) -> &OutboundConfig {
        &self.config
    }

    pub async fn execute(
        &self,
        request: OutboundRequest,
    ) -> Result<OutboundResponse, OutboundError> {
        let url = url::Url::parse(&request.url)
            .map_err(|e| OutboundError::InvalidUrl(format!("{}: {e}", request.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::InvalidUrl(format!(
                "unsupported scheme {}",
                url.scheme()
            )));
        }
        guard::check_url_host(&url, self.config.allow_private)?;
        let method_text = if request.method.is_empty() {
            "GET".to_string()
        } else {
            request.method.to_ascii_uppercase()
        };
        let method = reqwest::Method::from_bytes(method_text.as_bytes())
            .map_err(|_| OutboundError::InvalidRequest(format!("bad method {method_text}")))?;
        let mut builder = self.http.request(method, url);
        for (name, value) in &request.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| OutboundError::InvalidRequest(format!("bad header name {name}")))?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                OutboundError::InvalidRequest(format!("bad value for header {name}"))
            })?;
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            if body.len() > self.config.max_request_bytes {
                return Err(OutboundError::InvalidRequest(format!(
                    "request body larger than {} bytes",
                    self.config.max_request_bytes
                )));
            }
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(map_reqwest_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let max = self.config.max_response_bytes;
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(OutboundError::TooLarge(max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(map_reqwest_error)? {
            if body.len() + chunk.len() > max {
                return Err(OutboundError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(OutboundResponse {
            status,
            headers,
            body,
        })
    }
}

fn map_reqwest_error(e: reqwest::Error) -> OutboundError {
    if e.is_timeout() {
        return OutboundError::Timeout;
    }
    // The guard's refusals surface wrapped in reqwest's connect/redirect errors.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(guard) = err.downcast_ref::<guard::ForbiddenTarget>() {
            return OutboundError::Forbidden(guard.0.clone());
        }
        source = err.source();
    }
    OutboundError::Transport(describe(&e))
}

/// Why a request failed, in words: reqwest's own message says only that sending failed, the
/// cause (connection refused, a DNS failure, a TLS error) is further down its source chain.
fn describe(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    let cause = if e.is_connect() {
        "cannot connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        ""
    };
    let detail = parts.join(": ");
    if cause.is_empty() {
        detail
    } else {
        format!("{cause} ({detail})")
    }
}

impl From<guard::ForbiddenTarget> for OutboundError {
    fn from(e: guard::ForbiddenTarget) -> Self {
        OutboundError::Forbidden(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn redirects_to_private_addresses_are_refused_unless_allowed() {
        for target in [
            "http://127.0.0.1/x",
            "http://10.1.2.3/",
            "http://192.168.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let refused = follow_redirect(&url(target), 0, 5, false).unwrap_err();
            assert!(!refused.to_string().is_empty(), "{target}");
            assert!(
                follow_redirect(&url(target), 0, 5, true).is_ok(),
                "{target}"
            );
        }
        assert!(follow_redirect(&url("https://93.184.216.34/"), 0, 5, false).is_ok());
        let too_many = follow_redirect(&url("https://93.184.216.34/"), 5, 5, false).unwrap_err();
        assert_eq!(too_many.to_string(), "too many redirects");
    }
}
