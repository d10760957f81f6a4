//! [`Packed`]: ordered events kept in 32 bytes each instead of 72.
//!
//! A generation ordered ahead of its turn keeps all its events (~6 times
//! its size on the wire, packed; ~14 times as ordered) until the generation
//! before it is handed out, and the caller's thread reads them back long
//! after: memory traffic that cost ~0.15 s of the 200 MB trace's read before
//! fewer generations were ordered ahead (see `docs/performance.md`). Nearly
//! every value of an event fits in 32 bits: goroutine and thread IDs, stack
//! and string IDs, sequence numbers, statuses, argument counts, and its time
//! counted from the first event of its run; proc IDs fit in 16. An event
//! with a value that does not (a heap size over 4 GiB, a corrupt or hostile
//! ID, a gap of over 4 s) is kept whole on the side.

use super::{BaseEvent, QueuedEvent, SchedCtx};

const HAS_TABLE: u8 = 1;
const IDS_OK: u8 = 2;
/// The event is `wide[dt]`.
const WIDE: u8 = 4;

/// One event: everything [`QueuedEvent`] holds but the offset in its
/// generation (only errors found before an event is queued use it), with
/// its time as an offset from its run's first event (runs span
/// milliseconds; an offset over 32 bits makes the event wide).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Rec {
    args: [u32; 4],
    dt: u32,
    g: i32,
    m: i32,
    p: i16,
    typ: u8,
    flags: u8,
}

const _: () = assert!(std::mem::size_of::<Rec>() == 32);

/// A run of ordered events, packed.
#[derive(Debug, Default)]
pub(crate) struct Packed {
    recs: Vec<Rec>,
    wide: Vec<QueuedEvent>,
    /// The time `Rec::dt` counts from: the first event's.
    base: i64,
}

impl Packed {
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// Empties it, keeping its memory.
    pub fn clear(&mut self) {
        self.recs.clear();
        self.wide.clear();
    }

    /// Makes room for `n` events in all (an empty buffer reused for runs
    /// of one size then never grows).
    pub fn reserve_total(&mut self, n: usize) {
        self.recs.reserve_exact(n.saturating_sub(self.recs.len()));
    }

    /// Appends `events`.
    pub fn extend_from(&mut self, events: &[QueuedEvent]) {
        if self.recs.is_empty()
            && let Some(q) = events.first()
        {
            self.base = q.base.time;
        }
        let (wide, base) = (&mut self.wide, self.base);
        self.recs.extend(events.iter().map(|q| pack(q, base, wide)));
    }

    /// The `i`th event (`None` past the end).
    #[inline]
    pub fn get(&self, i: usize) -> Option<QueuedEvent> {
        self.recs.get(i).and_then(|r| self.unpack(r))
    }

    /// The events in order.
    pub fn iter(&self) -> impl Iterator<Item = QueuedEvent> + '_ {
        self.recs.iter().filter_map(|r| self.unpack(r))
    }

    #[inline]
    fn unpack(&self, r: &Rec) -> Option<QueuedEvent> {
        if r.flags & WIDE != 0 {
            return self.wide.get(r.dt as usize).copied();
        }
        Some(QueuedEvent {
            base: BaseEvent {
                typ: r.typ,
                has_table: r.flags & HAS_TABLE != 0,
                ids_ok: r.flags & IDS_OK != 0,
                gen_off: u32::MAX,
                time: self.base.wrapping_add(i64::from(r.dt)),
                args: r.args.map(u64::from),
            },
            ctx: SchedCtx {
                g: r.g.into(),
                p: r.p.into(),
                m: r.m.into(),
            },
        })
    }

    /// Replaces the `i`th event (nothing past the end).
    pub fn set(&mut self, i: usize, q: &QueuedEvent) {
        if let Some(r) = self.recs.get_mut(i) {
            *r = pack(q, self.base, &mut self.wide);
        }
    }
}

