//! Go's raw text trace format (`internal/trace/raw` `TextReader` and
//! `Writer`) and the txtar golden tests of `internal/trace/testdata/tests`
//! (`internal/trace/testtrace`).
//!
//! The text format is a `Trace Go1.NN` header line followed by one line per
//! event (`Name arg=1 arg=2`), stack frames on the following lines and data
//! trailers as a Go-quoted `data="..."` line. Parsing follows Go line by
//! line and fails with Go's messages.

use std::fmt;

use crate::goquote::{quote_str, unquote};
use crate::raw::{GoDisplay, write_event_text};
use crate::spec::{EventSpec, FRAME_FIELDS, version_specs};
use crate::varint::put_uvarint;
use crate::version::Version;

/// An event that owns its data, as produced by the text parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedRawEvent {
    /// The event type byte.
    pub typ: u8,
    /// Arguments in spec order; for `Stack`, followed by four values per frame.
    pub args: Vec<u64>,
    /// The data trailer. Unlike the binary reader, the text reader keeps an
    /// empty `data=""` as `Some(vec![])`, as Go does.
    pub data: Option<Vec<u8>>,
}

impl OwnedRawEvent {
    /// A `Display` wrapper printing Go's `raw.Event.String()`.
    pub fn display(&self, v: Version) -> GoDisplay<'_> {
        GoDisplay::new(v, self.typ, &self.args, self.data.as_deref())
    }

    /// Go's `raw.Event.EncodedSize()`.
    pub fn encoded_size(&self, v: Version) -> usize {
        crate::raw::encoded_size(version_specs(v), self.typ, &self.args, self.data.as_deref())
    }
}

/// Go's `bufio.MaxScanTokenSize`: `bufio.Scanner` fails on longer lines.
const MAX_LINE: usize = 64 * 1024;

/// Lines as Go's `bufio.Scanner` with `ScanLines` yields them.
struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Lines<'a> {
    /// The next line, `Ok(None)` at the end, or the scanner's error.
    fn next_raw(&mut self) -> Result<Option<&'a str>, String> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        if line.len() >= MAX_LINE {
            self.rest = "";
            return Err("bufio.Scanner: token too long".to_string());
        }
        self.rest = rest;
        Ok(Some(line.strip_suffix('\r').unwrap_or(line)))
    }

    /// Go's `TextReader.nextLine`: skips empty and comment lines.
    fn next_line(&mut self) -> Result<Option<&'a str>, String> {
        while let Some(line) = self.next_raw()? {
            if !read_token(line).0.is_empty() {
                return Ok(Some(line));
            }
        }
        Ok(None)
    }
}

/// Go's `raw.readToken`: the first whitespace-delimited token, or nothing if
/// the line is blank or a `#` comment starts before it.
fn read_token(s: &str) -> (&str, &str) {
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c == '#' {
            return ("", "");
        }
        if !c.is_whitespace() {
            start = Some(i);
            break;
        }
    }
    let Some(st) = start else {
        return ("", "");
    };
    for (i, c) in s[st..].char_indices() {
        if c.is_whitespace() || c == '#' {
            return (&s[st..st + i], &s[st + i..]);
        }
    }
    (&s[st..], "")
}

/// Go's `strconv.ParseUint(s, 10, 64)`.
fn parse_uint(s: &str) -> Result<u64, &'static str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    s.parse().map_err(|_| "value out of range")
}

/// Go's `%v` of a `[]uint64`.
fn go_slice(args: &[u64]) -> String {
    let items: Vec<String> = args.iter().map(u64::to_string).collect();
    format!("[{}]", items.join(" "))
}

fn read_arg(s: &str) -> Result<(&str, u64, &str), String> {
    let (tok, rest) = read_token(s);
    if tok.is_empty() {
        return Err("no argument".to_string());
    }
    let Some((arg, val)) = tok.split_once('=') else {
        return Err(format!("malformed argument: {}", quote_str(tok)));
    };
    let value = parse_uint(val).map_err(|_| {
        format!(
            "failed to parse argument value {} for arg {}",
            quote_str(val),
            quote_str(arg)
        )
    })?;
    Ok((arg, value, rest))
}

