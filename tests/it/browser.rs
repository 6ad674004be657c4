//! The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
//! `.ci/run`) loads it, dumps the rendered DOM, takes a screenshot and prints it to PDF. The
//! screenshot and PDF stay in `target/report-check/` for a person to look at.

use std::path::PathBuf;
use std::process::Command;

use crate::util::{sample, Workdir};

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output() {
            if out.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            }
        }
    }
    panic!("this test needs Chromium (apt-get install chromium); .ci/run installs it");
}

fn headless(browser: &PathBuf, args: &[&str]) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
        ])
        .args(args)
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

#[test]
#[ignore = "needs chromium"]
fn browser_html_report_renders_in_headless_chromium() {
    let browser = chromium();
    let w = Workdir::new();
    w.ingest(&[&sample()], &[]);
    let keep = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/report-check");
    std::fs::create_dir_all(&keep).unwrap();
    // A quarter (weekly chart) and a year (monthly chart), as an editor prints them.
    for (cmd, period) in [
        ("report", "2024Q4"),
        ("report", "2024"),
        ("bulletin", "2024Q4"),
    ] {
        let name = format!("{cmd}-{period}");
        let html = keep.join(format!("{name}.html"));
        let r = w.run(&[cmd, "--period", period, "--out", html.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let url = format!("file://{}", html.display());

        // The DOM after loading: every section is there, the charts are drawn.
        let (dom, log) = headless(&browser, &["--dump-dom", &url]);
        let sections: &[&str] = if cmd == "report" {
            &[
                "overview",
                "hot",
                "difficult",
                "highlight",
                "trends",
                "suggestions",
                "sectors",
            ]
        } else {
            &[
                "overview",
                "submitters",
                "sectors",
                "units",
                "rankings",
                "quota",
                "excellent",
                "follow-up",
            ]
        };
        for s in sections {
            assert!(
                dom.contains(&format!("id=\"{s}\"")),
                "{name}: section {s} rendered"
            );
        }
        assert!(dom.contains("<svg"), "{name}: charts rendered");
        // No page errors: nothing from the page's console, no failed loads.
        for line in log.lines() {
            assert!(
                !line.contains("CONSOLE")
                    && !line.contains("Uncaught")
                    && !line.contains("net::ERR_"),
                "{name}: page error in the browser log: {line}"
            );
        }

        // A screenshot of the first screen and an A4 PDF for a person to look at.
        let png = keep.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        headless(
            &browser,
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1000,1400",
                &url,
            ],
        );
        let bytes = std::fs::read(&png).expect("screenshot written");
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        assert!(
            bytes.len() > 20_000,
            "{name}: the screenshot shows content ({} bytes)",
            bytes.len()
        );
        let pdf = keep.join(format!("{name}.pdf"));
        let _ = std::fs::remove_file(&pdf);
        headless(
            &browser,
            &[
                &format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer",
                &url,
            ],
        );
        let pdf_bytes = std::fs::read(&pdf).expect("PDF written");
        assert!(pdf_bytes.starts_with(b"%PDF"), "a PDF");
        assert!(
            String::from_utf8_lossy(&pdf_bytes).contains("/MediaBox [0 0 594.9"),
            "{name}: printed on A4 (595 × 842 pt)"
        );
    }
}