/// `q` as a record with its time counted from `base`, kept whole in `wide`
/// if a value needs more bits than the record has. Always inlined: called
/// once per event, a call costs more than the packing (the compiler's
/// choice flipped with unrelated changes: 2.4 times the packing time).
#[inline(always)]
fn pack(q: &QueuedEvent, base: i64, wide: &mut Vec<QueuedEvent>) -> Rec {
    let (b, c) = (&q.base, &q.ctx);
    let dt = b.time.checked_sub(base).and_then(|d| u32::try_from(d).ok());
    let narrow = i32::try_from(c.g).is_ok()
        & i16::try_from(c.p).is_ok()
        & i32::try_from(c.m).is_ok()
        & dt.is_some()
        & ((b.args[0] | b.args[1] | b.args[2] | b.args[3]) >> 32 == 0);
    let flags = u8::from(b.has_table) * HAS_TABLE + u8::from(b.ids_ok) * IDS_OK;
    if !narrow {
        wide.push(*q);
        return Rec {
            args: [0; 4],
            dt: (wide.len() - 1) as u32,
            g: 0,
            p: 0,
            m: 0,
            typ: b.typ,
            flags: flags | WIDE,
        };
    }
    Rec {
        args: b.args.map(|a| a as u32),
        dt: dt.unwrap_or(0),
        g: c.g as i32,
        p: c.p as i16,
        m: c.m as i32,
        typ: b.typ,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: i64, g: i64, args: [u64; 4]) -> QueuedEvent {
        QueuedEvent {
            base: BaseEvent {
                typ: 7,
                has_table: true,
                ids_ok: false,
                gen_off: u32::MAX,
                time,
                args,
            },
            ctx: SchedCtx { g, p: -1, m: 12345 },
        }
    }

    fn same(a: &QueuedEvent, b: &QueuedEvent) -> bool {
        (
            a.base.typ,
            a.base.has_table,
            a.base.ids_ok,
            a.base.time,
            a.base.args,
            a.ctx,
        ) == (
            b.base.typ,
            b.base.has_table,
            b.base.ids_ok,
            b.base.time,
            b.base.args,
            b.ctx,
        )
    }

    #[test]
    fn events_come_back_as_they_went_in() {
        let events = [
            event(-5, -1, [0, 1, u32::MAX as u64, 3]),
            event(i64::MAX, i32::MAX as i64 + 1, [1, 2, 3, 4]),
            event(7, 3, [1 << 32, 0, 0, 0]),
            event(8, i32::MIN as i64, [0, 0, 0, u64::MAX]),
        ];
        let mut p = Packed::default();
        p.extend_from(&events);
        assert_eq!((p.len(), p.wide.len()), (4, 3));
        for (i, e) in events.iter().enumerate() {
            assert!(same(&p.get(i).unwrap(), e), "{i}");
        }
        assert!(p.get(4).is_none());
        // A narrow event replaced by a wide one, and back.
        p.set(0, &events[1]);
        assert!(same(&p.get(0).unwrap(), &events[1]));
        p.set(0, &events[0]);
        assert!(same(&p.get(0).unwrap(), &events[0]));
        p.clear();
        assert_eq!((p.len(), p.wide.len()), (0, 0));
    }

    /// Times are kept as offsets from the first event's: an event before
    /// it or more than `u32::MAX` ns after it is kept whole, as is a proc
    /// ID beyond 16 bits.
    #[test]
    fn times_and_procs_out_of_range_are_kept_whole() {
        let base = 1_000_000_000_000;
        let mut far_proc = event(base + 2, 1, [0; 4]);
        far_proc.ctx.p = i64::from(i16::MAX) + 1;
        let events = [
            event(base, 1, [0; 4]),
            event(base + i64::from(u32::MAX), 1, [0; 4]),
            event(base + i64::from(u32::MAX) + 1, 1, [0; 4]),
            event(base - 1, 1, [0; 4]),
            event(i64::MIN, 1, [0; 4]),
            far_proc,
        ];
        let mut p = Packed::default();
        p.extend_from(&events[..3]);
        p.extend_from(&events[3..]);
        assert_eq!((p.len(), p.wide.len()), (6, 4));
        for (i, e) in events.iter().enumerate() {
            assert!(same(&p.get(i).unwrap(), e), "{i}");
        }
        // Replacing keeps the first event's base.
        p.set(1, &events[0]);
        assert!(same(&p.get(1).unwrap(), &events[0]));
    }
}
