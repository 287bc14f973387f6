//! The cliqd HTTP server: routing, auth, errors, rate limits and the platform APIs. The only crate that knows HTTP serving.
#![forbid(unsafe_code)]
