//! Small helpers below every stage: a hash folded to 64 bits, a union–find, and a
//! deterministic pseudo-random sequence (one of each for the whole crate).

/// The first 8 bytes of a BLAKE3 hash as a `u64` (ids, content and term hashes, sample keys).
pub fn u64_of(h: blake3::Hash) -> u64 {
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// The root of `x` in the union–find forest `parent` (paths halved on the way).
pub fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Joins the sets of `a` and `b`; the lower root names the joined set.
pub fn union(parent: &mut [u32], a: u32, b: u32) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b) as usize] = a.min(b);
    }
}

/// Marsaglia's xorshift64 (13, 7, 17): fast, deterministic, not for anything secret. The
/// state must not be 0.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(state: u64) -> XorShift {
        XorShift(state.max(1))
    }

    /// The next value of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_find_names_a_set_by_its_lowest_member() {
        let mut parent: Vec<u32> = (0..6).collect();
        union(&mut parent, 4, 2);
        union(&mut parent, 5, 4);
        union(&mut parent, 1, 3);
        let roots: Vec<u32> = (0..6).map(|x| find(&mut parent, x)).collect();
        assert_eq!(roots, [0, 1, 2, 1, 2, 2]);
    }

    #[test]
    fn xorshift_is_the_published_sequence() {
        let mut r = XorShift::new(1);
        assert_eq!(r.next_u64(), 1_082_269_761);
        assert_eq!(XorShift::new(0).next_u64(), 1_082_269_761, "0 would stay 0");
    }
}
