//! Clustering quality against labels: normalised mutual information and adjusted Rand index
//! (as scikit-learn computes them), for the quality tests and benchmarks.
//! Hand-written (40 lines) because no maintained Rust crate offers both on string labels
//! without pulling in a machine-learning framework.

use std::collections::HashMap;

/// Normalised mutual information (arithmetic mean normalisation, as scikit-learn's default).
pub fn nmi(a: &[String], b: &[String]) -> f64 {
    let n = a.len() as f64;
    let mut ca: HashMap<&str, f64> = HashMap::new();
    let mut cb: HashMap<&str, f64> = HashMap::new();
    let mut cab: HashMap<(&str, &str), f64> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *ca.entry(x).or_default() += 1.0;
        *cb.entry(y).or_default() += 1.0;
        *cab.entry((x, y)).or_default() += 1.0;
    }
    let h = |c: &HashMap<&str, f64>| -c.values().map(|v| v / n * (v / n).ln()).sum::<f64>();
    let mi: f64 = cab
        .iter()
        .map(|((x, y), v)| v / n * ((v * n) / (ca[x] * cb[y])).ln())
        .sum();
    let denom = (h(&ca) + h(&cb)) / 2.0;
    if denom == 0.0 {
        1.0
    } else {
        mi / denom
    }
}

/// Adjusted Rand index of two labelings.
pub fn ari(a: &[String], b: &[String]) -> f64 {
    let mut ca: HashMap<&str, f64> = HashMap::new();
    let mut cb: HashMap<&str, f64> = HashMap::new();
    let mut cab: HashMap<(&str, &str), f64> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *ca.entry(x).or_default() += 1.0;
        *cb.entry(y).or_default() += 1.0;
        *cab.entry((x, y)).or_default() += 1.0;
    }
    let c2 = |v: f64| v * (v - 1.0) / 2.0;
    let index: f64 = cab.values().map(|&v| c2(v)).sum();
    let (sa, sb): (f64, f64) = (
        ca.values().map(|&v| c2(v)).sum(),
        cb.values().map(|&v| c2(v)).sum(),
    );
    let expected = sa * sb / c2(a.len() as f64);
    let max = (sa + sb) / 2.0;
    if max == expected {
        1.0
    } else {
        (index - expected) / (max - expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn matches_scikit_learn_on_small_cases() {
        let a = s(&["x", "x", "y", "y"]);
        assert!((nmi(&a, &s(&["1", "1", "0", "0"])) - 1.0).abs() < 1e-9);
        assert!((ari(&a, &s(&["1", "1", "0", "0"])) - 1.0).abs() < 1e-9);
        assert!(nmi(&a, &s(&["0", "1", "0", "1"])).abs() < 1e-9);
        assert!((ari(&a, &s(&["0", "1", "0", "1"])) + 0.5).abs() < 1e-9);
        // sklearn: nmi([0,0,1,1,2,2],[0,0,1,2,2,2]) = 0.7396673768007592
        let b = s(&["0", "0", "1", "1", "2", "2"]);
        assert!(
            (nmi(&b, &s(&["0", "0", "1", "2", "2", "2"])) - 0.739_667_376_800_759_2).abs() < 1e-9
        );
    }
}
