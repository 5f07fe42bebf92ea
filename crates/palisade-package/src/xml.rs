//! A bounded walk over an XML manifest (`.nuspec`, `pom.xml`), shared by the NuGet and
//! Maven modules.
//!
//! quick-xml is a pull parser, so nesting costs no stack; the walk still refuses
//! documents nested deeper than any real manifest, because the element stack it keeps
//! (and the caller's path matching) would otherwise grow with hostile input. Entities
//! other than the five predefined ones and character references are never expanded, so
//! a "billion laughs" document has nothing to expand.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event as XmlEvent;

/// Deepest element nesting accepted; POMs and nuspecs use fewer than ten levels.
pub(crate) const MAX_DEPTH: usize = 64;

/// What the walk reports, with the stack of local element names (namespace prefixes
/// dropped) that it happened in; the stack includes the element itself.
pub(crate) enum Event<'t> {
    /// An element opened; `offset` is where its tag starts.
    Start {
        offset: usize,
    },
    End,
    Text(&'t str),
}

pub(crate) struct XmlError {
    pub offset: usize,
    pub message: String,
}

/// Walks `data`, calling `visit` for each element start, end and piece of text.
pub(crate) fn walk(
    data: &[u8],
    mut visit: impl FnMut(&[String], Event<'_>),
) -> Result<(), XmlError> {
    let mut reader = Reader::from_reader(data);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|err| XmlError {
            offset: usize::try_from(reader.error_position()).unwrap_or(usize::MAX),
            message: err.to_string(),
        })?;
        let after = usize::try_from(reader.buffer_position()).unwrap_or(data.len());
        match event {
            XmlEvent::Start(ref tag) | XmlEvent::Empty(ref tag) => {
                let offset = tag_start(data, after);
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError {
                        offset,
                        message: format!("elements nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(local_name(tag.local_name().as_ref()));
                visit(&stack, Event::Start { offset });
                if matches!(event, XmlEvent::Empty(_)) {
                    visit(&stack, Event::End);
                    stack.pop();
                }
            }
            XmlEvent::End(_) => {
                visit(&stack, Event::End);
                stack.pop();
            }
            XmlEvent::Text(text) => {
                let text = text.decode().map_err(|err| not_utf8(after, &err))?;
                visit(&stack, Event::Text(&text));
            }
            XmlEvent::CData(text) => {
                let text = text.decode().map_err(|err| not_utf8(after, &err))?;
                visit(&stack, Event::Text(&text));
            }
            XmlEvent::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => reference
                        .decode()
                        .ok()
                        .and_then(|name| resolve_predefined_entity(&name))
                        .map(str::to_string),
                    Err(_) => None,
                };
                if let Some(text) = resolved {
                    visit(&stack, Event::Text(&text));
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    match stack.last() {
        Some(open) => Err(XmlError {
            offset: data.len(),
            message: format!("document ends inside <{open}>"),
        }),
        None => Ok(()),
    }
}

fn local_name(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

fn not_utf8(offset: usize, err: &dyn std::fmt::Display) -> XmlError {
    XmlError {
        offset,
        message: format!("text is not UTF-8 ({err})"),
    }
}

/// Where the tag that ends just before `after` starts. `<` cannot appear unescaped
/// inside a tag, so the last one before the end is the tag's own.
fn tag_start(data: &[u8], after: usize) -> usize {
    let end = after.min(data.len());
    memchr::memrchr(b'<', &data[..end]).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xml: &str) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        walk(xml.as_bytes(), |stack, event| {
            if let Event::Text(t) = event {
                out.push((stack.join("/"), t.to_string()));
            }
        })
        .map_err(|e| e.message)?;
        Ok(out)
    }

    #[test]
    fn namespaces_are_dropped_and_entities_resolved() {
        let got = texts(r#"<n:a xmlns:n="x"><n:b>1&amp;2&#x33;</n:b></n:a>"#).unwrap();
        let joined: String = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(got[0].0, "a/b");
        assert_eq!(joined, "1&23");
    }

    #[test]
    fn deep_and_truncated_documents_are_errors() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(texts(&deep).unwrap_err().contains("deeper"));
        assert!(texts("<a><b>x</b>").unwrap_err().contains("ends inside"));
        assert!(texts("<a></b>").is_err());
    }

    #[test]
    fn start_offsets_point_at_the_tag() {
        let xml = "<a>\n  <b\n   x='1'/>\n</a>";
        let mut offsets = Vec::new();
        walk(xml.as_bytes(), |_, event| {
            if let Event::Start { offset } = event {
                offsets.push(offset);
            }
        })
        .ok();
        assert_eq!(offsets, vec![0, 6]);
    }
}
