//! Go's `internal/trace/raw`: the wire records of a trace in file order,
//! without validation or interpretation, and the `go tool trace -d=wire` and
//! `-d=footprint` dumps built on it.
//!
//! [`RawReader`] accepts exactly what Go's `raw.Reader` accepts (any event
//! type byte below the version's spec count, arguments as unbounded
//! uvarints) and fails with Go's messages, plus the byte offset of the record.
//!
//! Go's reader reports `io.EOF` not only at the end of the file but also when
//! the file ends exactly at an argument boundary or inside a data trailer,
//! and `go tool trace` treats every `io.EOF` as a clean end. Such an error is
//! reported here as an [`Error`] whose message is `EOF` (see [`is_go_eof`]);
//! the dump functions treat it as Go does.

use std::fmt;
use std::io::{self, Write};

use crate::error::{Error, ErrorKind, Result};
use crate::goquote::{decode_rune, quote_bytes_into};
use crate::spec::{EventSpec, FRAME_FIELDS, version_specs};
use crate::varint::uvarint_len;
use crate::version::Version;

/// Go's `binary.ReadUvarint` overflow message.
const OVERFLOW: &str = "binary: varint overflows a 64-bit integer";
/// Go's `io.EOF` text.
const EOF: &str = "EOF";
/// Go's `io.ErrUnexpectedEOF` text.
const UNEXPECTED_EOF: &str = "unexpected EOF";

/// One wire record, as Go's `raw.Event`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawEvent<'a> {
    /// The event type byte.
    pub typ: u8,
    /// The arguments in spec order; for `Stack`, `id`, `nframes`, then four
    /// values (pc, func, file, line) per frame.
    pub args: Vec<u64>,
    /// The data trailer, borrowed from the input. `None` when the spec has no
    /// data or, as in Go, when the trailer is empty.
    pub data: Option<&'a [u8]>,
}

impl RawEvent<'_> {
    /// Writes Go's `raw.Event.String()` for this event in a trace of version `v`.
    pub fn fmt_go(&self, v: Version, out: &mut impl fmt::Write) -> fmt::Result {
        let mut buf = Vec::new();
        write_event_text(version_specs(v), self.typ, &self.args, self.data, &mut buf);
        out.write_str(&String::from_utf8_lossy(&buf))
    }

    /// A `Display` wrapper printing Go's `raw.Event.String()`.
    pub fn display(&self, v: Version) -> GoDisplay<'_> {
        GoDisplay {
            specs: version_specs(v),
            typ: self.typ,
            args: &self.args,
            data: self.data,
        }
    }

    /// Go's `raw.Event.EncodedSize()`: the size of the canonical (minimal
    /// varint) encoding of the event.
    pub fn encoded_size(&self, v: Version) -> usize {
        encoded_size(version_specs(v), self.typ, &self.args, self.data)
    }
}

/// Displays an event as Go's `raw.Event.String()`; see [`RawEvent::display`].
#[derive(Debug, Clone, Copy)]
pub struct GoDisplay<'e> {
    specs: &'static [EventSpec],
    typ: u8,
    args: &'e [u64],
    data: Option<&'e [u8]>,
}

impl<'e> GoDisplay<'e> {
    /// A wrapper for an event given by parts (e.g. an owned event).
    pub fn new(v: Version, typ: u8, args: &'e [u64], data: Option<&'e [u8]>) -> GoDisplay<'e> {
        GoDisplay {
            specs: version_specs(v),
            typ,
            args,
            data,
        }
    }
}

impl fmt::Display for GoDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::new();
        write_event_text(self.specs, self.typ, self.args, self.data, &mut buf);
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

const EMPTY_SPEC: EventSpec = EventSpec {
    name: "",
    args: &[],
    string_ids: &[],
    stack_ids: &[],
    start_ev: 0,
    is_timed: false,
    has_data: false,
    is_stack: false,
    experiment: 0,
};

