//! The framing of a FIT file, shared by the activity reader and the
//! workout writer: the file header and the CRC-16 that guards header and
//! data (FIT protocol, "File Header" and "CRC").
//!
//! A file is `header (12 or 14 bytes) · data records · CRC (2 bytes, little
//! endian)`. The 14-byte header ends with its own CRC over its first 12
//! bytes (0 means "not computed"). The file CRC covers every byte before it,
//! header included.

/// Size of the header this crate writes (the preferred one).
pub const HEADER_SIZE: usize = 14;
/// The only header sizes the FIT protocol defines.
const HEADER_SIZES: [u8; 2] = [12, 14];
const SIGNATURE: &[u8; 4] = b".FIT";
/// Protocol version 1.0: no 64-bit types or other 2.0 features are written.
const PROTOCOL_VERSION: u8 = 0x10;
/// Profile version 21.60, encoded as major × 100 + minor.
const PROFILE_VERSION: u16 = 2160;

/// The FIT CRC-16 (polynomial 0xA001, reflected, initial value 0, no final
/// xor), computed a nibble at a time as the protocol document describes.
pub fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    for &byte in bytes {
        for nibble in [byte & 0x0F, byte >> 4] {
            let tmp = TABLE[usize::from(crc & 0x0F)];
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// A checked file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// 12 or 14.
    pub size: usize,
    /// Bytes of data records after the header.
    pub data_size: usize,
}

impl Header {
    /// Bytes the whole file takes: header, data and the 2-byte file CRC.
    pub fn file_len(&self) -> usize {
        self.size + self.data_size + 2
    }
}

/// Why a header was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer bytes than the header needs.
    Short { have: usize },
    /// Not a FIT header: wrong size byte or no ".FIT" signature.
    NotFit(&'static str),
    /// The header's own CRC does not match its bytes.
    Crc { stored: u16, computed: u16 },
}

/// Reads and checks the header at the start of `bytes` (size, signature,
/// header CRC when present). The file length is checked by the caller.
pub fn read_header(bytes: &[u8]) -> Result<Header, HeaderError> {
    let Some(&size) = bytes.first() else {
        return Err(HeaderError::Short { have: 0 });
    };
    if !HEADER_SIZES.contains(&size) {
        return Err(HeaderError::NotFit(
            "its first byte is not a FIT header size (12 or 14)",
        ));
    }
    let size = usize::from(size);
    if bytes.len() < size {
        return Err(HeaderError::Short { have: bytes.len() });
    }
    if &bytes[8..12] != SIGNATURE {
        return Err(HeaderError::NotFit("bytes 8 to 11 are not \".FIT\""));
    }
    if size == 14 {
        let stored = u16::from_le_bytes([bytes[12], bytes[13]]);
        let computed = crc16(0, &bytes[..12]);
        if stored != 0 && stored != computed {
            return Err(HeaderError::Crc { stored, computed });
        }
    }
    let data_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    Ok(Header {
        size,
        data_size: data_size as usize,
    })
}

/// Frames `data` (the data records) as a complete FIT file: a 14-byte
/// header with its CRC, the data, and the file CRC.
pub fn frame(data: &[u8]) -> Vec<u8> {
    let data_size = u32::try_from(data.len()).expect("FIT data under 4 GiB");
    let mut file = Vec::with_capacity(HEADER_SIZE + data.len() + 2);
    file.push(HEADER_SIZE as u8);
    file.push(PROTOCOL_VERSION);
    file.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
    file.extend_from_slice(&data_size.to_le_bytes());
    file.extend_from_slice(SIGNATURE);
    let header_crc = crc16(0, &file);
    file.extend_from_slice(&header_crc.to_le_bytes());
    file.extend_from_slice(data);
    let file_crc = crc16(0, &file);
    file.extend_from_slice(&file_crc.to_le_bytes());
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_the_check_string_is_the_published_arc_value() {
        // CRC-16/ARC (poly 0x8005 reflected, init 0) of "123456789" is 0xBB3D.
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
        // Computing in two pieces gives the same result.
        assert_eq!(crc16(crc16(0, b"1234"), b"56789"), 0xBB3D);
    }

    #[test]
    fn a_framed_file_has_a_valid_header_and_a_crc_over_everything() {
        let file = frame(&[1, 2, 3]);
        let header = read_header(&file).unwrap();
        assert_eq!(
            header,
            Header {
                size: 14,
                data_size: 3
            }
        );
        assert_eq!(header.file_len(), file.len());
        // A CRC appended little endian makes the CRC of the whole zero.
        assert_eq!(crc16(0, &file), 0);
    }

    #[test]
    fn headers_are_refused_for_size_signature_and_crc() {
        let file = frame(&[]);
        assert_eq!(read_header(&[]), Err(HeaderError::Short { have: 0 }));
        assert_eq!(
            read_header(&file[..10]),
            Err(HeaderError::Short { have: 10 })
        );
        let mut wrong_size = file.clone();
        wrong_size[0] = 13;
        assert!(matches!(
            read_header(&wrong_size),
            Err(HeaderError::NotFit(_))
        ));
        let mut no_signature = file.clone();
        no_signature[9] = b'X';
        assert!(matches!(
            read_header(&no_signature),
            Err(HeaderError::NotFit(_))
        ));
        let mut damaged = file.clone();
        damaged[4] ^= 1;
        assert!(matches!(
            read_header(&damaged),
            Err(HeaderError::Crc { .. })
        ));
        // A header CRC of zero means "not computed" and is accepted.
        damaged[12] = 0;
        damaged[13] = 0;
        assert_eq!(read_header(&damaged).unwrap().data_size, 1);
    }
}
