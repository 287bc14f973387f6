//! Storage for cliqd: one store trait and its SQLite implementation. The only crate that knows SQL.
#![forbid(unsafe_code)]
