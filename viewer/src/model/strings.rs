//! Interned strings and stacks. Chunks are built in parallel with their own
//! local tables; when a chunk is merged its local IDs are mapped to global ones.

use super::fxhash::FxHashMap as HashMap;

/// "No string" / "no stack" sentinel ID.
pub const NONE: u32 = u32::MAX;

/// A table of unique strings; ID 0 is the empty string.
#[derive(Debug, Clone)]
pub struct StringTable {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Default for StringTable {
    fn default() -> Self {
        let mut t = StringTable {
            strings: Vec::new(),
            index: HashMap::default(),
        };
        t.intern("");
        t
    }
}

impl StringTable {
    /// Returns the ID of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.index.insert(s.into(), id);
        id
    }

    /// Returns the ID of bytes from the trace (lossy UTF-8).
    pub fn intern_bytes(&mut self, b: &[u8]) -> u32 {
        match std::str::from_utf8(b) {
            Ok(s) => self.intern(s),
            Err(_) => self.intern(&String::from_utf8_lossy(b)),
        }
    }

    /// The string with ID `id` ("" for unknown IDs).
    pub fn get(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }

    /// The ID of `s`, if interned.
    pub fn find(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether only the empty string is present.
    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }
}

/// One stack frame with interned strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Program counter.
    pub pc: u64,
    /// Function name (string ID).
    pub func: u32,
    /// File name (string ID).
    pub file: u32,
    /// Line.
    pub line: u32,
}

/// Unique stacks (innermost frame first), shared by the whole trace.
#[derive(Debug, Clone, Default)]
pub struct StackTable {
    frames: Vec<Frame>,
    starts: Vec<u32>,
    index: HashMap<Vec<Frame>, u32>,
}

impl StackTable {
    /// Adds a stack, returning its ID.
    pub fn intern(&mut self, frames: Vec<Frame>) -> u32 {
        if let Some(&id) = self.index.get(&frames) {
            return id;
        }
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let id = (self.starts.len() - 1) as u32;
        self.frames.extend_from_slice(&frames);
        self.starts.push(self.frames.len() as u32);
        self.index.insert(frames, id);
        id
    }

    /// The frames of stack `id` (empty for `NONE` or unknown IDs).
    pub fn frames(&self, id: u32) -> &[Frame] {
        let i = id as usize;
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.frames[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Number of stacks.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there are no stacks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A stack as copied out of one generation, with chunk-local string IDs.
pub(crate) type LocalStack = Vec<Frame>;

/// Per-chunk interning state, mapped to global tables at merge time.
#[derive(Default)]
pub(crate) struct LocalTables {
    pub strings: StringTable,
    pub stacks: Vec<LocalStack>,
    stack_ids: HashMap<u64, u32>,
}

impl LocalTables {
    /// Local ID of a stack of this generation (`NONE` for an empty stack).
    pub fn stack(&mut self, s: trace_format::Stack<'_>) -> u32 {
        let frames = s.frames();
        if frames.is_empty() {
            return NONE;
        }
        if let Some(&id) = self.stack_ids.get(&s.id()) {
            return id;
        }
        let local: LocalStack = frames
            .iter()
            .map(|f| Frame {
                pc: f.pc,
                func: self.strings.intern_bytes(f.func),
                file: self.strings.intern_bytes(f.file),
                line: f.line.min(u32::MAX as u64) as u32,
            })
            .collect();
        let id = self.stacks.len() as u32;
        self.stacks.push(local);
        self.stack_ids.insert(s.id(), id);
        id
    }
}

/// Maps of one chunk's local IDs to global IDs.
#[derive(Debug, Clone, Default)]
pub struct IdMaps {
    /// Local string ID → global string ID.
    pub strings: Vec<u32>,
    /// Local stack ID → global stack ID.
    pub stacks: Vec<u32>,
}

impl IdMaps {
    /// Builds the maps, interning the chunk's strings and stacks globally.
    pub(crate) fn merge(
        local: &LocalTables,
        strings: &mut StringTable,
        stacks: &mut StackTable,
    ) -> IdMaps {
        let smap: Vec<u32> = (0..local.strings.len() as u32)
            .map(|i| strings.intern(local.strings.get(i)))
            .collect();
        let kmap = local
            .stacks
            .iter()
            .map(|st| {
                let frames = st
                    .iter()
                    .map(|f| Frame {
                        func: smap.get(f.func as usize).copied().unwrap_or(0),
                        file: smap.get(f.file as usize).copied().unwrap_or(0),
                        ..*f
                    })
                    .collect();
                stacks.intern(frames)
            })
            .collect();
        IdMaps {
            strings: smap,
            stacks: kmap,
        }
    }

    /// Global string ID of a local one.
    pub fn string(&self, local: u32) -> u32 {
        if local == NONE {
            NONE
        } else {
            self.strings.get(local as usize).copied().unwrap_or(0)
        }
    }

    /// Global stack ID of a local one.
    pub fn stack(&self, local: u32) -> u32 {
        if local == NONE {
            NONE
        } else {
            self.stacks.get(local as usize).copied().unwrap_or(NONE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable() {
        let mut t = StringTable::default();
        assert_eq!(t.intern(""), 0);
        let a = t.intern("main.main");
        assert_eq!(t.intern("main.main"), a);
        assert_eq!(t.get(a), "main.main");
        assert_eq!(t.get(12345), "");
        let mut s = StackTable::default();
        let f = |pc| Frame {
            pc,
            func: a,
            file: 0,
            line: 1,
        };
        let x = s.intern(vec![f(1), f(2)]);
        let y = s.intern(vec![f(3)]);
        assert_eq!(s.intern(vec![f(1), f(2)]), x);
        assert_ne!(x, y);
        assert_eq!(s.frames(x).len(), 2);
        assert_eq!(s.frames(y)[0].pc, 3);
        assert!(s.frames(NONE).is_empty());
    }
}
