//! Integration tests: the real `minyi` binary in a fresh temporary directory.
//! Tests needing more than the clone are `#[ignore]`d with a reason and named by their tier
//! (`datasets_`, `model_`, `browser_`, `slow_`: `cargo test --test it -- --ignored datasets_`
//! runs one tier; the README lists them); `.ci/run` runs them all.

mod bad_input;
mod browser;
mod bulletin;
mod crash;
mod datasets;
mod distributed;
mod exchange;
mod follow;
mod formats;
mod hot;
mod ingest;
mod mistakes;
mod objects;
mod places;
mod problems;
mod properties;
mod quality;
mod report;
mod search;
mod semantic;
mod topics;
mod util;