/// Go's `raw.readArgs`: appends the named arguments to `args`.
fn read_args(mut s: &str, names: &[&str], args: &mut Vec<u64>) -> Result<(), String> {
    for name in names {
        let (arg, value, rest) = read_arg(s)?;
        if arg != *name {
            return Err(format!(
                "expected argument {}, but got {}",
                quote_str(name),
                quote_str(arg)
            ));
        }
        args.push(value);
        s = rest;
    }
    if s.chars().any(|c| !c.is_whitespace()) {
        return Err(format!(
            "encountered unexpected non-space at the end of an event: {}",
            quote_str(s)
        ));
    }
    Ok(())
}

/// Go's `raw.readData`.
fn read_data(line: &str) -> Result<Vec<u8>, String> {
    match line.split_once('=') {
        Some((dk, dv)) if dk.trim() == "data" => unquote(dv.trim())
            .map_err(|e| format!("failed to parse data: {}: {e}", quote_str(line))),
        _ => Err(format!("malformed data: {}", quote_str(line))),
    }
}

fn parse_header(lines: &mut Lines<'_>) -> Result<Version, String> {
    let line = lines.next_line()?.ok_or("EOF")?;
    let (trace, line) = read_token(line);
    if trace != "Trace" {
        return Err("failed to parse header".to_string());
    }
    let (gover, line) = read_token(line);
    let Some(num) = gover.strip_prefix("Go1.") else {
        return Err("failed to parse header Go version".to_string());
    };
    let raw = parse_uint(num).map_err(|e| {
        format!(
            "failed to parse header Go version: strconv.ParseUint: parsing {}: {e}",
            quote_str(num)
        )
    })?;
    // Go converts to its uint32 `version.Version` before validating.
    let minor = raw as u32;
    let v = match minor {
        11 | 19 | 21 => {
            return Err(format!(
                "unsupported Go version 1.{minor}: pre-1.22 text traces are not supported"
            ));
        }
        _ => Version::from_minor(minor)
            .ok_or_else(|| format!("unknown or unsupported Go version 1.{minor}"))?,
    };
    if line.chars().any(|c| !c.is_whitespace()) {
        return Err(format!(
            "encountered unexpected non-space at the end of the header: {}",
            quote_str(line)
        ));
    }
    Ok(v)
}

fn lookup(specs: &'static [EventSpec], name: &str) -> Option<u8> {
    // Go's `tracev2.EventNames`: the last spec with a name wins.
    specs.iter().rposition(|s| s.name == name).map(|i| i as u8)
}

/// Parses a text trace as Go's `raw.TextReader`: the version from the
/// `Trace Go1.NN` header and every event. Errors carry Go's message.
///
/// Unlike Go, a header naming a pre-1.22 version (1.11, 1.19, 1.21) is an
/// error even when no events follow (Go would accept an empty trace).
pub fn parse_text_trace(text: &str) -> Result<(Version, Vec<OwnedRawEvent>), String> {
    let mut lines = Lines { rest: text };
    let v = parse_header(&mut lines)?;
    let specs = version_specs(v);
    let mut events = Vec::new();
    while let Some(line) = lines.next_line()? {
        let (name, line) = read_token(line);
        let typ = lookup(specs, name).ok_or_else(|| format!("unidentified event: {name}"))?;
        let spec = &specs[typ as usize];
        let mut args = Vec::with_capacity(spec.args.len());
        read_args(line, spec.args, &mut args)
            .map_err(|e| format!("reading args for {name}: {e}"))?;
        if spec.is_stack {
            // Go: `len := int(args[1])`; a negative int reads no frames.
            let n = args.get(1).copied().unwrap_or(0);
            if n <= i64::MAX as u64 {
                for _ in 0..n {
                    let Some(line) = lines.next_line()? else {
                        return Err(format!(
                            "unexpected EOF while reading stack: args={}",
                            go_slice(&args)
                        ));
                    };
                    read_args(line, &FRAME_FIELDS, &mut args)?;
                }
            }
        }
        let mut data = None;
        if spec.has_data {
            let Some(line) = lines.next_line()? else {
                return Err(format!(
                    "unexpected EOF while reading data for {name}: args={}",
                    go_slice(&args)
                ));
            };
            data = Some(read_data(line)?);
        }
        events.push(OwnedRawEvent { typ, args, data });
    }
    Ok((v, events))
}

