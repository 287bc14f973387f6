//! One passing and one failing case for every rule.
