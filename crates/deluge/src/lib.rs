//! Deluge: a sandboxed interpreter for Zoho Deluge scripts. Does no IO: everything external comes through the host trait.
#![forbid(unsafe_code)]