/// Writes a text trace as Go's `raw.TextWriter`: the header line, then each
/// event's `String()` on its own line.
pub fn write_text_trace(v: Version, events: &[OwnedRawEvent]) -> String {
    let specs = version_specs(v);
    let mut out = format!("Trace Go1.{}\n", v.minor()).into_bytes();
    for e in events {
        write_event_text(specs, e.typ, &e.args, e.data.as_deref(), &mut out);
        out.push(b'\n');
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes events in the wire format as Go's `raw.Writer`: the header, then
/// each event with minimal varints. Arguments missing from an event are
/// written as 0 (Go would panic); extra arguments of non-stack events are
/// dropped, as in Go.
pub fn encode_binary(v: Version, events: &[OwnedRawEvent]) -> Vec<u8> {
    let specs = version_specs(v);
    let mut out = v.header().to_vec();
    for e in events {
        out.push(e.typ);
        let Some(spec) = specs.get(e.typ as usize) else {
            continue;
        };
        for i in 0..spec.args.len() {
            put_uvarint(&mut out, e.args.get(i).copied().unwrap_or(0));
        }
        if spec.is_stack {
            for &a in e.args.get(spec.args.len()..).unwrap_or(&[]) {
                put_uvarint(&mut out, a);
            }
        }
        if spec.has_data {
            let d = e.data.as_deref().unwrap_or(&[]);
            put_uvarint(&mut out, d.len() as u64);
            out.extend_from_slice(d);
        }
    }
    out
}

/// One file of a txtar archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxtarFile<'a> {
    /// The file name from its `-- name --` marker line.
    pub name: &'a str,
    /// The contents; a final newline is added when missing, as Go's txtar does.
    pub data: String,
}

/// If `s` starts with a `-- name --` marker line, its name and what follows.
fn txtar_marker(s: &str) -> Option<(&str, &str)> {
    if !s.starts_with("-- ") {
        return None;
    }
    let (line, after) = match s.find('\n') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    if !(line.ends_with(" --") && line.len() >= 6) {
        return None;
    }
    Some((line[3..line.len() - 3].trim(), after))
}

fn fix_nl(s: &str) -> String {
    let mut d = s.to_string();
    if !d.is_empty() && !d.ends_with('\n') {
        d.push('\n');
    }
    d
}

/// Go's `txtar.findFileMarker`: the text before the next marker, the
/// marker's name (empty if none) and the text after it.
fn find_file_marker(data: &str) -> (String, &str, &str) {
    let mut i = 0;
    loop {
        if let Some((name, after)) = txtar_marker(&data[i..])
            && !name.is_empty()
        {
            return (data[..i].to_string(), name, after);
        }
        match data[i..].find("\n-- ") {
            Some(j) => i += j + 1,
            None => return (fix_nl(data), "", ""),
        }
    }
}

/// Parses a txtar archive as Go's `internal/txtar.Parse`: the leading
/// comment and the files.
pub fn parse_txtar(data: &str) -> (String, Vec<TxtarFile<'_>>) {
    let (comment, mut name, mut rest) = find_file_marker(data);
    let mut files = Vec::new();
    while !name.is_empty() {
        let (body, next, after) = find_file_marker(rest);
        files.push(TxtarFile { name, data: body });
        name = next;
        rest = after;
    }
    (comment, files)
}

/// What a golden test expects from reading its trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// The trace reads without error.
    Success,
    /// Reading fails with an error matching this Go regular expression
    /// (the unquoted pattern source).
    Failure(String),
}

impl Expectation {
    /// Go's `testtrace.ParseExpectation`.
    pub fn parse(data: &str) -> Result<Expectation, String> {
        let mut lines = Lines { rest: data };
        let Some(line) = lines.next_raw()? else {
            return Ok(Expectation::Success);
        };
        let (head, rest) = match line.split_once(' ') {
            Some((h, r)) => (h, Some(r)),
            None => (line, None),
        };
        match head {
            "SUCCESS" => Ok(Expectation::Success),
            "FAILURE" => {
                let quoted = rest
                    .ok_or_else(|| format!("bad header line for FAILURE: {}", quote_str(line)))?;
                let pattern = unquote(quoted).map_err(|e| {
                    format!("malformed pattern: not correctly quoted: {quoted}: {e}")
                })?;
                let pattern = String::from_utf8(pattern).map_err(|_| {
                    format!("malformed pattern: not a valid regexp: {quoted}: invalid UTF-8")
                })?;
                GoRegexp::new(&pattern).map_err(|e| {
                    format!("malformed pattern: not a valid regexp: {pattern}: {e}")
                })?;
                Ok(Expectation::Failure(pattern))
            }
            _ => Err(format!("bad header line: {}", quote_str(line))),
        }
    }

