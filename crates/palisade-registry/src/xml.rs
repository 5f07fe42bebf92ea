//! A minimal element tree over quick-xml, enough to read Maven metadata and POMs:
//! local names, text, children. Bounded in depth and size, since a registry's XML is
//! untrusted input.

use quick_xml::Reader;
use quick_xml::events::Event;

const MAX_DEPTH: usize = 64;
const MAX_ELEMENTS: usize = 200_000;

#[derive(Debug, Default, Clone)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a `/`-separated path of first children.
    pub fn at(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |e, name| e.child(name))
    }

    /// The trimmed, non-empty text at `path`.
    pub fn text_at(&self, path: &str) -> Option<String> {
        let text = self.at(path)?.text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut count = 0usize;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {position}: {e}"))?;
        match event {
            Event::Start(start) => {
                count += 1;
                if stack.len() > MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err("XML nested too deeply or too large".into());
                }
                stack.push(Element {
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Element::default()
                });
            }
            Event::Empty(empty) => {
                count += 1;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Element {
                        name: String::from_utf8_lossy(empty.local_name().as_ref()).into_owned(),
                        ..Element::default()
                    });
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("unbalanced XML")?;
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .children
                    .push(element);
            }
            Event::Text(text) => push_text(&mut stack, &text.decode().map_err(|e| e.to_string())?),
            Event::CData(data) => push_text(&mut stack, &data.decode().map_err(|e| e.to_string())?),
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .map(String::from)
                } else {
                    let name = reference.decode().map_err(|e| e.to_string())?;
                    match name.as_ref() {
                        "amp" => Some("&".into()),
                        "lt" => Some("<".into()),
                        "gt" => Some(">".into()),
                        "quot" => Some("\"".into()),
                        "apos" => Some("'".into()),
                        _ => None,
                    }
                };
                if let Some(text) = resolved {
                    push_text(&mut stack, &text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("XML ends inside an element".into());
    }
    stack
        .pop()
        .and_then(|document| document.children.into_iter().next())
        .ok_or_else(|| "empty XML document".into())
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(current) = stack.last_mut() {
        current.text.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_and_entities() {
        let root = parse(
            "<?xml version=\"1.0\"?><project xmlns=\"x\"><a><b>one &amp; two&#33;</b><b/></a>\
             <c><![CDATA[<raw>]]></c></project>",
        )
        .unwrap();
        assert_eq!(root.name, "project");
        assert_eq!(root.text_at("a/b").as_deref(), Some("one & two!"));
        assert_eq!(root.at("a").unwrap().children("b").count(), 2);
        assert_eq!(root.text_at("c").as_deref(), Some("<raw>"));
    }

    #[test]
    fn refuses_broken_and_deep_documents() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(&deep).is_err());
    }
}
