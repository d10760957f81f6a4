//! [`IntMap`]: the goroutine-state map of the ordering, a hash map from
//! `i64` IDs tuned for what the ordering does with it.
//!
//! Nearly every ordered event looks up one goroutine, and the live set is
//! small (hundreds to a few thousand goroutines) while IDs grow without end
//! as goroutines come and go. A vector indexed by ID would grow with every
//! goroutine ever created; hashbrown (with the Fx hash) costs a SIMD group
//! probe, a mask and a bit scan per lookup. Linear probing over keys stored
//! inline with their values, with a Fibonacci hash and a table at most three
//! quarters full, finds almost every key in its first slot or the next: one
//! multiply, one shift, a compare or two. Removal shifts the following
//! entries back (no tombstones), so 2 M goroutines created and destroyed
//! leave no trace behind.
//!
//! The table is kept small, as it decides the cache misses: a slot is the
//! key and the value (40 bytes for a goroutine's state), an empty slot
//! holding `V::default()`.

/// An open-addressing hash map from `i64` to `V` (see the module docs).
#[derive(Clone)]
pub(crate) struct IntMap<V> {
    /// `slots.len()` is a power of two (or 0); a slot is empty when its key
    /// is [`EMPTY`] (and then its value is `V::default()`).
    slots: Vec<Slot<V>>,
    /// `64 - log2(slots.len())`: the hash's top bits index the table.
    shift: u32,
    /// Entries in `slots`.
    len: usize,
    /// The value of key [`EMPTY`] itself, which cannot live in `slots`.
    min_key: Option<V>,
}

#[derive(Clone)]
struct Slot<V> {
    key: i64,
    val: V,
}

/// The key marking an empty slot (a real key `i64::MIN` goes to `min_key`).
const EMPTY: i64 = i64::MIN;

/// Fibonacci hashing: 2^64 / φ, odd, so consecutive IDs spread out.
const PHI: u64 = 0x9e37_79b9_7f4a_7c15;

/// Slots of the first table.
const MIN_SLOTS: usize = 64;

impl<V: Default> Default for IntMap<V> {
    fn default() -> Self {
        IntMap {
            slots: Vec::new(),
            shift: 64,
            len: 0,
            min_key: None,
        }
    }
}

impl<V: Default + std::fmt::Debug> std::fmt::Debug for IntMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Default> IntMap<V> {
    /// Entries in the map.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len + usize::from(self.min_key.is_some())
    }

    /// The home slot of `key`. Only called with a non-empty table.
    #[inline(always)]
    fn home(&self, key: i64) -> usize {
        ((key as u64).wrapping_mul(PHI) >> self.shift) as usize
    }

    /// The slot holding `key` (`key != EMPTY`), or else the empty slot
    /// that ends its probe, where it would go; `None` for an empty table.
    #[inline(always)]
    fn probe(&self, key: i64) -> Option<Result<usize, usize>> {
        let mask = self.slots.len().wrapping_sub(1);
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.home(key);
        // The table is never full, so an empty slot ends every probe.
        loop {
            let k = self.slots.get(i)?.key;
            if k == key {
                return Some(Ok(i));
            }
            if k == EMPTY {
                return Some(Err(i));
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot holding `key`, if any (`key != EMPTY`).
    #[inline(always)]
    fn find(&self, key: i64) -> Option<usize> {
        self.probe(key)?.ok()
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &i64) -> Option<&V> {
        if *key == EMPTY {
            return self.min_key.as_ref();
        }
        let i = self.find(*key)?;
        self.slots.get(i).map(|s| &s.val)
    }

    /// The value of `key`, mutably.
    #[inline]
    pub fn get_mut(&mut self, key: &i64) -> Option<&mut V> {
        if *key == EMPTY {
            return self.min_key.as_mut();
        }
        let i = self.find(*key)?;
        self.slots.get_mut(i).map(|s| &mut s.val)
    }

    /// Whether `key` has a value.
    #[inline]
    pub fn contains_key(&self, key: &i64) -> bool {
        self.get(key).is_some()
    }

    /// Sets the value of `key`, returning the previous one.
    pub fn insert(&mut self, key: i64, val: V) -> Option<V> {
        if key == EMPTY {
            return self.min_key.replace(val);
        }
        let mut at = self.probe(key);
        if let Some(Ok(i)) = at {
            return self
                .slots
                .get_mut(i)
                .map(|s| std::mem::replace(&mut s.val, val));
        }
        // At most three quarters full: probes stay short and a slot is
        // always free.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
            at = self.probe(key);
        }
        if let Some(Err(i)) = at
            && let Some(s) = self.slots.get_mut(i)
        {
            *s = Slot { key, val };
            self.len += 1;
        }
        None
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &i64) -> Option<V> {
        if *key == EMPTY {
            return self.min_key.take();
        }
        let mut hole = self.find(*key)?;
        let slot = self.slots.get_mut(hole)?;
        slot.key = EMPTY;
        let val = std::mem::take(&mut slot.val);
        self.len -= 1;
        // Backward-shift deletion: move each following entry of the run
        // into the hole if the hole lies on its probe path (between its home
        // and its slot, cyclically), so no probe meets a gap it should cross.
        let mask = self.slots.len() - 1;
        let mut i = hole;
        loop {
            i = (i + 1) & mask;
            let k = match self.slots.get(i) {
                Some(s) if s.key != EMPTY => s.key,
                _ => break,
            };
            let home = self.home(k);
            if (i.wrapping_sub(home) & mask) >= (i.wrapping_sub(hole) & mask) {
                self.slots.swap(hole, i);
                hole = i;
            }
        }
        Some(val)
    }

    /// Doubles the table (or makes the first one) and re-inserts.
    #[cold]
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(MIN_SLOTS);
        let old = std::mem::replace(
            &mut self.slots,
            std::iter::repeat_with(|| Slot {
                key: EMPTY,
                val: V::default(),
            })
            .take(n)
            .collect(),
        );
        self.shift = 64 - n.trailing_zeros();
        self.len = 0;
        for s in old {
            if s.key != EMPTY {
                self.insert(s.key, s.val);
            }
        }
    }

    /// Removes every entry, keeping the table's memory.
    pub fn clear(&mut self) {
        if self.len > 0 {
            for s in &mut self.slots {
                s.key = EMPTY;
                s.val = V::default();
            }
        }
        self.len = 0;
        self.min_key = None;
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&i64, &V)> {
        let min = self.min_key.as_ref().map(|v| (&EMPTY, v));
        self.slots
            .iter()
            .filter(|s| s.key != EMPTY)
            .map(|s| (&s.key, &s.val))
            .chain(min)
    }

    /// Takes every entry out (in no particular order), keeping the memory.
    /// As with `HashMap::drain`, entries left when the iterator is dropped
    /// are dropped too: the map is empty afterwards either way.
    pub fn drain(&mut self) -> Drain<'_, V> {
        self.len = 0;
        Drain {
            slots: self.slots.iter_mut(),
            min_key: self.min_key.take(),
        }
    }
}

