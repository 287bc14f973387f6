//! Handler replies: which responses each handler may give, and the non-message formats.
