//! Crashes and concurrency: an ingest killed with SIGKILL at 20 moments leaves an index that
//! opens with a committed prefix and no stale lock; re-running finishes with the exact count;
//! searches during an ingest see the last commit; a failing disk write leaves the previous
//! index intact.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Workdir;

const ITEMS: usize = 40_000;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("minyi")
}

/// Writes `n` distinct items (ids K00000…).
fn corpus(w: &Workdir, n: usize) -> PathBuf {
    let words = [
        "小区停车",
        "充电桩",
        "加装电梯",
        "垃圾分类",
        "噪音扰民",
        "道路施工",
        "学校周边",
        "医院挂号",
        "物业收费",
        "农村饮水",
    ];
    let mut s = String::from("编号,标题,正文,报送时间\n");
    for i in 0..n {
        let a = words[i % words.len()];
        let b = words[(i / 10) % words.len()];
        s.push_str(&format!(
            "K{i:05},关于{a}问题的建议{i},群众反映{a}和{b}问题，第{i}号信息，希望尽快解决。,2024-03-{:02}\n",
            1 + i % 28
        ));
    }
    w.write("big.csv", s)
}

fn stats_items(index: &Path) -> Option<u64> {
    let out = Command::new(bin())
        .args(["stats", "--format", "json", "--index"])
        .arg(index)
        .output()
        .expect("run stats");
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["items"].as_u64()
}

/// The ingest without the problem registry's update: that update would take most of a full
/// run's time, and the kills are meant to land among the commits. Only the re-runs update it.
fn ingest_cmd(file: &Path, index: &Path) -> Command {
    let mut c = tracked_ingest(file, index);
    c.arg("--no-track");
    c
}

/// The ingest as a user runs it: the registry update follows the commits.
fn tracked_ingest(file: &Path, index: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("ingest")
        .arg(file)
        .args(["--commit-every", "4000", "--format", "json", "--index"])
        .arg(index)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// xorshift: the kill moments are the same on every run.
fn moments(n: usize, max_ms: u64) -> Vec<u64> {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            50 + s % max_ms
        })
        .collect()
}

#[test]
#[ignore = "slow: kills a large ingest 20 times"]
fn slow_killed_ingests_leave_a_committed_prefix_and_rerun_completes() {
    let w = Workdir::new();
    let file = corpus(&w, ITEMS);
    // How long a full ingest takes here, to spread the kills over it.
    let t = Instant::now();
    let full = w.dir.path().join("reference");
    let out = ingest_cmd(&file, &full).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let span = t.elapsed().as_millis() as u64;
    assert_eq!(stats_items(&full), Some(ITEMS as u64));

    let mut partial = 0;
    for (k, ms) in moments(20, span.max(200)).into_iter().enumerate() {
        // Each round kills a fresh ingest at its moment, then re-runs it to the end.
        let index = w.dir.path().join(format!("round{k}"));
        let mut child = ingest_cmd(&file, &index).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        assert!(!stderr.contains("panicked"), "kill {k}: {stderr}");
        if index.join("minyi.json").exists() {
            // The index opens and holds a committed prefix of the file: items K00000… in order.
            let idx = minyi::index::ItemIndex::open(&index)
                .unwrap_or_else(|e| panic!("kill {k} at {ms} ms: index does not open: {e}"));
            let items = idx.collect(None, &Default::default()).unwrap();
            drop(idx);
            let n = items.len();
            assert!(n <= ITEMS, "kill {k}: {n} items");
            for (i, it) in items.iter().enumerate() {
                assert_eq!(
                    it.id,
                    format!("K{i:05}"),
                    "kill {k} at {ms} ms: not a prefix"
                );
            }
            if n > 0 && n < ITEMS {
                partial += 1;
            }
        }
        // No stale lock: the same ingest runs to the end, with the exact count, no duplicates,
        // and then updates the problem registry.
        let out = tracked_ingest(&file, &index).output().unwrap();
        assert!(
            out.status.success(),
            "kill {k}: rerun failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["items_in_index"], ITEMS as u64, "kill {k}: {v}");
        let idx = minyi::index::ItemIndex::open(&index).unwrap();
        let items = idx.collect(None, &Default::default()).unwrap();
        let mut ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS, "kill {k}: no duplicate items");
        assert!(
            v["tracking"]["found"].as_u64().is_some() && index.join("problems.json").exists(),
            "kill {k}: the re-run updates the registry: {v}"
        );
        std::fs::remove_dir_all(&index).unwrap();
    }
    assert!(
        partial >= 5,
        "kills landed mid-ingest only {partial} times (full ingest {span} ms)"
    );
}

#[test]
#[ignore = "slow: searches during a large ingest"]
fn slow_searches_during_an_ingest_see_the_last_commit() {
    let w = Workdir::new();
    let file = corpus(&w, ITEMS);
    let index = w.index();
    // A first small commit so that the index exists.
    let first = w.write("first.csv", "编号,标题,正文\nF1,关于停车的建议,停车难\n");
    let out = ingest_cmd(&first, &index).output().unwrap();
    assert!(out.status.success());
    let mut child = ingest_cmd(&file, &index).spawn().unwrap();
    let mut counts = Vec::new();
    while child.try_wait().unwrap().is_none() {
        let n = stats_items(&index).expect("stats works while an ingest runs");
        counts.push(n);
        // Until the ingest's first commit shows, it may not hold its lock yet (a process
        // starting on a loaded machine): a second writer could get in first, so none is tried.
        if n <= 1 {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        // A second writer is refused with a clear lock error — unless the ingest had already
        // released its lock, which it does only once everything is committed (it may still
        // be printing its summary, so its process can outlive the lock).
        let second = ingest_cmd(&first, &index).output().unwrap();
        match second.status.code() {
            Some(2) => assert!(String::from_utf8_lossy(&second.stderr).contains("locked")),
            Some(0) => assert_eq!(
                stats_items(&index),
                Some(ITEMS as u64 + 1),
                "a second writer got in before the ingest had committed everything"
            ),
            other => panic!(
                "second writer: exit {other:?}: {}",
                String::from_utf8_lossy(&second.stderr)
            ),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(child.wait().unwrap().success());
    assert!(
        counts.windows(2).all(|p| p[0] <= p[1]),
        "counts only grow: {counts:?}"
    );
    assert!(counts.iter().all(|&n| n >= 1 && n as usize <= ITEMS + 1));
    assert_eq!(stats_items(&index), Some(ITEMS as u64 + 1));
}

#[test]
fn a_failing_disk_write_is_a_clear_error_and_keeps_the_previous_index() {
    let w = Workdir::new();
    let small = w.write(
        "small.csv",
        "编号,标题,正文\nA1,关于停车的建议,停车难\nA2,关于电梯的建议,加装电梯\n",
    );
    let index = w.index();
    let out = ingest_cmd(&small, &index).output().unwrap();
    assert!(out.status.success());
    // A disk that fills up: files may not grow beyond 64 KB (RLIMIT_FSIZE; writes then fail
    // with EFBIG instead of raising SIGXFSZ).
    let big = corpus(&w, 20_000);
    let mut cmd = ingest_cmd(&big, &index);
    // SAFETY: only async-signal-safe calls (signal, setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error:") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("too large")
            || stderr.contains("File too large")
            || stderr.contains("write"),
        "names the failure: {stderr}"
    );
    assert_eq!(stats_items(&index), Some(2), "the previous index is intact");
    // An index path that cannot be a folder.
    let blocker = w.write("plainfile", "x");
    let out = ingest_cmd(&small, &blocker.join("ix")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("plainfile") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
