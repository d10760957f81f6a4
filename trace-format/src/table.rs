//! Per-generation lookup tables (strings, stacks) keyed by sparse IDs.
//!
//! The runtime hands out IDs 1, 2, 3, … so tables are almost always dense;
//! like Go's `dataTable`, they start as a hash map while a generation is read
//! and are compacted into a vector once it is complete. ID 0 always resolves
//! to the empty value.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (rustc's): fast and good enough for integer IDs and short
/// strings. Shared by every crate of the workspace for its hot maps.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;
/// A map keyed by integer IDs (the tables' maps).
pub type IdMap<K, V> = FxHashMap<K, V>;

/// A map from small non-negative IDs (proc IDs: 0..GOMAXPROCS) to values:
/// a vector below `SMALL_IDS`, a hash map for any other ID a damaged trace
/// may carry. Lookups of the common IDs are an index, not a hash.
#[derive(Debug, Clone)]
pub struct SmallIdMap<V> {
    dense: Vec<Option<V>>,
    sparse: IdMap<i64, V>,
}

/// IDs below this live in [`SmallIdMap`]'s vector.
const SMALL_IDS: i64 = 1 << 12;

impl<V> Default for SmallIdMap<V> {
    fn default() -> Self {
        SmallIdMap {
            dense: Vec::new(),
            sparse: IdMap::default(),
        }
    }
}

impl<V> SmallIdMap<V> {
    /// The value of `id`.
    #[inline]
    pub fn get(&self, id: i64) -> Option<&V> {
        match usize::try_from(id) {
            Ok(i) if id < SMALL_IDS => self.dense.get(i)?.as_ref(),
            _ => self.sparse.get(&id),
        }
    }

    /// The value of `id`, mutably.
    #[inline]
    pub fn get_mut(&mut self, id: i64) -> Option<&mut V> {
        match usize::try_from(id) {
            Ok(i) if id < SMALL_IDS => self.dense.get_mut(i)?.as_mut(),
            _ => self.sparse.get_mut(&id),
        }
    }

    /// Sets the value of `id`.
    pub fn insert(&mut self, id: i64, v: V) {
        match usize::try_from(id) {
            Ok(i) if id < SMALL_IDS => {
                if self.dense.len() <= i {
                    self.dense.resize_with(i + 1, || None);
                }
                self.dense[i] = Some(v);
            }
            _ => {
                self.sparse.insert(id, v);
            }
        }
    }

    /// All entries, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &V)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i as i64, v)));
        dense.chain(self.sparse.iter().map(|(k, v)| (*k, v)))
    }
}

/// A mapping from IDs to values, sparse while built, dense once compacted.
#[derive(Debug, Clone)]
pub struct DataTable<T> {
    dense: Vec<Option<T>>,
    sparse: IdMap<u64, T>,
    empty: T,
}

impl<T: Default> Default for DataTable<T> {
    fn default() -> Self {
        DataTable {
            dense: Vec::new(),
            sparse: IdMap::default(),
            empty: T::default(),
        }
    }
}

impl<T: Default> DataTable<T> {
    /// Adds `id → value`; returns `false` (and keeps the table as it was) for
    /// an ID seen before, including 0, which Go's reader treats as an error.
    pub fn insert(&mut self, id: u64, value: T) -> bool {
        if id == 0 || self.get(id).is_some() {
            return false;
        }
        self.sparse.insert(id, value);
        true
    }

    /// Moves entries into a dense vector when that wastes at most 2× memory.
    pub fn compactify(&mut self) {
        if self.sparse.is_empty() || !self.dense.is_empty() {
            return;
        }
        let n = self.sparse.len() as u64;
        let max = self.sparse.keys().copied().max().unwrap_or(0);
        if max > 2 * n + 1 {
            return;
        }
        let mut dense: Vec<Option<T>> = Vec::new();
        dense.resize_with(max as usize + 1, || None);
        for (id, v) in self.sparse.drain() {
            dense[id as usize] = Some(v);
        }
        self.dense = dense;
    }

    /// The value for `id`; ID 0 is the empty value.
    #[inline]
    pub fn get(&self, id: u64) -> Option<&T> {
        if id == 0 {
            return Some(&self.empty);
        }
        if let Some(slot) = self.dense.get(id as usize) {
            return slot.as_ref();
        }
        self.sparse.get(&id)
    }

    /// Whether `id` has a value (as `get(id).is_some()`, cheaper).
    #[inline]
    pub fn contains(&self, id: u64) -> bool {
        match self.dense.get(id as usize) {
            _ if id == 0 => true,
            Some(slot) => slot.is_some(),
            None => !self.sparse.is_empty() && self.sparse.contains_key(&id),
        }
    }

    /// All non-zero entries, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i as u64, v)));
        dense.chain(self.sparse.iter().map(|(k, v)| (*k, v)))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.dense.iter().filter(|v| v.is_some()).count() + self.sparse.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_id_map() {
        let mut m: SmallIdMap<u32> = SmallIdMap::default();
        for id in [0, 3, 4095, 4096, -1, i64::MAX, i64::MIN] {
            assert_eq!(m.get(id), None);
            m.insert(id, id as u32);
        }
        m.insert(3, 33);
        if let Some(v) = m.get_mut(-1) {
            *v = 11;
        }
        assert_eq!(m.get(3), Some(&33));
        assert_eq!(m.get(-1), Some(&11));
        assert_eq!(m.get(4096), Some(&4096));
        assert_eq!(m.get(2), None);
        let mut all: Vec<i64> = m.iter().map(|(k, _)| k).collect();
        all.sort();
        assert_eq!(all, [i64::MIN, -1, 0, 3, 4095, 4096, i64::MAX]);
    }

    #[test]
    fn contains_agrees_with_get() {
        let mut dense: DataTable<u32> = DataTable::default();
        let mut sparse: DataTable<u32> = DataTable::default();
        for i in [1, 2, 3, 5, 8] {
            dense.insert(i, 1);
            sparse.insert(i * 1_000_003, 1);
        }
        dense.compactify();
        sparse.compactify();
        for t in [&dense, &sparse] {
            for id in [0, 1, 4, 5, 8, 9, 1_000_003, 5_000_015, u64::MAX] {
                assert_eq!(t.contains(id), t.get(id).is_some(), "id {id}");
            }
        }
    }

    #[test]
    fn dense_and_sparse() {
        let mut t: DataTable<u32> = DataTable::default();
        for i in 1..=10 {
            assert!(t.insert(i, i as u32 * 10));
        }
        assert!(!t.insert(3, 0));
        assert!(!t.insert(0, 0));
        t.compactify();
        assert_eq!(t.get(0), Some(&0));
        assert_eq!(t.get(7), Some(&70));
        assert_eq!(t.get(11), None);
        assert_eq!(t.len(), 10);

        let mut s: DataTable<u32> = DataTable::default();
        assert!(s.insert(1_000_000, 1));
        assert!(s.insert(5, 2));
        s.compactify();
        assert_eq!(s.get(1_000_000), Some(&1));
        assert_eq!(s.get(5), Some(&2));
        assert_eq!(s.get(6), None);
    }
}
