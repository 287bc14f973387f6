//! Integration tests: the real server on port 0 with a fresh data directory, over HTTP.
