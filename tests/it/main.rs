//! Integration tests: the real `minyi` binary in a fresh temporary directory.
//! Tests needing `../shared/datasets` are `#[ignore]`d with a reason; `.ci/run` runs them.

mod datasets;
mod formats;
mod ingest;
mod quality;
mod search;
mod topics;
mod util;