fn spec_of(specs: &'static [EventSpec], typ: u8) -> &'static EventSpec {
    specs.get(typ as usize).unwrap_or(&EMPTY_SPEC)
}

/// Go's `EncodedSize` on event parts.
pub(crate) fn encoded_size(
    specs: &'static [EventSpec],
    typ: u8,
    args: &[u64],
    data: Option<&[u8]>,
) -> usize {
    let mut size = 1 + args.iter().map(|&a| uvarint_len(a)).sum::<usize>();
    if spec_of(specs, typ).has_data {
        let n = data.map_or(0, <[u8]>::len);
        size += uvarint_len(n as u64) + n;
    }
    size
}

/// Two decimal digits for each value below 100.
const DIGITS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// The number of decimal digits of `x`.
#[inline(always)]
fn decimal_len(x: u64) -> usize {
    x.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// Writes `x` in decimal into `dst`, which is `decimal_len(x)` bytes long.
#[inline(always)]
fn write_decimal(dst: &mut [u8], mut x: u64) {
    let mut i = dst.len();
    while x >= 100 {
        let d = (x % 100) as usize * 2;
        x /= 100;
        i -= 2;
        dst[i] = DIGITS[d];
        dst[i + 1] = DIGITS[d + 1];
    }
    if x >= 10 {
        let d = x as usize * 2;
        dst[i - 2] = DIGITS[d];
        dst[i - 1] = DIGITS[d + 1];
    } else {
        dst[i - 1] = b'0' + x as u8;
    }
}

/// Appends the decimal form of `x`.
#[inline]
fn push_u64(out: &mut Vec<u8>, x: u64) {
    let mut buf = [0u8; 20];
    let n = decimal_len(x);
    write_decimal(&mut buf[..n], x);
    out.extend_from_slice(&buf[..n]);
}

/// Appends Go's `raw.Event.String()` (without a newline).
pub(crate) fn write_event_text(
    specs: &'static [EventSpec],
    typ: u8,
    args: &[u64],
    data: Option<&[u8]>,
    out: &mut Vec<u8>,
) {
    let spec = spec_of(specs, typ);
    out.extend_from_slice(spec.name.as_bytes());
    for (i, name) in spec.args.iter().enumerate() {
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        push_u64(out, args.get(i).copied().unwrap_or(0));
    }
    if spec.is_stack {
        let frames = args.get(spec.args.len()..).unwrap_or(&[]);
        for frame in frames.chunks(4) {
            out.push(b'\n');
            out.push(b'\t');
            for (j, &v) in frame.iter().enumerate() {
                if j > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(FRAME_FIELDS[j].as_bytes());
                out.push(b'=');
                push_u64(out, v);
            }
        }
    }
    if let Some(d) = data {
        out.extend_from_slice(b"\n\tdata=");
        quote_bytes_into(d, out);
    }
}

/// Whether `err` is the `io.EOF` that Go's raw reader returns when the file
/// ends at an argument boundary or inside a data trailer. `go tool trace`
/// treats it as the end of the trace.
pub fn is_go_eof(err: &Error) -> bool {
    matches!(&err.kind, ErrorKind::Invalid(s) if s == EOF)
}

/// Parses the file header exactly as Go's `version.ReadHeader`, which uses
/// `fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v)`.
///
/// Returns the minor version and the header length. Go's scanner is lenient:
/// it accepts any run of Unicode spaces (other than newline) where the format
/// has a space, spaces before the number, and leading zeros, so the header
/// is not always 16 bytes. The versions Go recognises but reads with its old
/// parser (1.11, 1.19, 1.21) are accepted; all others fail with Go's message.
pub fn scan_header(data: &[u8]) -> Result<(u32, usize)> {
    let bad = || Error::new(ErrorKind::BadHeader, 0);
    let mut pos = 0usize;
    // Reads one rune as bufio.Reader.ReadRune does; None at end of input.
    let rune_at = |pos: usize| -> Option<(u32, usize)> {
        let rest = data.get(pos..).filter(|r| !r.is_empty())?;
        Some(decode_rune(rest))
    };
    let is_space = |r: u32| r != '\n' as u32 && char::from_u32(r).is_some_and(char::is_whitespace);
    let literal = |pos: &mut usize, lit: &[u8]| -> Result<()> {
        for &c in lit {
            match rune_at(*pos) {
                Some((r, w)) if r == c as u32 => *pos += w,
                _ => return Err(bad()),
            }
        }
        Ok(())
    };
    // A single space in the format: at least one space (or end of input),
    // then any further spaces; a newline is an error.
    let format_space = |pos: &mut usize| -> Result<()> {
        match rune_at(*pos) {
            None => return Ok(()),
            Some((r, w)) if is_space(r) => *pos += w,
            Some(_) => return Err(bad()),
        }
        while let Some((r, w)) = rune_at(*pos) {
            if !is_space(r) {
                break;
            }
            *pos += w;
        }
        Ok(())
    };
    // SkipSpace: spaces other than newline; a newline is an error.
    let skip_space = |pos: &mut usize| -> Result<()> {
        while let Some((r, w)) = rune_at(*pos) {
            if r == '\n' as u32 {
                return Err(bad());
            }
            if !is_space(r) {
                break;
            }
            *pos += w;
        }
        Ok(())
    };
    literal(&mut pos, b"go")?;
    format_space(&mut pos)?;
    literal(&mut pos, b"1.")?;
    skip_space(&mut pos)?; // doScanf, before the verb
    skip_space(&mut pos)?; // scanUint
    let digits = data
        .get(pos..)
        .unwrap_or(&[])
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return Err(bad());
    }
    let mut n: u64 = 0;
    for &d in &data[pos..pos + digits] {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add((d - b'0') as u64))
            .ok_or_else(bad)?;
    }
    let n = u32::try_from(n).map_err(|_| bad())?;
    pos += digits;
    format_space(&mut pos)?;
    literal(&mut pos, b"trace\0\0\0")?;
    match n {
        11 | 19 | 21 => Ok((n, pos)),
        _ if Version::from_minor(n).is_some() => Ok((n, pos)),
        _ => Err(Error::new(ErrorKind::UnsupportedVersion(n), 0)),
    }
}

