//! One log line per request, at `info` (the default level): method, route (the endpoint's
//! path pattern, or the raw path when no route matched), status, latency, the user (when the
//! guard resolved one) and, for 4xx and 5xx, the reason: the error's message, or what only the
//! log says (why a token was refused, which scope was missing). The guard and the error type
//! leave these as response extensions; nothing of them reaches the client.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// The route pattern of the endpoint that served the request (set by the guard).
#[derive(Debug, Clone)]
pub(crate) struct LogRoute(pub &'static str);

/// Who called (set by the guard): a user's email or `extension:<id>`.
#[derive(Debug, Clone)]
pub(crate) struct LogUser(pub String);

/// Why the request was refused (set by `ApiError::into_response`).
#[derive(Debug, Clone)]
pub(crate) struct LogReason(pub String);

/// The middleware: wraps the whole application.
pub(crate) async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let ext = response.extensions();
    let route = ext.get::<LogRoute>().map_or(path.as_str(), |r| r.0);
    let user = ext.get::<LogUser>().map_or("-", |u| u.0.as_str());
    let status = response.status().as_u16();
    let reason = ext.get::<LogReason>().map(|r| r.0.as_str());
    let latency = format!("{latency_ms:.1}ms");
    match reason {
        Some(reason) if response.status().is_server_error() => tracing::warn!(
            target: "cliqd::request", %method, route, status, %latency, user, reason, "request"
        ),
        Some(reason) => tracing::info!(
            target: "cliqd::request", %method, route, status, %latency, user, reason, "request"
        ),
        None => tracing::info!(
            target: "cliqd::request", %method, route, status, %latency, user, "request"
        ),
    }
    response
}
