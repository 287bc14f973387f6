//! The one outbound HTTP client (webhooks, invokeUrl): timeouts, size caps and a guard against private/loopback targets.
#![forbid(unsafe_code)]
