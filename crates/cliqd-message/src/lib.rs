//! The Cliq message object: parsing and validation of text, cards, buttons and slides (no IO).
#![forbid(unsafe_code)]