/// Go's `binary.ReadUvarint` on `data` at `*pos`: `EOF` if no byte is
/// left, `unexpected EOF` if the input ends inside the varint.
#[inline]
fn read_uvarint(data: &[u8], pos: &mut usize) -> Result<u64, &'static str> {
    if let Some(&b) = data.get(*pos)
        && b < 0x80
    {
        *pos += 1;
        return Ok(b as u64);
    }
    let mut x: u64 = 0;
    let mut s: u32 = 0;
    for i in 0..10 {
        let Some(&b) = data.get(*pos) else {
            return Err(if i > 0 { UNEXPECTED_EOF } else { EOF });
        };
        *pos += 1;
        if b < 0x80 {
            if i == 9 && b > 1 {
                return Err(OVERFLOW);
            }
            return Ok(x | (b as u64) << s);
        }
        x |= ((b & 0x7f) as u64) << s;
        s += 7;
    }
    Err(OVERFLOW)
}

/// Reads wire records in file order, as Go's `raw.Reader`.
///
/// After an error the reader is exhausted.
#[derive(Debug, Clone)]
pub struct RawReader<'a> {
    data: &'a [u8],
    pos: usize,
    minor: u32,
    version: Option<Version>,
    specs: &'static [EventSpec],
    done: bool,
}

impl<'a> RawReader<'a> {
    /// A reader over a whole trace file; parses the header as Go does
    /// (see [`scan_header`]).
    pub fn new(data: &'a [u8]) -> Result<RawReader<'a>> {
        let (minor, pos) = scan_header(data)?;
        let version = Version::from_minor(minor);
        Ok(RawReader {
            data,
            pos,
            minor,
            version,
            specs: version.map_or(&[], version_specs),
            done: false,
        })
    }

    /// The trace version; `None` for the pre-1.22 versions Go's raw reader
    /// accepts in the header but for which every event type is invalid.
    pub fn version(&self) -> Option<Version> {
        self.version
    }

    /// The minor version number from the header.
    pub fn minor(&self) -> u32 {
        self.minor
    }

    /// The event specs of this trace's version (Go's `Version.Specs()`);
    /// empty for pre-1.22 versions.
    pub fn specs(&self) -> &'static [EventSpec] {
        self.specs
    }

