//! A minimal, bounded XML element tree for the XML manifests (pom.xml, packages.config,
//! csproj): element names without namespace prefixes, attributes, text and line numbers.
//! DTDs and custom entities are never expanded; nesting is capped at [`MAX_DEPTH`].

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::DepsError;
use crate::util::line_at;

/// Deeper nesting is refused: no real manifest comes near it.
pub(crate) const MAX_DEPTH: usize = 128;

#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    pub line: usize,
}

impl Element {
    /// The first child element with this (local) name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All child elements with this (local) name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child with this name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// An attribute value, matched case-insensitively (MSBuild is case-insensitive).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.into_owned(),
    }
}

/// True for a well-formed XML name (letters, digits, `_`, `-`, `.`, `:`, not starting
/// with a digit, `-` or `.`): quick-xml does not check names, and a `${...}` element name
/// means a template, not a manifest.
fn valid_name(name: &[u8]) -> bool {
    let ok =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80;
    name.first()
        .is_some_and(|&b| ok(b) && !b.is_ascii_digit() && b != b'-' && b != b'.')
        && name.iter().all(|&b| ok(b))
}

fn start(e: &BytesStart, line: usize) -> Result<Element, String> {
    if !valid_name(e.name().as_ref()) {
        return Err(format!(
            "invalid element name `{}`",
            String::from_utf8_lossy(e.name().as_ref())
        ));
    }
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a.unescape_value().map_err(|e| e.to_string())?;
        attrs.push((local(a.key.as_ref()), value.into_owned()));
    }
    Ok(Element {
        name: local(e.name().as_ref()),
        attrs,
        line,
        ..Element::default()
    })
}

/// Parses `text` into its root element.
pub(crate) fn parse(path: &Path, text: &str, what: &str) -> Result<Element, DepsError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let err = |pos: u64, msg: String| {
        DepsError::new(
            path,
            Some(line_at(text, pos as usize)),
            format!("invalid {what}: {msg}"),
        )
    };
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| err(reader.error_position(), e.to_string()))?;
        let line = line_at(text, pos as usize);
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(pos, format!("elements nest deeper than {MAX_DEPTH}")));
                }
                stack.push(start(&e, line).map_err(|m| err(pos, m))?);
            }
            Event::Empty(e) => {
                let el = start(&e, line).map_err(|m| err(pos, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = root.or(Some(el)),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(err(pos, "unexpected closing tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = root.or(Some(el)),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text
                        .push_str(&t.decode().map_err(|e| err(pos, e.to_string()))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(el) = stack.last_mut() {
                    let name = r.decode().map_err(|e| err(pos, e.to_string()))?;
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        el.text.push(c);
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                        el.text.push_str(s);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(err(
            text.len() as u64,
            format!("unclosed element `{}`", stack[stack.len() - 1].name),
        ));
    }
    root.ok_or_else(|| DepsError::new(path, None, format!("invalid {what}: no root element")))
}
