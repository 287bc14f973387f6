//! No panics on any input.
