//! A temporary work directory and helpers to run the binary in it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A fresh directory holding an index and input files.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

/// Output of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn index(&self) -> PathBuf {
        self.path("index")
    }

    /// Writes a file and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    /// Runs `minyi ARGS --index <workdir>/index` (the index option is appended).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("minyi").expect("binary");
        cmd.current_dir(self.dir.path())
            .env_remove("MINYI_INDEX")
            .env("NO_COLOR", "1");
        cmd.args(args).arg("--index").arg(self.index());
        let out = cmd.output().expect("run minyi");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "minyi panicked: {}",
            run.stderr
        );
        run
    }

    /// Runs an ingest with `--format json` and returns the summary, asserting success and
    /// that the counts add up.
    pub fn ingest(&self, files: &[&Path], extra: &[&str]) -> serde_json::Value {
        let mut args: Vec<String> = vec!["ingest".into()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(["--format".into(), "json".into()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = self.run(&argv);
        assert_eq!(r.code, 0, "ingest failed: {}", r.stderr);
        let v: serde_json::Value =
            serde_json::from_str(r.stdout.trim()).expect("ingest prints one JSON object");
        let n = |k: &str| {
            v[k].as_u64()
                .unwrap_or_else(|| panic!("missing {k} in {v}"))
        };
        assert_eq!(
            n("read"),
            n("new") + n("updated") + n("unchanged") + n("rejected"),
            "{v}"
        );
        v
    }

    /// Runs a JSON search and returns (exit code, hit objects, summary object).
    pub fn search(&self, args: &[&str]) -> (i32, Vec<serde_json::Value>, serde_json::Value) {
        let mut argv = vec!["search"];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--format", "json", "--limit", "1000"]);
        let r = self.run(&argv);
        assert!(
            r.code == 0 || r.code == 1,
            "search failed ({}): {}",
            r.code,
            r.stderr
        );
        let lines: Vec<serde_json::Value> = r
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        let (hits, summary): (Vec<_>, Vec<_>) = lines.into_iter().partition(|v| v["kind"] == "hit");
        assert_eq!(summary.len(), 1, "one summary line");
        (r.code, hits, summary.into_iter().next().expect("summary"))
    }
}

/// The project's sample corpus.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/sample/items.csv")
}

/// A work directory with the sample corpus ingested.
pub fn sample_index() -> Workdir {
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    w
}

/// Runs `minyi ARGS` in `w`, asserting success, and returns its standard output.
pub fn ok(w: &Workdir, args: &[&str]) -> String {
    let r = w.run(args);
    assert_eq!(r.code, 0, "minyi {args:?}: {}", r.stderr);
    r.stdout
}

/// Rows of the sample corpus as header → value maps.
pub fn sample_rows() -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(sample()).expect("sample csv");
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Path to a shared dataset (beside the clone, as CI lays it out).
pub fn dataset(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets")
        .join(rel);
    assert!(
        p.exists(),
        "{} is missing: these tests need ../shared/datasets beside the checkout",
        p.display()
    );
    p
}

/// The strings of a JSON array (ids in topics output).
pub fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Runs `minyi ARGS` (no index option added) with `input` on standard input:
/// (exit code, stdout, stderr).
pub fn piped(args: &[&str], input: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("minyi")
        .expect("binary")
        .args(args)
        .env_remove("MINYI_INDEX")
        .write_stdin(input.to_string())
        .output()
        .expect("run minyi");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
