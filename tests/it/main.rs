//! Integration tests: the real `minyi` binary in a fresh temporary directory.
//! Tests needing `../shared/datasets` are `#[ignore]`d with a reason; `.ci/run` runs them.

mod bad_input;
mod browser;
mod bulletin;
mod crash;
mod datasets;
mod distributed;
mod exchange;
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