/// The iterator of [`IntMap::drain`].
pub(crate) struct Drain<'m, V: Default> {
    slots: std::slice::IterMut<'m, Slot<V>>,
    min_key: Option<V>,
}

impl<V: Default> Iterator for Drain<'_, V> {
    type Item = (i64, V);

    fn next(&mut self) -> Option<(i64, V)> {
        for s in self.slots.by_ref() {
            if s.key != EMPTY {
                return Some((
                    std::mem::replace(&mut s.key, EMPTY),
                    std::mem::take(&mut s.val),
                ));
            }
        }
        self.min_key.take().map(|v| (EMPTY, v))
    }
}

impl<V: Default> Drop for Drain<'_, V> {
    fn drop(&mut self) {
        for s in self.slots.by_ref() {
            s.key = EMPTY;
            s.val = V::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Random operations against `HashMap`, with keys drawn from a small
    /// range (long probe runs, many removals inside them), consecutive IDs
    /// and the edge keys.
    #[test]
    fn matches_hashmap() {
        let mut next = crate::testutil::xorshift(0x2545_f491_4f6c_dd1d);
        for round in 0..4 {
            let mut m: IntMap<u64> = IntMap::default();
            let mut h: HashMap<i64, u64> = HashMap::new();
            for step in 0..200_000u64 {
                let r = next();
                let key = match round {
                    0 => (r % 97) as i64,
                    1 => (r % 5000) as i64 - 2500,
                    2 => (step / 3) as i64 - (r % 64) as i64,
                    _ => [i64::MIN, i64::MAX, 0, -1, 1, (r >> 3) as i64][(r % 6) as usize],
                };
                match (r >> 32) % 5 {
                    0 | 1 => assert_eq!(m.insert(key, step), h.insert(key, step)),
                    2 => assert_eq!(m.remove(&key), h.remove(&key)),
                    3 => assert_eq!(m.get(&key), h.get(&key)),
                    _ => {
                        if let (Some(a), Some(b)) = (m.get_mut(&key), h.get_mut(&key)) {
                            *a += 1;
                            *b += 1;
                        }
                        assert_eq!(m.contains_key(&key), h.contains_key(&key));
                    }
                }
                assert_eq!(m.len(), h.len());
            }
            let mut all: Vec<(i64, u64)> = m.iter().map(|(k, v)| (*k, *v)).collect();
            let mut want: Vec<(i64, u64)> = h.iter().map(|(k, v)| (*k, *v)).collect();
            all.sort_unstable();
            want.sort_unstable();
            assert_eq!(all, want);
            let mut drained: Vec<(i64, u64)> = m.drain().collect();
            drained.sort_unstable();
            assert_eq!(drained, want);
            assert_eq!(m.len(), 0);
            assert_eq!(m.get(&i64::MIN), None);
            // A drain dropped half-way empties the map all the same.
            for (k, v) in &want {
                m.insert(*k, *v);
            }
            assert_eq!(m.drain().take(want.len() / 2).count(), want.len() / 2);
            assert_eq!(m.len(), 0);
            assert!(want.iter().all(|(k, _)| m.get(k).is_none()));
            assert_eq!(m.iter().count(), 0);
            // Reused after draining.
            m.insert(7, 1);
            assert_eq!(m.get(&7), Some(&1));
            m.clear();
            assert_eq!((m.len(), m.get(&7)), (0, None));
        }
    }

    /// Creating and destroying many goroutines keeps the table at the size
    /// of the live set.
    #[test]
    fn churn_keeps_table_small() {
        let mut m: IntMap<u32> = IntMap::default();
        for id in 0..1_000_000i64 {
            m.insert(id, 0);
            if id >= 100 {
                assert_eq!(m.remove(&(id - 100)), Some(0));
            }
        }
        assert_eq!(m.len(), 100);
        assert!(m.slots.len() <= 256, "{} slots", m.slots.len());
        // Slots are the key and the value, nothing more.
        assert_eq!(std::mem::size_of::<Slot<[u64; 4]>>(), 40);
    }
}