    /// Go's `Expectation.Check`: whether the outcome of reading the trace
    /// (`None` for success, else the error message) conforms.
    pub fn check(&self, err: Option<&str>) -> Result<(), String> {
        match (self, err) {
            (Expectation::Success, None) => Ok(()),
            (Expectation::Success, Some(e)) => {
                Err(format!("unexpected error while reading the trace: {e}"))
            }
            (Expectation::Failure(p), None) => Err(format!(
                "expected error while reading the trace: want something matching {}, got none",
                quote_str(p)
            )),
            (Expectation::Failure(p), Some(e)) => {
                let re = GoRegexp::new(p)?;
                if re.is_match(e) {
                    Ok(())
                } else {
                    Err(format!(
                        "unexpected error while reading the trace: want something matching {}, got {e}",
                        quote_str(p)
                    ))
                }
            }
        }
    }
}

/// A golden test: its expectation and its trace encoded in the wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldenTest {
    /// What reading the trace should produce.
    pub expect: Expectation,
    /// The trace in the wire format (as Go's `raw.Writer` writes it).
    pub trace: Vec<u8>,
}

/// Parses a `.test` file as Go's `testtrace.ParseFile`: a txtar archive with
/// an `expect` file and a `trace` file in the text format.
pub fn parse_golden_test(txtar: &str) -> Result<GoldenTest, String> {
    let (_, files) = parse_txtar(txtar);
    if files.len() != 2 {
        return Err("malformed test: wrong number of files".to_string());
    }
    if files[0].name != "expect" {
        return Err(format!("malformed test: bad filename {}", files[0].name));
    }
    if files[1].name != "trace" {
        return Err(format!("malformed test: bad filename {}", files[1].name));
    }
    let (v, events) = parse_text_trace(&files[1].data)
        .map_err(|e| format!("malformed test: bad trace file: {e}"))?;
    let trace = encode_binary(v, &events);
    let expect = Expectation::parse(&files[0].data).map_err(|e| {
        format!(
            "internal error: failed to parse expectation {}: {e}",
            quote_str(&files[0].data)
        )
    })?;
    Ok(GoldenTest { expect, trace })
}

/// One element of a [`GoRegexp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    Char(char),
    /// `.`: any character but newline.
    Any,
    /// `\d`, `\s`, `\w` and their negations.
    Class(char, bool),
}

impl Atom {
    fn matches(self, c: char) -> bool {
        match self {
            Atom::Char(x) => x == c,
            Atom::Any => c != '\n',
            Atom::Class(k, neg) => {
                let m = match k {
                    'd' => c.is_ascii_digit(),
                    's' => matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' '),
                    _ => c.is_ascii_alphanumeric() || c == '_',
                };
                m != neg
            }
        }
    }
}

/// The subset of Go's RE2 syntax the golden tests' FAILURE patterns use:
/// literal characters, `\`-escaped punctuation, `\a\f\t\n\r\v`, `\d\s\w`
/// (and negations), `.`, the repetitions `*`, `+` and `?`, and `^`/`$` at
/// the ends of the pattern. Anything else (groups, alternation, classes,
/// counted repetition, flags) is rejected as unsupported rather than
/// matched wrongly. Matching is unanchored, like Go's `MatchString`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRegexp {
    /// Atoms with their repetition: `None`, or `Some('*' | '?')`
    /// (`x+` is stored as `x x*`).
    items: Vec<(Atom, Option<char>)>,
    anchored_start: bool,
    anchored_end: bool,
}

