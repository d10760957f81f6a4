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

/// A map from trace IDs to values for the IDs the runtime hands out densely
/// (P IDs from 0, goroutine IDs from 1 in creation order): a vector indexed
/// by the ID, so that hot lookups are an index rather than a hash, with a
/// hash map for negative or far IDs. The vector only covers IDs below a
/// bound that grows with the number of insertions (at least 4096), so
/// memory stays proportional to the work done whatever IDs a trace holds.
#[derive(Debug, Clone)]
pub struct DenseIdMap<V> {
    dense: Vec<Option<V>>,
    sparse: IdMap<i64, V>,
    /// Insertions so far.
    inserts: usize,
}

impl<V> Default for DenseIdMap<V> {
    fn default() -> Self {
        DenseIdMap {
            dense: Vec::new(),
            sparse: IdMap::default(),
            inserts: 0,
        }
    }
}

impl<V> DenseIdMap<V> {
    /// IDs below this are always kept in the vector.
    const MIN_DENSE: usize = 1 << 12;
    /// And IDs below this many times the number of insertions.
    const DENSE_PER_INSERT: usize = 4;

    /// The value of `id`.
    #[inline]
    pub fn get(&self, id: i64) -> Option<&V> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(v) => v.as_ref(),
            None if self.sparse.is_empty() => None,
            None => self.sparse.get(&id),
        }
    }

    /// The value of `id`, mutably.
    #[inline]
    pub fn get_mut(&mut self, id: i64) -> Option<&mut V> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get_mut(i)) {
            Some(v) => v.as_mut(),
            None if self.sparse.is_empty() => None,
            None => self.sparse.get_mut(&id),
        }
    }

    /// Sets the value of `id`, returning the previous one.
    #[inline]
    pub fn insert(&mut self, id: i64, v: V) -> Option<V> {
        self.inserts += 1;
        match self.dense_slot(id) {
            Some(slot) => slot.replace(v),
            None => self.sparse.insert(id, v),
        }
    }

    /// Removes `id`, returning its value.
    #[inline]
    pub fn remove(&mut self, id: i64) -> Option<V> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get_mut(i)) {
            Some(slot) => slot.take(),
            None if self.sparse.is_empty() => None,
            None => self.sparse.remove(&id),
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

    /// Takes every entry out (in no particular order), keeping the memory.
    pub fn drain(&mut self) -> impl Iterator<Item = (i64, V)> + '_ {
        self.inserts = 0;
        let dense = self
            .dense
            .iter_mut()
            .enumerate()
            .filter_map(|(i, v)| v.take().map(|v| (i as i64, v)));
        dense.chain(self.sparse.drain())
    }

    /// The vector slot of `id`, growing the vector if `id` may be in it.
    #[inline]
    fn dense_slot(&mut self, id: i64) -> Option<&mut Option<V>> {
        let i = usize::try_from(id).ok()?;
        if i >= self.dense.len() {
            let limit = Self::MIN_DENSE.max(self.inserts.saturating_mul(Self::DENSE_PER_INSERT));
            if i >= limit {
                return None;
            }
            self.grow(i.saturating_mul(2).max(64).clamp(i + 1, limit));
        }
        self.dense.get_mut(i)
    }

    /// Extends the vector to `len` IDs, moving those now in range out of
    /// the hash map.
    #[cold]
    fn grow(&mut self, len: usize) {
        self.dense.resize_with(len, || None);
        let moved: Vec<i64> = self
            .sparse
            .keys()
            .copied()
            .filter(|&id| usize::try_from(id).is_ok_and(|i| i < len))
            .collect();
        for id in moved {
            if let (Some(v), Ok(i)) = (self.sparse.remove(&id), usize::try_from(id))
                && let Some(slot) = self.dense.get_mut(i)
            {
                *slot = Some(v);
            }
        }
    }
}

/// A mapping from IDs to values, sparse while built, dense once compacted.
#[derive(Debug, Clone)]
pub struct DataTable<T> {
    dense: Vec<Option<T>>,
    sparse: IdMap<u64, T>,
    empty: T,
    /// Every ID from 1 to this one has a value (entries are never removed):
    /// the runtime numbers a generation's stacks and strings from 1 up, so
    /// [`DataTable::contains`] is mostly one comparison.
    gap_free: u64,
}

impl<T: Default> Default for DataTable<T> {
    fn default() -> Self {
        DataTable {
            dense: Vec::new(),
            sparse: IdMap::default(),
            empty: T::default(),
            gap_free: 0,
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
        let holes = dense.iter().skip(1).position(Option::is_none);
        self.gap_free = holes.unwrap_or(dense.len().saturating_sub(1)) as u64;
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
        // ID 0 (the empty value) is always within the gap-free prefix.
        if id <= self.gap_free {
            return true;
        }
        match self.dense.get(id as usize) {
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
    fn dense_id_map() {
        let mut m: DenseIdMap<u32> = DenseIdMap::default();
        for id in [0, 3, 4095, -1, i64::MAX, i64::MIN] {
            assert_eq!(m.get(id), None);
            assert_eq!(m.insert(id, id as u32), None);
        }
        assert_eq!(m.insert(3, 33), Some(3));
        if let Some(v) = m.get_mut(-1) {
            *v = 11;
        }
        assert_eq!(m.get(3), Some(&33));
        assert_eq!(m.get(-1), Some(&11));
        assert_eq!(m.get(2), None);
        let mut all: Vec<i64> = m.iter().map(|(k, _)| k).collect();
        all.sort();
        assert_eq!(all, [i64::MIN, -1, 0, 3, 4095, i64::MAX]);
        // Far beyond the vector for now: hashed.
        let far = (DenseIdMap::<u32>::MIN_DENSE * 2) as i64;
        assert_eq!(m.insert(far, 7), None);
        assert!(m.sparse.contains_key(&far));
        // Enough insertions let the vector reach `far`, which moves into it.
        for i in 0..DenseIdMap::<u32>::MIN_DENSE as i64 {
            m.insert(100 + i, 0);
        }
        m.insert(far + 1, 8);
        assert!(m.dense.len() > far as usize + 1);
        assert!(!m.sparse.contains_key(&far));
        assert_eq!(m.get(far), Some(&7));
        assert_eq!(m.get(far + 1), Some(&8));
        assert_eq!(m.get(i64::MAX), Some(&(i64::MAX as u32)));
        assert_eq!(m.remove(3), Some(33));
        assert_eq!(m.remove(3), None);
        assert_eq!(m.remove(-1), Some(11));
        assert_eq!(m.get(-1), None);
    }

    #[test]
    fn contains_agrees_with_get() {
        let mut dense: DataTable<u32> = DataTable::default();
        let mut sparse: DataTable<u32> = DataTable::default();
        for i in [1, 2, 3, 5, 8] {
            dense.insert(i, 1);
            sparse.insert(i * 1_000_003, 1);
        }
        let mut full: DataTable<u32> = DataTable::default();
        for i in [1, 2, 3] {
            full.insert(i, 1);
        }
        dense.compactify();
        sparse.compactify();
        full.compactify();
        assert_eq!((dense.gap_free, sparse.gap_free, full.gap_free), (3, 0, 3));
        for t in [&dense, &sparse, &full] {
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