    /// Byte offset of the next record.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Reads the next event, or `None` at the end of the file.
    pub fn read_event(&mut self) -> Result<Option<RawEvent<'a>>> {
        let mut ev = RawEvent::default();
        Ok(self.read_event_into(&mut ev)?.then_some(ev))
    }

    /// Reads the next event into `ev`, reusing its argument buffer. Returns
    /// `false` at the end of the file.
    pub fn read_event_into(&mut self, ev: &mut RawEvent<'a>) -> Result<bool> {
        if self.done {
            return Ok(false);
        }
        let start = self.pos;
        match self.read_inner(ev) {
            Ok(more) => {
                self.done = !more;
                Ok(more)
            }
            Err(msg) => {
                self.done = true;
                Err(Error::invalid(msg, start as u64))
            }
        }
    }

    fn read_inner(&mut self, ev: &mut RawEvent<'a>) -> Result<bool, String> {
        let Some(&typ) = self.data.get(self.pos) else {
            return Ok(false);
        };
        self.pos += 1;
        if typ as usize >= self.specs.len() || typ == 0 {
            return Err(format!("invalid event type: {typ}"));
        }
        let spec = &self.specs[typ as usize];
        ev.typ = typ;
        ev.args.clear();
        ev.data = None;
        for _ in 0..spec.args.len() {
            let v = self.uvarint()?;
            ev.args.push(v);
        }
        if spec.is_stack {
            // Go: `len := int(args[1])`; a value above i64::MAX is negative
            // and reads no frames.
            let n = ev.args.get(1).copied().unwrap_or(0);
            if n <= i64::MAX as u64 {
                for _ in 0..n {
                    for _ in 0..4 {
                        let v = self.uvarint()?;
                        ev.args.push(v);
                    }
                }
            }
        }
        if spec.has_data {
            let n = self.uvarint()?;
            // Go reads `int(len)` bytes one at a time; zero (or a negative
            // int) leaves the data nil, and the end of file is `io.EOF`.
            if n > 0 && n <= i64::MAX as u64 {
                let avail = (self.data.len() - self.pos) as u64;
                if n > avail {
                    self.pos = self.data.len();
                    return Err(EOF.to_string());
                }
                let end = self.pos + n as usize;
                ev.data = Some(&self.data[self.pos..end]);
                self.pos = end;
            }
        }
        Ok(true)
    }

    #[inline]
    fn uvarint(&mut self) -> Result<u64, String> {
        read_uvarint(self.data, &mut self.pos).map_err(str::to_string)
    }
}

impl<'a> Iterator for RawReader<'a> {
    type Item = Result<RawEvent<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_event().transpose()
    }
}

/// Why a dump stopped early.
#[derive(Debug)]
pub enum WireDumpError {
    /// The trace is malformed; `Display` prints Go's message, as
    /// `go tool trace` prints it on stderr before exiting with status 1.
    Trace(Error),
    /// Writing the output failed.
    Io(io::Error),
}

impl WireDumpError {
    /// The message `go tool trace` would print (for `Io`, the I/O error).
    pub fn go_message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for WireDumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireDumpError::Trace(e) => f.write_str(&e.go_message()),
            WireDumpError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WireDumpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WireDumpError::Trace(e) => Some(e),
            WireDumpError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for WireDumpError {
    fn from(e: io::Error) -> Self {
        WireDumpError::Io(e)
    }
}

impl From<Error> for WireDumpError {
    fn from(e: Error) -> Self {
        WireDumpError::Trace(e)
    }
}

const FLUSH_AT: usize = 1 << 16;

/// A fixed-width (zero-padded) copy of a short ASCII string, so that the
/// dump loop copies constant-size chunks.
#[derive(Clone, Copy)]
struct Chunk {
    bytes: [u8; 32],
    len: usize,
}

impl Chunk {
    fn new(parts: &[&str]) -> Option<Chunk> {
        let mut bytes = [0u8; 32];
        let mut len = 0;
        for p in parts {
            bytes
                .get_mut(len..len + p.len())?
                .copy_from_slice(p.as_bytes());
            len += p.len();
        }
        Some(Chunk { bytes, len })
    }
}

/// What the dump loop needs of one event type.
#[derive(Clone, Copy)]
struct DumpSpec {
    name: Chunk,
    /// `" name="` for each argument.
    args: [Chunk; 5],
    nargs: usize,
    is_stack: bool,
    has_data: bool,
}

/// The output of [`write_wire_dump`]: a zero-filled buffer written at
/// `pos`, so that short strings are copied as fixed 32-byte chunks. It only
/// grows (never flushes) inside an event, so a bad event can be dropped.
struct DumpBuf {
    buf: Vec<u8>,
    pos: usize,
}

impl DumpBuf {
    /// Room for one event line without stack frames or data.
    const EVENT_ROOM: usize = 32 + 5 * (32 + 20) + 1;