impl GoRegexp {
    /// Compiles `pattern`, or explains why it is outside the subset.
    pub fn new(pattern: &str) -> Result<GoRegexp, String> {
        let mut chars: Vec<char> = pattern.chars().collect();
        let anchored_start = chars.first() == Some(&'^');
        if anchored_start {
            chars.remove(0);
        }
        let mut anchored_end = false;
        if chars.last() == Some(&'$') {
            // A `\$` at the end is a literal dollar.
            let backslashes = chars
                .iter()
                .rev()
                .skip(1)
                .take_while(|&&c| c == '\\')
                .count();
            if backslashes % 2 == 0 {
                chars.pop();
                anchored_end = true;
            }
        }
        let mut items: Vec<(Atom, Option<char>)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            let atom = match c {
                '.' => Atom::Any,
                '\\' => {
                    let Some(&e) = chars.get(i) else {
                        return Err("trailing backslash at end of expression: ``".to_string());
                    };
                    i += 1;
                    match e {
                        'a' => Atom::Char('\x07'),
                        'f' => Atom::Char('\x0c'),
                        't' => Atom::Char('\t'),
                        'n' => Atom::Char('\n'),
                        'r' => Atom::Char('\r'),
                        'v' => Atom::Char('\x0b'),
                        'd' | 's' | 'w' => Atom::Class(e, false),
                        'D' | 'S' | 'W' => Atom::Class(e.to_ascii_lowercase(), true),
                        _ if e.is_ascii_punctuation() => Atom::Char(e),
                        _ => return Err(format!("unsupported escape sequence: `\\{e}`")),
                    }
                }
                '*' | '+' | '?' => {
                    return Err(format!("missing argument to repetition operator: `{c}`"));
                }
                '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' => {
                    return Err(format!(
                        "unsupported regexp syntax `{c}` (gotrace matches only literals, \
                         escapes, `.`, `*`, `+`, `?` and end anchors)"
                    ));
                }
                _ => Atom::Char(c),
            };
            let rep = chars
                .get(i)
                .copied()
                .filter(|r| matches!(r, '*' | '+' | '?'));
            if let Some(r) = rep {
                i += 1;
                if matches!(chars.get(i), Some('*' | '+' | '?')) {
                    return Err("invalid nested repetition operator".to_string());
                }
                if r == '+' {
                    items.push((atom, None));
                    items.push((atom, Some('*')));
                    continue;
                }
            }
            items.push((atom, rep));
        }
        Ok(GoRegexp {
            items,
            anchored_start,
            anchored_end,
        })
    }

    /// Adds state `i` and the states reachable by skipping optional items.
    fn add(&self, set: &mut [bool], mut i: usize) {
        loop {
            if set[i] {
                return;
            }
            set[i] = true;
            match self.items.get(i) {
                Some((_, Some(_))) => i += 1,
                _ => return,
            }
        }
    }

    /// Whether the pattern matches anywhere in `s` (Go's `MatchString`).
    pub fn is_match(&self, s: &str) -> bool {
        let n = self.items.len();
        let mut cur = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        self.add(&mut cur, 0);
        for c in s.chars() {
            if cur[n] && !self.anchored_end {
                return true;
            }
            next.iter_mut().for_each(|b| *b = false);
            for (i, &(atom, rep)) in self.items.iter().enumerate() {
                if cur[i] && atom.matches(c) {
                    let to = if rep == Some('*') { i } else { i + 1 };
                    self.add(&mut next, to);
                }
            }
            if !self.anchored_start {
                self.add(&mut next, 0);
            }
            std::mem::swap(&mut cur, &mut next);
        }
        cur[n]
    }
}

