//! Writes FIT messages: definitions, then data messages laid out as their
//! definition says (little endian), framed by [`fit_protocol::frame`].
//! Only the base types a workout needs are here.

use crate::domain::fit_protocol;

/// A field's base type and, for strings, its fixed size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Enum,
    U16,
    U32,
    /// A NUL-terminated UTF-8 string in this many bytes (at most 255).
    Str(u8),
}

impl Kind {
    fn size(self) -> u8 {
        match self {
            Kind::Enum => 1,
            Kind::U16 => 2,
            Kind::U32 => 4,
            Kind::Str(size) => size,
        }
    }

    /// The base type byte of the FIT protocol.
    fn base_type(self) -> u8 {
        match self {
            Kind::Enum => 0x00,
            Kind::U16 => 0x84,
            Kind::U32 => 0x86,
            Kind::Str(_) => 0x07,
        }
    }
}

/// A value to write; FIT's "invalid" (absent) values are [`Value::NONE_ENUM`],
/// [`Value::NONE_U32`] and the empty string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value<'a> {
    Enum(u8),
    U16(u16),
    U32(u32),
    Str(&'a str),
}

impl Value<'_> {
    pub const NONE_ENUM: Value<'static> = Value::Enum(0xFF);
    pub const NONE_U32: Value<'static> = Value::U32(0xFFFF_FFFF);
}

#[derive(Debug, Default)]
pub(super) struct FitWriter {
    data: Vec<u8>,
    /// The field kinds of each local message type defined so far.
    definitions: [Vec<Kind>; 16],
}

impl FitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines local message type `local` as global message `global` with
    /// the given (field number, kind) list.
    pub fn define(&mut self, local: u8, global: u16, fields: &[(u8, Kind)]) {
        let local = usize::from(local & 0x0F);
        // Record header: definition message, then reserved, architecture
        // (0: little endian), global message number, field count.
        self.data.push(0x40 | local as u8);
        self.data.push(0);
        self.data.push(0);
        self.data.extend_from_slice(&global.to_le_bytes());
        self.data
            .push(u8::try_from(fields.len()).expect("under 256 fields"));
        for &(number, kind) in fields {
            self.data
                .extend_from_slice(&[number, kind.size(), kind.base_type()]);
        }
        self.definitions[local] = fields.iter().map(|&(_, kind)| kind).collect();
    }

    /// Writes a data message of local type `local`; `values` follow its
    /// definition's fields in order.
    pub fn write(&mut self, local: u8, values: &[Value<'_>]) {
        let local = usize::from(local & 0x0F);
        let kinds = &self.definitions[local];
        assert_eq!(kinds.len(), values.len(), "values match the definition");
        self.data.push(local as u8);
        for (&kind, value) in kinds.iter().zip(values) {
            match (kind, *value) {
                (Kind::Enum, Value::Enum(v)) => self.data.push(v),
                (Kind::U16, Value::U16(v)) => self.data.extend_from_slice(&v.to_le_bytes()),
                (Kind::U32, Value::U32(v)) => self.data.extend_from_slice(&v.to_le_bytes()),
                (Kind::Str(size), Value::Str(text)) => {
                    let bytes = truncated(text, usize::from(size) - 1).as_bytes();
                    self.data.extend_from_slice(bytes);
                    self.data
                        .extend(std::iter::repeat_n(0, usize::from(size) - bytes.len()));
                }
                (kind, value) => panic!("{value:?} written to a {kind:?} field"),
            }
        }
    }

    /// The complete file: header, messages, CRC.
    pub fn finish(self) -> Vec<u8> {
        fit_protocol::frame(&self.data)
    }
}

/// `text` cut to at most `max` bytes at a character boundary.
pub(super) fn truncated(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The size of a string field that holds the longest of `texts` (with its
/// terminating NUL), within FIT's 255-byte field limit.
pub(super) fn string_size<'a>(texts: impl Iterator<Item = &'a str>, max: u8) -> u8 {
    let longest = texts.map(str::len).max().unwrap_or(0);
    u8::try_from(longest + 1).unwrap_or(u8::MAX).min(max)
}
