//! A bounded walk over an XML document for the GPX and TCX readers, on
//! quick-xml's pull parser: nothing but the path of open elements (as the
//! reader's own tags) and the text of the current element is kept, the
//! nesting depth and the element count are bounded, and the document must
//! be well formed UTF-8 with one root element. No DTD is read and no
//! entity beyond XML's five is expanded, so entity tricks cannot grow it.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{ImportError, limits};

/// Longest text kept for one element; the values read (numbers, times,
/// sport names) are far shorter, and longer text is cut.
const MAX_TEXT_BYTES: usize = 256;

/// An element opening (with its attributes) or closing (with its text).
pub(super) enum Node<'a> {
    Open(BytesStart<'a>),
    Close,
}

pub(super) struct XmlWalker<'a, T> {
    reader: Reader<&'a [u8]>,
    classify: fn(&str) -> T,
    path: Vec<T>,
    /// The element just closed is still on `path` until the next call.
    pop_pending: bool,
    text: String,
    elements: usize,
    root_seen: bool,
    /// Bytes of the document, to tell an error at its end (truncation).
    len: u64,
}

impl<'a, T: Copy> XmlWalker<'a, T> {
    /// A walk over `bytes`, naming each element by its local name (the
    /// prefix is ignored: files use many) through `classify`.
    pub fn new(bytes: &'a [u8], classify: fn(&str) -> T) -> Result<Self, ImportError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            ImportError::MalformedXml(format!(
                "it is not UTF-8 (invalid byte at {})",
                e.valid_up_to()
            ))
        })?;
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Ok(Self {
            reader,
            classify,
            path: Vec::new(),
            pop_pending: false,
            text: String::new(),
            elements: 0,
            root_seen: false,
            len: text.len() as u64,
        })
    }

    /// The open elements, outermost first; on [`Node::Close`] the closing
    /// element is still the last.
    pub fn path(&self) -> &[T] {
        &self.path
    }

    /// The text directly inside the element just closed (after its last
    /// child, if it has children), untrimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The next element opening or closing; None at the end of a complete
    /// document.
    pub fn next(&mut self) -> Result<Option<Node<'a>>, ImportError> {
        if self.pop_pending {
            self.path.pop();
            self.pop_pending = false;
        }
        loop {
            let position = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                // quick-xml reports a document cut inside a tag as a
                // syntax error at its very end.
                Err(e @ quick_xml::Error::Syntax(_))
                    if self.reader.buffer_position() >= self.len =>
                {
                    return Err(ImportError::Truncated(format!(
                        "the XML ends inside markup ({e})"
                    )));
                }
                Err(e) => {
                    return Err(ImportError::MalformedXml(format!(
                        "{e} (near byte {position})"
                    )));
                }
            };
            match event {
                Event::Start(start) => {
                    self.open(start.local_name().as_ref())?;
                    return Ok(Some(Node::Open(start)));
                }
                Event::End(_) => {
                    self.pop_pending = true;
                    return Ok(Some(Node::Close));
                }
                Event::Text(text) => self.keep_text(&text.xml10_content()),
                Event::CData(data) => self.keep_text(&data.xml10_content()),
                Event::GeneralRef(reference) => {
                    let name = reference.xml10_content();
                    let character = match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    };
                    self.keep_text(character);
                }
                Event::Eof => return self.end(),
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => {}
            }
        }
    }

    fn open(&mut self, local_name: &str) -> Result<(), ImportError> {
        if self.path.is_empty() && self.root_seen {
            return Err(ImportError::MalformedXml(
                "a second root element follows the first".to_owned(),
            ));
        }
        self.root_seen = true;
        self.elements += 1;
        if self.elements > limits::MAX_XML_ELEMENTS {
            return Err(ImportError::TooLarge(format!(
                "more than {} XML elements",
                limits::MAX_XML_ELEMENTS
            )));
        }
        if self.path.len() >= limits::MAX_XML_DEPTH {
            return Err(ImportError::TooLarge(format!(
                "XML elements nested more than {} deep",
                limits::MAX_XML_DEPTH
            )));
        }
        self.path.push((self.classify)(local_name));
        self.text.clear();
        Ok(())
    }

    fn keep_text(&mut self, text: &str) {
        let room = MAX_TEXT_BYTES.saturating_sub(self.text.len());
        let mut end = text.len().min(room);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(&text[..end]);
    }

    fn end(&mut self) -> Result<Option<Node<'a>>, ImportError> {
        if !self.root_seen {
            return Err(ImportError::MalformedXml(
                "the document has no root element".to_owned(),
            ));
        }
        if !self.path.is_empty() {
            return Err(ImportError::Truncated(format!(
                "the XML ends inside {} open elements",
                self.path.len()
            )));
        }
        Ok(None)
    }
}

