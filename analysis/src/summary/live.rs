//! Lookups by goroutine and P ID on the summarizer's hot path. The runtime
//! numbers both densely (P IDs from 0, goroutine IDs from 1 in creation
//! order), so a vector indexed by the ID replaces hashing for most IDs.

use trace_format::GoId;

use super::LiveGoroutine;
use crate::intern::FxHashMap;

/// A map from trace IDs to small values: a vector indexed by the ID for
/// IDs below a bound that grows with the number of insertions (so that
/// memory stays proportional to the work done, whatever the IDs), a hash
/// map for the others.
pub(super) struct IdMap<V> {
    dense: Vec<Option<V>>,
    sparse: FxHashMap<i64, V>,
    /// Insertions so far.
    inserts: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            dense: Vec::new(),
            sparse: FxHashMap::default(),
            inserts: 0,
        }
    }
}

impl<V: Copy> IdMap<V> {
    /// IDs below this are always kept in the vector.
    const MIN_DENSE: usize = 1 << 12;
    /// And IDs below this many times the number of insertions.
    const DENSE_PER_INSERT: usize = 4;

    #[inline]
    pub fn get(&self, id: i64) -> Option<V> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(v) => *v,
            None if self.sparse.is_empty() => None,
            None => self.sparse.get(&id).copied(),
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

    #[inline]
    pub fn remove(&mut self, id: i64) -> Option<V> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get_mut(i)) {
            Some(slot) => slot.take(),
            None if self.sparse.is_empty() => None,
            None => self.sparse.remove(&id),
        }
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
        self.dense.resize(len, None);
        let dense = &mut self.dense;
        self.sparse.retain(|&id, v| {
            match usize::try_from(id).ok().and_then(|i| dense.get_mut(i)) {
                Some(slot) => {
                    *slot = Some(*v);
                    false
                }
                None => true,
            }
        });
    }
}

/// The live goroutines: their states in a vector, found by ID through an
/// [`IdMap`] of positions in it.
#[derive(Default)]
pub(super) struct LiveSet {
    index: IdMap<u32>,
    slots: Vec<LiveGoroutine>,
}

impl LiveSet {
    #[inline]
    pub fn get(&self, id: GoId) -> Option<&LiveGoroutine> {
        self.index.get(id).and_then(|i| self.slots.get(i as usize))
    }

    #[inline]
    pub fn get_mut(&mut self, id: GoId) -> Option<&mut LiveGoroutine> {
        self.index
            .get(id)
            .and_then(|i| self.slots.get_mut(i as usize))
    }

    pub fn contains(&self, id: GoId) -> bool {
        self.index.get(id).is_some()
    }

    /// Adds `g`, replacing the goroutine of the same ID; returns it in place.
    pub fn insert(&mut self, g: LiveGoroutine) -> &mut LiveGoroutine {
        let id = g.sum.id;
        let i = match self.index.get(id) {
            Some(i) => i as usize,
            None => {
                let i = self.slots.len();
                // More than 2³² live goroutines cannot fit in memory anyway.
                self.index.insert(id, i as u32);
                self.slots.push(g);
                return &mut self.slots[i];
            }
        };
        let slot = &mut self.slots[i];
        *slot = g;
        slot
    }

    /// Removes the goroutine `id` (the last one takes its place).
    pub fn remove(&mut self, id: GoId) -> Option<LiveGoroutine> {
        let i = self.index.remove(id)? as usize;
        if i + 1 < self.slots.len()
            && let Some(last) = self.slots.last()
        {
            self.index.insert(last.sum.id, i as u32);
        }
        (i < self.slots.len()).then(|| self.slots.swap_remove(i))
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Takes every goroutine.
    pub fn drain(&mut self) -> impl Iterator<Item = LiveGoroutine> + '_ {
        self.index = IdMap::default();
        self.slots.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_map_dense_sparse_and_growth() {
        let mut m = IdMap::<u32>::default();
        assert_eq!(m.insert(-1, 1), None);
        assert_eq!(m.insert(1 << 40, 2), None);
        // Far beyond the vector for now: hashed.
        let far = (IdMap::<u32>::MIN_DENSE * 2) as i64;
        assert_eq!(m.insert(far, 3), None);
        assert_eq!(m.insert(5, 4), None);
        assert_eq!(m.insert(5, 5), Some(4));
        // Enough insertions let the vector reach `far`, which moves into it.
        for i in 0..IdMap::<u32>::MIN_DENSE as i64 {
            m.insert(100 + i, 0);
        }
        m.insert(far + 1, 6);
        assert!(m.dense.len() > far as usize + 1);
        assert!(!m.sparse.contains_key(&far));
        assert_eq!(m.get(far), Some(3));
        assert_eq!(m.get(far + 1), Some(6));
        assert_eq!(m.get(-1), Some(1));
        assert_eq!(m.get(1 << 40), Some(2));
        assert_eq!(m.get(5), Some(5));
        assert_eq!(m.get(6), None);
        assert_eq!(m.remove(5), Some(5));
        assert_eq!(m.remove(5), None);
        assert_eq!(m.remove(-1), Some(1));
        assert_eq!(m.get(-1), None);
    }
}
