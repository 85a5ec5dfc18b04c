//! CSV as RFC 4180 writes it (fields separated by commas, records ended by CRLF, a field
//! with a comma, a quote, CR or LF quoted, its quotes doubled), made safe to open in a
//! spreadsheet: a text that would start with `=`, `+`, `-`, `@`, a tab or a CR is taken
//! as a formula by Excel, LibreOffice and Sheets, so it is written with a leading `'`
//! (OWASP's advice against CSV injection). Numbers the server formats itself are written
//! as they are.

/// One field of a record.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    /// Text from a person (a name, a status): guarded and quoted as needed.
    Text(&'a str),
    /// An integer the server computed.
    Number(i64),
    /// Nothing (an empty field).
    Empty,
}

impl<'a> From<Option<&'a str>> for Field<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Field::Empty, Field::Text)
    }
}

impl From<Option<i64>> for Field<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Field::Empty, Field::Number)
    }
}

/// Whether a spreadsheet would read `text` as a formula.
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn push_text(out: &mut String, text: &str) {
    let guarded;
    let text = if looks_like_formula(text) {
        guarded = format!("'{text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Appends one record (a line ended by CRLF) to `out`.
pub fn push_record(out: &mut String, fields: &[Field<'_>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match field {
            Field::Text(text) => push_text(out, text),
            Field::Number(n) => out.push_str(&n.to_string()),
            Field::Empty => {}
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[Field<'_>]) -> String {
        let mut out = String::new();
        push_record(&mut out, fields);
        out
    }

    #[test]
    fn plain_fields_are_written_as_they_are() {
        assert_eq!(
            record(&[Field::Text("Ada"), Field::Number(42), Field::Empty]),
            "Ada,42,\r\n"
        );
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(record(&[Field::Text("a,b")]), "\"a,b\"\r\n");
        assert_eq!(
            record(&[Field::Text("say \"hi\"")]),
            "\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(record(&[Field::Text("two\nlines")]), "\"two\nlines\"\r\n");
    }

    #[test]
    fn formulas_are_defused() {
        for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let line = record(&[Field::Text(text)]);
            assert!(
                line.starts_with('\'') || line.starts_with("\"'"),
                "{text:?} -> {line:?}"
            );
        }
        assert_eq!(
            record(&[Field::Text("=HYPERLINK(\"x\",\"y\")")]),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n"
        );
        // Negative numbers the server computed are numbers, not text.
        assert_eq!(record(&[Field::Number(-5)]), "-5\r\n");
    }
}