impl fmt::Display for GoRegexp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.anchored_start {
            f.write_str("^")?;
        }
        for (atom, rep) in &self.items {
            match atom {
                Atom::Char(c) if c.is_ascii_punctuation() => write!(f, "\\{c}")?,
                Atom::Char(c) => write!(f, "{c}")?,
                Atom::Any => f.write_str(".")?,
                Atom::Class(k, false) => write!(f, "\\{k}")?,
                Atom::Class(k, true) => write!(f, "\\{}", k.to_ascii_uppercase())?,
            }
            if let Some(r) = rep {
                write!(f, "{r}")?;
            }
        }
        if self.anchored_end {
            f.write_str("$")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexp_subset() {
        let m = |p: &str, s: &str| GoRegexp::new(p).unwrap().is_match(s);
        assert!(m(
            ".*expected a proc but didn't have one.*",
            "x: expected a proc but didn't have one"
        ));
        assert!(m("expected a proc", "oh: expected a proc!"));
        assert!(!m("expected a proc", "expected a pro"));
        assert!(m("^abc$", "abc"));
        assert!(!m("^abc$", "abcd"));
        assert!(!m("^abc", "xabc"));
        assert!(m("a\\.b+c?d*$", "xxa.bbb"));
        assert!(!m("a\\.b", "axb"));
        assert!(m("gen \\d+", "gen 12"));
        assert!(m("", "anything"));
        assert!(GoRegexp::new("(a|b)").is_err());
        assert!(GoRegexp::new("*a").is_err());
        assert!(GoRegexp::new("a**").is_err());
    }

    #[test]
    fn text_round_trip() {
        let text = "# comment\n\nTrace Go1.22\nEventBatch gen=1 m=0 time=7 size=9 \n\
                    String id=1\n\tdata=\"a\\x00\\u00e9\"\nStacks\n\
                    Stack id=1 nframes=1\n\tpc=1 func=2 file=3 line=4\nString id=2\n\tdata=\"\"\n";
        let (v, evs) = parse_text_trace(text).unwrap();
        assert_eq!(v, Version::Go122);
        assert_eq!(evs.len(), 5);
        assert_eq!(evs[1].data.as_deref(), Some(&b"a\0\xc3\xa9"[..]));
        assert_eq!(evs[4].data.as_deref(), Some(&b""[..]));
        let out = write_text_trace(v, &evs);
        assert_eq!(
            out,
            "Trace Go1.22\nEventBatch gen=1 m=0 time=7 size=9\nString id=1\n\tdata=\"a\\x00é\"\n\
             Stacks\nStack id=1 nframes=1\n\tpc=1 func=2 file=3 line=4\nString id=2\n\tdata=\"\"\n"
        );
        let bin = encode_binary(v, &evs);
        assert_eq!(&bin[..16], b"go 1.22 trace\0\0\0");
        let mut dumped = Vec::new();
        crate::raw::write_wire_dump(&bin, &mut dumped).unwrap();
        // The empty data trailer is lost in binary, as in Go.
        assert!(String::from_utf8_lossy(&dumped).ends_with("String id=2\n"));
    }

    #[test]
    fn text_errors_match_go() {
        let err = |t: &str| parse_text_trace(t).unwrap_err();
        assert_eq!(
            err("Trace Go1.24\n"),
            "unknown or unsupported Go version 1.24"
        );
        assert_eq!(err("Tracer Go1.22\n"), "failed to parse header");
        assert_eq!(
            err("Trace Go1.x\n"),
            "failed to parse header Go version: strconv.ParseUint: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            err("Trace Go1.22 x\n"),
            "encountered unexpected non-space at the end of the header: \" x\""
        );
        assert_eq!(err("Trace Go1.22\nFoo\n"), "unidentified event: Foo");
        assert_eq!(
            err("Trace Go1.22\nFrequency\n"),
            "reading args for Frequency: no argument"
        );
        assert_eq!(
            err("Trace Go1.22\nFrequency freq=+1\n"),
            "reading args for Frequency: failed to parse argument value \"+1\" for arg \"freq\""
        );
        assert_eq!(
            err("Trace Go1.22\nFrequency fr=1\n"),
            "reading args for Frequency: expected argument \"freq\", but got \"fr\""
        );
        assert_eq!(
            err("Trace Go1.22\nFrequency freq=1 # c\n"),
            "reading args for Frequency: encountered unexpected non-space at the end of an event: \" # c\""
        );
        assert_eq!(
            err("Trace Go1.22\nStack id=1 nframes=2\n pc=1 func=2 file=3 line=4\n"),
            "unexpected EOF while reading stack: args=[1 2 1 2 3 4]"
        );
        assert_eq!(
            err("Trace Go1.22\nString id=1\n"),
            "unexpected EOF while reading data for String: args=[1]"
        );
        assert_eq!(
            err("Trace Go1.22\nString id=1\n dat=\"\"\n"),
            "malformed data: \" dat=\\\"\\\"\""
        );
        assert_eq!(
            err("Trace Go1.22\nString id=1\n data=\"\\q\"\n"),
            "failed to parse data: \" data=\\\"\\\\q\\\"\": invalid syntax"
        );
    }

    #[test]
    fn txtar_and_expectations() {
        let t = "comment\n-- expect --\nFAILURE \"a\\\\.b\"\n-- trace --\nTrace Go1.23\nFrequency freq=3";
        let g = parse_golden_test(t).unwrap();
        assert_eq!(g.expect, Expectation::Failure("a\\.b".to_string()));
        assert_eq!(g.trace, [&b"go 1.23 trace\0\0\0"[..], &[8, 3]].concat());
        assert!(g.expect.check(Some("xa.bx")).is_ok());
        assert!(g.expect.check(Some("xaxbx")).is_err());
        assert!(g.expect.check(None).is_err());
        assert_eq!(Expectation::parse("").unwrap(), Expectation::Success);
        assert!(Expectation::parse("FAILURE").is_err());
        assert!(Expectation::parse("FAILURE abc").is_err());
        assert!(Expectation::parse("WHAT").is_err());
        assert!(parse_golden_test("-- expect --\nSUCCESS\n").is_err());
        let (c, files) = parse_txtar("-- a --\nx\n-- b --\ny");
        assert_eq!(c, "");
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].data, "y\n");
    }
}