    #[inline]
    fn ensure(&mut self, n: usize) {
        if self.pos + n > self.buf.len() {
            let len = (self.buf.len() * 2).max(self.pos + n + 4096);
            self.buf.resize(len, 0);
        }
    }

    /// Writes `c`; the caller has ensured 32 bytes of room.
    #[inline(always)]
    fn chunk(&mut self, c: &Chunk) {
        self.buf[self.pos..self.pos + 32].copy_from_slice(&c.bytes);
        self.pos += c.len;
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.buf[self.pos] = b;
        self.pos += 1;
    }

    /// Writes `x` in decimal; the caller has ensured 20 bytes of room.
    #[inline(always)]
    fn u64(&mut self, x: u64) {
        if x < 10 {
            self.byte(b'0' + x as u8);
            return;
        }
        let n = decimal_len(x);
        write_decimal(&mut self.buf[self.pos..self.pos + n], x);
        self.pos += n;
    }

    fn bytes(&mut self, b: &[u8]) {
        self.ensure(b.len());
        self.buf[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }

    fn flush(&mut self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.buf[..self.pos])?;
        self.pos = 0;
        Ok(())
    }
}

/// The dump table for `specs`, or `None` if some name does not fit (never
/// for Go's specs).
fn dump_specs(specs: &[EventSpec]) -> Option<Vec<DumpSpec>> {
    let empty = Chunk::new(&[])?;
    specs
        .iter()
        .map(|sp| {
            let mut args = [empty; 5];
            if sp.args.len() > args.len() {
                return None;
            }
            for (c, name) in args.iter_mut().zip(sp.args) {
                *c = Chunk::new(&[" ", name, "="])?;
            }
            Some(DumpSpec {
                name: Chunk::new(&[sp.name])?,
                args,
                nargs: sp.args.len(),
                is_stack: sp.is_stack,
                has_data: sp.has_data,
            })
        })
        .collect()
}

/// Writes what `go tool trace -d=wire FILE` writes to stdout: each record's
/// `String()` and a newline. On malformed input, everything before the bad
/// record is written and the error Go prints on stderr is returned.
///
/// This is a fused read-and-format loop with the semantics of
/// [`RawReader`] (tests check the two agree), several times faster than
/// formatting [`RawEvent`]s.
pub fn write_wire_dump(data: &[u8], out: &mut impl Write) -> Result<(), WireDumpError> {
    let r = RawReader::new(data)?;
    let Some(table) = dump_specs(r.specs) else {
        return write_wire_dump_simple(data, out);
    };
    let frame = ["\n\tpc=", " func=", " file=", " line="].map(|f| Chunk::new(&[f]));
    let [Some(pc), Some(func), Some(file), Some(line)] = frame else {
        return write_wire_dump_simple(data, out);
    };
    let frame = [pc, func, file, line];
    let mut b = DumpBuf {
        buf: vec![0; FLUSH_AT + 8192],
        pos: 0,
    };
    let mut quoted = Vec::new();
    let mut ip = r.pos;
    let result = loop {
        if b.pos >= FLUSH_AT {
            b.flush(out)?;
        }
        let start = ip;
        let Some(&typ) = data.get(ip) else {
            break Ok(());
        };
        ip += 1;
        let Some(sp) = table.get(typ as usize).filter(|_| typ != 0) else {
            break Err(Error::invalid(
                format!("invalid event type: {typ}"),
                start as u64,
            ));
        };
        let line_start = b.pos;
        let res = (|| -> Result<(), &'static str> {
            b.ensure(DumpBuf::EVENT_ROOM);
            b.chunk(&sp.name);
            let mut nframes = 0;
            for (k, prefix) in sp.args[..sp.nargs].iter().enumerate() {
                let v = read_uvarint(data, &mut ip)?;
                if k == 1 {
                    nframes = v;
                }
                b.chunk(prefix);
                b.u64(v);
            }
            if sp.is_stack && nframes <= i64::MAX as u64 {
                for _ in 0..nframes {
                    b.ensure(4 * (32 + 20));
                    for prefix in &frame {
                        let v = read_uvarint(data, &mut ip)?;
                        b.chunk(prefix);
                        b.u64(v);
                    }
                }
            }
            if sp.has_data {
                let n = read_uvarint(data, &mut ip)?;
                if n > 0 && n <= i64::MAX as u64 {
                    if n > (data.len() - ip) as u64 {
                        return Err(EOF);
                    }
                    let d = &data[ip..ip + n as usize];
                    ip += n as usize;
                    quoted.clear();
                    quoted.extend_from_slice(b"\n\tdata=");
                    quote_bytes_into(d, &mut quoted);
                    b.bytes(&quoted);
                }
            }
            b.ensure(1);
            b.byte(b'\n');
            Ok(())
        })();
        if let Err(msg) = res {
            // Go prints nothing of a record it could not read.
            b.pos = line_start;
            if msg == EOF {
                break Ok(());
            }
            break Err(Error::invalid(msg, start as u64));
        }
    };
    b.flush(out)?;
    result.map_err(WireDumpError::Trace)
}

