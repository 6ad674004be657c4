//! Row parser: any bytes, read as CSV, TSV and JSONL, give items or rejects (with a line and
//! a reason), or a clear error for the whole file — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use minyi::ingest::{ReadOptions, Source};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("tempdir");
    for ext in ["csv", "tsv", "jsonl"] {
        let path = dir.path().join(format!("input.{ext}"));
        std::fs::write(&path, data).expect("write input");
        let Ok(mut source) = Source::open(&path, &ReadOptions::default()) else {
            continue;
        };
        loop {
            match source.next_batch(1024) {
                Ok(batch) if batch.is_empty() => break,
                Ok(batch) => {
                    for record in batch {
                        match record {
                            Ok(item) => assert!(
                                !item.title.is_empty() || !item.body.is_empty(),
                                "an item has a title or a body"
                            ),
                            Err(reject) => {
                                assert!(reject.location.starts_with("line "), "{reject:?}");
                                assert!(!reject.reason.is_empty(), "{reject:?}");
                            }
                        }
                    }
                }
                Err(_) => break,
            }
        }
    }
});
