//! Routing rules for back-to-origin: validation, first-match evaluation by RuleNumber, and
//! building the redirect `Location` and the mirror origin URL. Pure: no I/O, no sibling crates.