/// [`write_wire_dump`] by formatting each [`RawEvent`] of a [`RawReader`].
fn write_wire_dump_simple(data: &[u8], out: &mut impl Write) -> Result<(), WireDumpError> {
    let mut r = RawReader::new(data)?;
    let specs = r.specs;
    let mut buf = Vec::with_capacity(FLUSH_AT + 4096);
    let mut ev = RawEvent {
        args: Vec::with_capacity(64),
        ..RawEvent::default()
    };
    let result = loop {
        match r.read_event_into(&mut ev) {
            Ok(true) => {
                write_event_text(specs, ev.typ, &ev.args, ev.data, &mut buf);
                buf.push(b'\n');
                if buf.len() >= FLUSH_AT {
                    out.write_all(&buf)?;
                    buf.clear();
                }
            }
            Ok(false) => break Ok(()),
            Err(e) if is_go_eof(&e) => break Ok(()),
            Err(e) => break Err(WireDumpError::Trace(e)),
        }
    };
    out.write_all(&buf)?;
    result
}

/// Per-type statistics of `-d=footprint`.
#[derive(Debug, Clone, Copy)]
struct FootprintStat {
    typ: u8,
    count: u64,
    bytes: u64,
}

/// Writes what `go tool trace -d=footprint FILE` writes to stdout: bytes
/// and counts per event type, as a `text/tabwriter` table of all 256 type
/// bytes sorted (unstably, with Go's pdqsort) by bytes. Nothing is written
/// on malformed input; the error Go prints is returned.
pub fn write_footprint(data: &[u8], out: &mut impl Write) -> Result<(), WireDumpError> {
    let mut r = RawReader::new(data)?;
    let specs = r.specs;
    let mut stats: Vec<FootprintStat> = (0..=255u8)
        .map(|typ| FootprintStat {
            typ,
            count: 0,
            bytes: 0,
        })
        .collect();
    let mut events_read: u64 = 0;
    let mut ev = RawEvent::default();
    loop {
        match r.read_event_into(&mut ev) {
            Ok(true) => {
                let s = &mut stats[ev.typ as usize];
                s.count += 1;
                s.bytes += encoded_size(specs, ev.typ, &ev.args, ev.data) as u64;
                events_read += 1;
            }
            Ok(false) => break,
            Err(e) if is_go_eof(&e) => break,
            Err(e) => return Err(WireDumpError::Trace(e)),
        }
    }
    crate::gosort::sort_by(&mut stats, |a, b| b.bytes.cmp(&a.bytes));
    // Go counts every byte its bufio.Reader pulled from the file: all of it.
    let total = data.len() as f64;
    let mut rows: Vec<[String; 5]> = Vec::with_capacity(258);
    rows.push(["Event", "Bytes", "%", "Count", "%"].map(String::from));
    rows.push(["-", "-", "-", "-", "-"].map(String::from));
    for s in &stats {
        let name = match specs.get(s.typ as usize) {
            Some(spec) => spec.name.to_string(),
            None => format!("<unknown ({})>", s.typ),
        };
        let bytes_pct = s.bytes as f64 / total * 100.0;
        let count_pct = s.count as f64 / events_read as f64 * 100.0;
        rows.push([
            name,
            s.bytes.to_string(),
            format!("{}%", go_fixed2(bytes_pct)),
            s.count.to_string(),
            format!("{}%", go_fixed2(count_pct)),
        ]);
    }
    out.write_all(&tabwrite(&rows, 3, 2))?;
    Ok(())
}

