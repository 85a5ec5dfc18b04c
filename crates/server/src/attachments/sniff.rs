//! What a file is, read from its first bytes (magic numbers), never from its name or the
//! type the client claims: an HTML page named `cat.png` is HTML here, and is refused unless
//! HTML is on the allow-list (it is not by default).

/// The types accepted when `--attachment-types` is not given: pictures browsers show, PDF,
/// plain text, zip archives and the common office documents (Office Open XML and
/// OpenDocument). Legacy binary Office files (`.doc`, `.xls`) are left out: their container
/// cannot be told apart from other compound files by a few bytes.
pub const DEFAULT_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "application/zip",
    DOCX,
    XLSX,
    PPTX,
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

/// The content type of `data`, read from its content. Anything unrecognised is
/// `application/octet-stream`.
pub fn content_type(data: &[u8]) -> &'static str {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if data.starts_with(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        "image/gif"
    } else if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        "image/webp"
    } else if data.starts_with(b"%PDF-") {
        "application/pdf"
    } else if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        zip_kind(data)
    } else if let Some(text) = text(data) {
        markup_kind(text).unwrap_or("text/plain")
    } else {
        "application/octet-stream"
    }
}

/// A zip archive, or the office document it holds: OpenDocument names its type in a first
/// entry called `mimetype`; Office Open XML has its main part under `word/`, `xl/` or `ppt/`.
fn zip_kind(data: &[u8]) -> &'static str {
    const ODF: &[(&[u8], &str)] = &[
        (
            b"mimetypeapplication/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.text",
        ),
        (
            b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            b"mimetypeapplication/vnd.oasis.opendocument.presentation",
            "application/vnd.oasis.opendocument.presentation",
        ),
    ];
    // The first local header's name starts at byte 30.
    if let Some(first) = data.get(30..) {
        for (marker, kind) in ODF {
            if first.starts_with(marker) {
                return kind;
            }
        }
    }
    if contains(data, b"word/document.xml") {
        DOCX
    } else if contains(data, b"xl/workbook.xml") {
        XLSX
    } else if contains(data, b"ppt/presentation.xml") {
        PPTX
    } else {
        "application/zip"
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `data` as text: UTF-8 (a byte-order mark allowed) with no control characters but tab,
/// line feed, form feed and carriage return.
fn text(data: &[u8]) -> Option<&str> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let text = std::str::from_utf8(data).ok()?;
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\x0c' | '\r'))
        .then_some(text)
}

/// Text that a browser would take for markup (it opens with a tag): HTML, SVG or XML, kept
/// apart from plain text so that the allow-list decides about them.
fn markup_kind(text: &str) -> Option<&'static str> {
    let start = text.trim_start();
    if !start.starts_with('<') {
        return None;
    }
    let head: String = start.chars().take(1024).collect::<String>().to_lowercase();
    Some(if head.contains("<svg") {
        "image/svg+xml"
    } else if head.starts_with("<?xml") && !head.contains("<html") {
        "application/xml"
    } else {
        "text/html"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_type_from_the_content() {
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(content_type(b"\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg");
        assert_eq!(content_type(b"GIF89a\x01\0\x01\0"), "image/gif");
        assert_eq!(content_type(b"RIFF\x10\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(content_type(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(content_type("héllo\r\n\tthere".as_bytes()), "text/plain");
        assert_eq!(content_type(b"\xef\xbb\xbfhello"), "text/plain");
        assert_eq!(content_type(b""), "text/plain");
        assert_eq!(
            content_type(b"\0\x01\x02binary"),
            "application/octet-stream"
        );
        assert_eq!(content_type(b"\xff\xfe\xfd"), "application/octet-stream");
    }

    #[test]
    fn markup_is_not_plain_text_whatever_it_is_called() {
        assert_eq!(
            content_type(b"  <!DOCTYPE html><script>alert(1)</script>"),
            "text/html"
        );
        assert_eq!(content_type(b"<html><body>x"), "text/html");
        assert_eq!(
            content_type(b"<?xml version=\"1.0\"?><svg onload=\"x()\"/>"),
            "image/svg+xml"
        );
        assert_eq!(
            content_type(b"<?xml version=\"1.0\"?><a/>"),
            "application/xml"
        );
        assert_eq!(content_type(b"a < b, says the text"), "text/plain");
    }

    #[test]
    fn zip_archives_and_the_office_documents_inside_them() {
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend([0u8; 26]);
        let mut docx = zip.clone();
        docx.extend(b"[Content_Types].xml....word/document.xml");
        assert_eq!(content_type(&docx), DOCX);
        let mut odt = zip.clone();
        odt.extend(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(
            content_type(&odt),
            "application/vnd.oasis.opendocument.text"
        );
        zip.extend(b"notes.txt");
        assert_eq!(content_type(&zip), "application/zip");
    }
}