/// The value of an attribute, None when absent.
pub(super) fn attribute(start: &BytesStart<'_>, name: &str) -> Result<Option<String>, ImportError> {
    let attribute = start
        .try_get_attribute(name)
        .map_err(|e| ImportError::MalformedXml(format!("attribute {name}: {e}")))?;
    match attribute {
        None => Ok(None),
        Some(attribute) => attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|value| Some(value.into_owned()))
            .map_err(|e| ImportError::MalformedXml(format!("attribute {name}: {e}"))),
    }
}

/// A number in a text or attribute.
pub(super) fn number(what: &str, text: &str) -> Result<f64, ImportError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| ImportError::Implausible(format!("{what} {text:?} is not a number")))
}

/// An `xsd:dateTime`; one without a zone is taken as UTC.
pub(super) fn date_time(
    what: &str,
    text: &str,
) -> Result<chrono::DateTime<chrono::Utc>, ImportError> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let text = text.trim();
    let time = DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|naive| naive.and_utc())
        })
        .map_err(|_| ImportError::Implausible(format!("{what} {text:?} is not a date and time")))?;
    super::plausible_time(what, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Tag {
        A,
        B,
        Other,
    }

    fn classify(name: &str) -> Tag {
        match name {
            "a" => Tag::A,
            "b" => Tag::B,
            _ => Tag::Other,
        }
    }

    fn walk(xml: &str) -> Result<Vec<String>, ImportError> {
        let mut walker = XmlWalker::new(xml.as_bytes(), classify)?;
        let mut seen = Vec::new();
        while let Some(node) = walker.next()? {
            match node {
                Node::Open(_) => seen.push(format!("open {:?}", walker.path())),
                Node::Close => seen.push(format!("close {:?} {:?}", walker.path(), walker.text())),
            }
        }
        Ok(seen)
    }

    #[test]
    fn paths_and_texts_with_prefixes_entities_and_empty_elements() {
        let seen =
            walk("\u{feff}<?xml version=\"1.0\"?><x:a xmlns:x=\"u\"><b>1 &amp; 2</b><c/></x:a>")
                .unwrap();
        assert_eq!(
            seen,
            [
                "open [A]",
                "open [A, B]",
                "close [A, B] \"1 & 2\"",
                "open [A, Other]",
                "close [A, Other] \"\"",
                "close [A] \"\"",
            ]
        );
    }

    #[test]
    fn malformed_and_truncated_documents_are_told_apart() {
        assert!(matches!(
            walk("<a><b></a>"),
            Err(ImportError::MalformedXml(_))
        ));
        assert!(matches!(walk("<a><b>"), Err(ImportError::Truncated(_))));
        assert!(matches!(walk("<a><b></"), Err(ImportError::Truncated(_))));
        assert!(matches!(
            walk("<a><b x=\"1"),
            Err(ImportError::Truncated(_))
        ));
        assert!(matches!(
            walk("<a/><a/>"),
            Err(ImportError::MalformedXml(_))
        ));
        assert!(matches!(walk(""), Err(ImportError::MalformedXml(_))));
        assert!(matches!(
            XmlWalker::new(b"<a>\xff</a>", classify).map(|_| ()),
            Err(ImportError::MalformedXml(_))
        ));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "<a>".repeat(limits::MAX_XML_DEPTH + 1);
        assert!(matches!(walk(&deep), Err(ImportError::TooLarge(_))));
        let fine = format!(
            "{}{}",
            "<a>".repeat(limits::MAX_XML_DEPTH),
            "</a>".repeat(limits::MAX_XML_DEPTH)
        );
        assert!(walk(&fine).is_ok());
    }

    #[test]
    fn times_and_numbers() {
        assert_eq!(
            date_time("t", "2026-03-01T07:30:00.250+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T06:30:00.250+00:00"
        );
        assert_eq!(
            date_time("t", "2026-03-01T07:30:00").unwrap().to_rfc3339(),
            "2026-03-01T07:30:00+00:00"
        );
        assert!(matches!(
            date_time("t", "yesterday"),
            Err(ImportError::Implausible(_))
        ));
        assert!(matches!(
            date_time("t", "1970-01-01T00:00:00Z"),
            Err(ImportError::Implausible(_))
        ));
        assert_eq!(number("n", " 12.5 ").unwrap(), 12.5);
        assert!(number("n", "NaN").is_err());
        assert!(number("n", "inf").is_err());
    }
}