/// Go's `%.2f`. Rust's `{:.2}` also rounds the exact binary value half to
/// even; only the spelling of non-finite values differs.
fn go_fixed2(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{x:.2}")
    }
}

/// Go's `text/tabwriter` (flags 0, pad char ' ') for a table whose rows all
/// have the same number of cells: every cell but the last is padded to its
/// column's width, `max(minwidth, widest cell + padding)`.
fn tabwrite<const N: usize>(rows: &[[String; N]], minwidth: usize, padding: usize) -> Vec<u8> {
    let mut widths = [minwidth; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()).take(N.saturating_sub(1)) {
            *w = (*w).max(cell.chars().count() + padding);
        }
    }
    let mut out = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.extend_from_slice(cell.as_bytes());
            if i + 1 < N {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.resize(out.len() + pad, b' ');
            }
        }
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(v: Version, body: &[u8]) -> Vec<u8> {
        let mut t = v.header().to_vec();
        t.extend_from_slice(body);
        t
    }

    fn dump(data: &[u8]) -> (String, Option<String>) {
        let mut out = Vec::new();
        let err = write_wire_dump(data, &mut out)
            .err()
            .map(|e| e.go_message());
        (String::from_utf8_lossy(&out).into_owned(), err)
    }

    #[test]
    fn decimal() {
        for x in [0u64, 7, 10, 99, 100, 12345, 1 << 32, u64::MAX] {
            let mut v = Vec::new();
            push_u64(&mut v, x);
            assert_eq!(String::from_utf8_lossy(&v), x.to_string());
        }
    }

    #[test]
    fn header_scanning_matches_fscanf() {
        let ok = |h: &[u8]| scan_header(h).ok();
        assert_eq!(ok(b"go 1.26 trace\0\0\0"), Some((26, 16)));
        assert_eq!(ok(b"go 1.026 trace\0\0\0"), Some((26, 17)));
        assert_eq!(ok(b"go  1.26\t trace\0\0\0"), Some((26, 18)));
        assert_eq!(ok(b"go 1. 26 trace\0\0\0"), Some((26, 17)));
        assert_eq!(ok(b"go 1.21 trace\0\0\0"), Some((21, 16)));
        assert_eq!(ok(b"go 1.+26 trace\0\0\0"), None);
        assert_eq!(ok(b"go 1.26\ntrace\0\0\0"), None);
        assert_eq!(ok(b"go1.26 trace\0\0\0"), None);
        assert_eq!(ok(b"go 1.4294967322 trace\0\0\0"), None);
        assert_eq!(ok(b""), None);
        let e = scan_header(b"go 1.24 trace\0\0\0").unwrap_err();
        assert_eq!(
            e.go_message(),
            "unknown or unsupported trace version go 1.24"
        );
    }

    #[test]
    fn strings_and_stacks() {
        let body = [
            &[5u8, 3, 2][..],
            b"a\"",
            &[5, 4, 0],
            &[3, 1, 2, 10, 1, 2, 3, 11, 4, 5, 6],
        ]
        .concat();
        let (out, err) = dump(&trace(Version::Go122, &body));
        assert_eq!(err, None);
        assert_eq!(
            out,
            "String id=3\n\tdata=\"a\\\"\"\nString id=4\nStack id=1 nframes=2\n\t\
             pc=10 func=1 file=2 line=3\n\tpc=11 func=4 file=5 line=6\n"
        );
    }

    #[test]
    fn errors_and_eof() {
        // Unknown type for the version.
        let (out, err) = dump(&trace(Version::Go122, &[8, 5, 45]));
        assert_eq!(out, "Frequency freq=5\n");
        assert_eq!(err.as_deref(), Some("invalid event type: 45"));
        // Truncated mid-varint vs. at a boundary vs. inside data.
        assert_eq!(
            dump(&trace(Version::Go122, &[8, 0x80])).1.as_deref(),
            Some("unexpected EOF")
        );
        assert_eq!(dump(&trace(Version::Go122, &[8])), (String::new(), None));
        assert_eq!(
            dump(&trace(Version::Go122, &[5, 1, 9, b'x'])),
            (String::new(), None)
        );
        let t = trace(Version::Go122, &[8, 1, 5, 1, 9, b'x']);
        let mut r = RawReader::new(&t).unwrap();
        assert!(r.next().unwrap().is_ok());
        let e = r.next().unwrap().unwrap_err();
        assert!(is_go_eof(&e));
        assert_eq!(e.offset, 18);
        assert!(r.next().is_none());
        // Overflow.
        let (_, err) = dump(&trace(
            Version::Go122,
            &[8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2],
        ));
        assert_eq!(err.as_deref(), Some(OVERFLOW));
        // Go 1.26 accepts the unnamed types below 137 as empty events.
        assert_eq!(
            dump(&trace(Version::Go126, &[60, 52])),
            ("\nEndOfGeneration\n".to_string(), None)
        );
        // Old versions: every type byte is invalid.
        let mut old = b"go 1.21 trace\0\0\0".to_vec();
        assert_eq!(dump(&old), (String::new(), None));
        old.push(1);
        assert_eq!(dump(&old).1.as_deref(), Some("invalid event type: 1"));
    }

    #[test]
    fn fast_dump_agrees_with_reader() {
        // EventBatch, Frequency, Strings, three Strings (odd bytes, empty),
        // Stacks, a two-frame Stack, ExperimentalBatch (Go 1.23+), GoStart,
        // EndOfGeneration (Go 1.26+).
        let body: Vec<u8> = [
            &[1u8, 1, 0, 0x80, 0x01, 20, 8, 0xff, 0x01, 4][..],
            &[
                5, 1, 3, b'a', 0xff, b'\n', 5, 2, 4, 0xe2, 0x80, 0xa8, b'"', 5, 3, 0,
            ],
            &[2, 3, 7, 2, 0x90, 0x4e, 1, 2, 3, 4, 5, 6, 7],
            &[49, 1, 1, 0, 7, 2, b'x', b'y', 16, 1, 2, 3, 52],
        ]
        .concat();
        let mut next = crate::testutil::xorshift(0x2545f4914f6cdd1d);
        for v in [Version::Go122, Version::Go123, Version::Go126] {
            let base = trace(v, &body);
            for i in 0..20000 {
                let mut d = base.clone();
                if i > 0 {
                    for _ in 0..1 + next() % 3 {
                        let k = 16 + (next() as usize) % (d.len() - 16);
                        d[k] = match next() % 4 {
                            0 => 0x80,
                            1 => (next() % 60) as u8,
                            _ => next() as u8,
                        };
                    }
                    d.truncate(16 + (next() as usize) % (d.len() - 15));
                }
                let (mut fast, mut simple) = (Vec::new(), Vec::new());
                let a = write_wire_dump(&d, &mut fast).map_err(|e| e.to_string());
                let b = write_wire_dump_simple(&d, &mut simple).map_err(|e| e.to_string());
                assert_eq!(a, b, "{d:?}");
                assert!(fast == simple, "{d:?}");
            }
        }
    }

    #[test]
    fn encoded_size_uses_minimal_varints() {
        let ev = RawEvent {
            typ: 1,
            args: vec![1, 0x80, 0, 300],
            data: None,
        };
        assert_eq!(ev.encoded_size(Version::Go126), 1 + 1 + 2 + 1 + 2);
        let mut s = String::new();
        ev.fmt_go(Version::Go126, &mut s).unwrap();
        assert_eq!(s, "EventBatch gen=1 m=128 time=0 size=300");
        assert_eq!(ev.display(Version::Go126).to_string(), s);
    }
}
