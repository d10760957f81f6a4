//! The summarizer's live goroutines, found by ID on its hot path without
//! hashing (the runtime numbers goroutines densely, from 1 in creation
//! order; see [`DenseIdMap`]).

use trace_format::GoId;
use trace_format::table::DenseIdMap;

use super::LiveGoroutine;

/// The live goroutines: their states in a vector, found by ID through a
/// [`DenseIdMap`] of positions in it.
#[derive(Default)]
pub(super) struct LiveSet {
    index: DenseIdMap<u32>,
    slots: Vec<LiveGoroutine>,
}

impl LiveSet {
    #[inline]
    pub fn get(&self, id: GoId) -> Option<&LiveGoroutine> {
        self.index.get(id).and_then(|&i| self.slots.get(i as usize))
    }

    #[inline]
    pub fn get_mut(&mut self, id: GoId) -> Option<&mut LiveGoroutine> {
        self.index
            .get(id)
            .and_then(|&i| self.slots.get_mut(i as usize))
    }

    pub fn contains(&self, id: GoId) -> bool {
        self.index.get(id).is_some()
    }

    /// Adds `g`, replacing the goroutine of the same ID; returns it in place.
    pub fn insert(&mut self, g: LiveGoroutine) -> &mut LiveGoroutine {
        let id = g.sum.id;
        let i = match self.index.get(id) {
            Some(&i) => i as usize,
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
        self.index = DenseIdMap::default();
        self.slots.drain(..)
    }
}
