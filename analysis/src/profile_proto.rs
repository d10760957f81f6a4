//! pprof's `profile.proto` (github.com/google/pprof/proto/profile.proto) as
//! hand-written prost message types, plus gzip encoding/decoding and a
//! "resolved sample" view used to compare profiles as sets of samples.
//!
//! Strings are kept as bytes (`string_table: Vec<Vec<u8>>`): the wire format
//! is the same as `string`, and Go writes function and file names that are
//! not always valid UTF-8.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use prost::Message;

/// A profile: samples with stacks, as written by `go tool pprof`'s tools.
#[derive(Clone, PartialEq, Message)]
pub struct Profile {
    /// The kind and unit of each value in a sample.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The samples.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// Binary mappings; IDs referenced by locations.
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Locations (one per PC here); IDs referenced by samples.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions; IDs referenced by lines.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// String table; index 0 must be the empty string.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    /// Regex (string index) of frames to drop.
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// Regex (string index) of frames to keep.
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Time of collection (UTC ns since the epoch).
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Duration of the profile, ns.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// The kind of events between sampled occurrences.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// The number of events between sampled occurrences.
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-form comments (string indices).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// Index (string index of its type) of the sample type shown by default.
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
}

/// A value's type and unit, as string-table indices.
#[derive(Clone, PartialEq, Message)]
pub struct ValueType {
    /// Type, e.g. `delay`.
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// Unit, e.g. `nanoseconds`.
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// One sample: a stack (leaf first) and its values.
#[derive(Clone, PartialEq, Message)]
pub struct Sample {
    /// Location IDs, leaf first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// One value per sample type.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Labels.
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// A sample label.
#[derive(Clone, PartialEq, Message)]
pub struct Label {
    /// Key (string index).
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String value (string index).
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// Numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Unit of `num` (string index).
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// A mapped binary.
#[derive(Clone, PartialEq, Message)]
pub struct Mapping {
    /// Unique nonzero ID.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// File offset of the mapping.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// File name (string index).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Build ID (string index).
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Whether locations already carry function names.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// Whether locations carry file names.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// Whether locations carry line numbers.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    /// Whether locations carry inlined frames.
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// A code location (here: one PC).
#[derive(Clone, PartialEq, Message)]
pub struct Location {
    /// Unique nonzero ID.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Mapping ID (0: none).
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// Instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Source lines, innermost (inlined) first.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// Whether the location was folded into its caller.
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// A source line of a location.
#[derive(Clone, PartialEq, Message)]
pub struct Line {
    /// Function ID.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Line number.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Column number.
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// A function.
#[derive(Clone, PartialEq, Message)]
pub struct Function {
    /// Unique nonzero ID.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Name (string index).
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// System (mangled) name (string index).
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Source file (string index).
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// First line of the function.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

/// One frame of a resolved sample: function, file, line and PC.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResolvedFrame {
    /// Function name.
    pub func: Vec<u8>,
    /// Source file.
    pub file: Vec<u8>,
    /// Line number.
    pub line: i64,
    /// Location address.
    pub pc: u64,
}

/// A sample with its stack spelled out (leaf first) instead of location IDs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResolvedSample {
    /// Frames, leaf first; a location with several lines gives several frames.
    pub stack: Vec<ResolvedFrame>,
    /// The sample's values.
    pub values: Vec<i64>,
}

impl Profile {
    /// Encodes the profile and gzips it, as `go tool pprof` expects on disk.
    pub fn to_gzip(&self) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        // Writing into a Vec cannot fail.
        let _ = enc.write_all(&self.encode_to_vec());
        enc.finish().unwrap_or_default()
    }

    /// Decodes a profile, gzipped or not.
    pub fn decode_any(bytes: &[u8]) -> Result<Profile, String> {
        let raw;
        let data = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .map_err(|e| format!("bad gzip data: {e}"))?;
            raw = out;
            &raw[..]
        } else {
            bytes
        };
        Profile::decode(data).map_err(|e| format!("bad profile.proto data: {e}"))
    }

    /// The string at table index `i` (empty if out of range).
    pub fn string(&self, i: i64) -> &[u8] {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.string_table.get(i))
            .map_or(&[][..], |s| &s[..])
    }

    /// The samples with locations and functions resolved, sorted; two
    /// profiles with the same samples (in any order, with any IDs) give
    /// equal results.
    pub fn resolved_samples(&self) -> Result<Vec<ResolvedSample>, String> {
        let funcs: std::collections::HashMap<u64, &Function> =
            self.function.iter().map(|f| (f.id, f)).collect();
        let locs: std::collections::HashMap<u64, &Location> =
            self.location.iter().map(|l| (l.id, l)).collect();
        let mut out = Vec::with_capacity(self.sample.len());
        for s in &self.sample {
            let mut stack = Vec::new();
            for id in &s.location_id {
                let loc = locs
                    .get(id)
                    .ok_or_else(|| format!("sample refers to unknown location {id}"))?;
                for line in &loc.line {
                    let f = funcs.get(&line.function_id).ok_or_else(|| {
                        format!(
                            "location {id} refers to unknown function {}",
                            line.function_id
                        )
                    })?;
                    stack.push(ResolvedFrame {
                        func: self.string(f.name).to_vec(),
                        file: self.string(f.filename).to_vec(),
                        line: line.line,
                        pc: loc.address,
                    });
                }
            }
            out.push(ResolvedSample {
                stack,
                values: s.value.clone(),
            });
        }
        out.sort();
        Ok(out)
    }
}

/// Builds a profile's string table, interning each distinct string once.
#[derive(Default)]
pub struct StringTable {
    index: std::collections::HashMap<Vec<u8>, i64>,
    strings: Vec<Vec<u8>>,
}

impl StringTable {
    /// A table holding only the mandatory empty string at index 0.
    pub fn new() -> StringTable {
        let mut t = StringTable::default();
        t.intern(b"");
        t
    }

    /// The index of `s`, adding it if new.
    pub fn intern(&mut self, s: &[u8]) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as i64;
        self.strings.push(s.to_vec());
        self.index.insert(s.to_vec(), i);
        i
    }

    /// The finished table.
    pub fn into_vec(self) -> Vec<Vec<u8>> {
        self.strings
    }
}
