//! The element tree the self-check reads a feed into, with `quick_xml`.
//!
//! Owns: reading XML into elements (resolved namespace, local name, attributes,
//! text, children, byte offset), refusing what is not well-formed (mismatched or
//! unclosed tags, undeclared prefixes, unknown entities, text outside the root).
//! A feed is read back once per build and can be tens of megabytes: text that
//! needs no unescaping (RSS CDATA) is borrowed, not copied, and nothing else of the
//! document (comments, processing instructions, whitespace) is kept.
//! Does not: know any feed format (`validate` does).

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::escape::{resolve_predefined_entity, unescape};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// A document: its elements, the first being the root.
pub(super) struct Tree<'i> {
    elems: Vec<Elem<'i>>,
    namespaces: Vec<String>,
}

struct Elem<'i> {
    ns: Option<usize>,
    name: Cow<'i, str>,
    attrs: Vec<(Cow<'i, str>, Cow<'i, str>)>,
    text: Cow<'i, str>,
    children: Vec<usize>,
    offset: usize,
}

/// One element of a `Tree`.
#[derive(Clone, Copy)]
pub(super) struct Node<'t, 'i> {
    tree: &'t Tree<'i>,
    id: usize,
}

/// Why a document could not be read, and where (a byte offset).
pub(super) struct NotWellFormed {
    pub offset: usize,
    pub msg: String,
}

impl<'i> Tree<'i> {
    /// Reads `text`; fails at the first thing that is not well-formed XML.
    pub fn parse(text: &'i str) -> Result<Tree<'i>, NotWellFormed> {
        let mut reader = NsReader::from_str(text);
        let mut tree = Tree {
            elems: Vec::new(),
            namespaces: Vec::new(),
        };
        let mut open: Vec<usize> = Vec::new();
        loop {
            let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let fail = |msg: String| NotWellFormed { offset: at, msg };
            let (ns, event) = match reader.read_resolved_event() {
                Ok((ResolveResult::Bound(n), event)) => (Some(tree.namespace(n.0)), event),
                Ok((ResolveResult::Unbound, event)) => (None, event),
                Ok((ResolveResult::Unknown(p), _)) => {
                    let p = String::from_utf8_lossy(&p);
                    return Err(fail(format!("undeclared namespace prefix `{p}`")));
                }
                Err(e) => {
                    return Err(NotWellFormed {
                        offset: usize::try_from(reader.error_position()).unwrap_or(at),
                        msg: e.to_string(),
                    });
                }
            };
            match event {
                Event::Start(e) | Event::Empty(e) if open.is_empty() && !tree.elems.is_empty() => {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    return Err(fail(format!("a second root element <{name}>")));
                }
                // An Atom text construct of type text or html holds only text (RFC 4287
                // 3.1.1): read it in one piece. Element by element and entity by
                // entity, the escaped HTML of a large feed took most of the check.
                Event::Start(e) if tree.is_atom(ns) && text_construct(&e) => {
                    let id = tree.add(text, ns, &e, at, open.last().copied())?;
                    let raw = reader.read_text(e.name()).map_err(|e| NotWellFormed {
                        offset: usize::try_from(reader.error_position()).unwrap_or(at),
                        msg: e.to_string(),
                    })?;
                    let raw = within(text, &raw)
                        .ok_or_else(|| fail("text that is not in the document".into()))?;
                    if raw.contains('<') {
                        let name = tree.elems[id].name.clone();
                        return Err(fail(format!("<{name}> holds markup, not only text")));
                    }
                    let t = unescape(raw).map_err(|e| fail(e.to_string()))?;
                    tree.text(Some(id), t).map_err(fail)?;
                }
                Event::Start(e) => open.push(tree.add(text, ns, &e, at, open.last().copied())?),
                Event::Empty(e) => {
                    tree.add(text, ns, &e, at, open.last().copied())?;
                }
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(t) => {
                    // Borrowed as it stands when there is no line end to normalise.
                    let t = match within(text, &t).filter(|s| !s.contains('\r')) {
                        Some(s) => Cow::Borrowed(s),
                        None => t.xml10_content().map_err(|e| fail(e.to_string()))?,
                    };
                    tree.text(open.last().copied(), t).map_err(fail)?;
                }
                Event::CData(c) => {
                    let t = c.decode().map_err(|e| fail(e.to_string()))?;
                    tree.text(open.last().copied(), t).map_err(fail)?;
                }
                Event::GeneralRef(r) => {
                    let mut buf = [0; 4];
                    let c: &str = match r.resolve_char_ref().map_err(|e| fail(e.to_string()))? {
                        Some(c) => c.encode_utf8(&mut buf),
                        None => {
                            let name = r.decode().map_err(|e| fail(e.to_string()))?;
                            resolve_predefined_entity(&name)
                                .ok_or_else(|| fail(format!("unknown entity `&{name};`")))?
                        }
                    };
                    tree.push(open.last().copied(), c).map_err(fail)?;
                }
                Event::Eof => break,
                Event::DocType(_) => return Err(fail("a feed has no DOCTYPE".into())),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        match (open.last(), tree.elems.is_empty()) {
            (Some(&id), _) => Err(NotWellFormed {
                offset: tree.elems[id].offset,
                msg: format!("<{}> is never closed", tree.elems[id].name),
            }),
            (None, true) => Err(NotWellFormed {
                offset: 0,
                msg: "no root element".into(),
            }),
            (None, false) => Ok(tree),
        }
    }

    /// Is `ns` the Atom namespace (where `type` on an element means RFC 4287's)?
    fn is_atom(&self, ns: Option<usize>) -> bool {
        ns.is_some_and(|i| self.namespaces[i] == ATOM_NS)
    }

    fn namespace(&mut self, uri: &[u8]) -> usize {
        match self.namespaces.iter().position(|n| n.as_bytes() == uri) {
            Some(i) => i,
            None => {
                self.namespaces
                    .push(String::from_utf8_lossy(uri).into_owned());
                self.namespaces.len() - 1
            }
        }
    }

    fn add(
        &mut self,
        doc: &'i str,
        ns: Option<usize>,
        e: &BytesStart<'_>,
        offset: usize,
        parent: Option<usize>,
    ) -> Result<usize, NotWellFormed> {
        let fail = |msg: String| NotWellFormed { offset, msg };
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| fail(e.to_string()))?;
            let plain = within(doc, &a.value).filter(|v| !v.contains(['&', '\t', '\n', '\r']));
            let value = match plain {
                Some(v) => Cow::Borrowed(v),
                None => Cow::Owned(
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| fail(e.to_string()))?
                        .into_owned(),
                ),
            };
            attrs.push((owned_or_borrowed(doc, a.key.as_ref()), value));
        }
        let id = self.elems.len();
        self.elems.push(Elem {
            ns,
            name: owned_or_borrowed(doc, e.local_name().as_ref()),
            attrs,
            text: Cow::Borrowed(""),
            children: Vec::new(),
            offset,
        });
        if let Some(p) = parent {
            self.elems[p].children.push(id);
        }
        Ok(id)
    }

    /// Appends `s` to the text of element `to` (copied, unlike `text`).
    fn push(&mut self, to: Option<usize>, s: &str) -> Result<(), String> {
        match to {
            Some(id) => {
                self.elems[id].text.to_mut().push_str(s);
                Ok(())
            }
            None => Err("text outside the root element".into()),
        }
    }

    /// Appends text to element `to`; outside the root only whitespace may stand.
    fn text(&mut self, to: Option<usize>, t: Cow<'i, str>) -> Result<(), String> {
        match to {
            Some(id) => {
                let text = &mut self.elems[id].text;
                match text.is_empty() {
                    true => *text = t,
                    false => text.to_mut().push_str(&t),
                }
                Ok(())
            }
            None if t.trim().is_empty() => Ok(()),
            None => Err("text outside the root element".into()),
        }
    }

    /// The root element.
    pub fn root(&self) -> Node<'_, 'i> {
        Node { tree: self, id: 0 }
    }
}

/// Is `e` (an Atom element) the start of a text construct that holds text:
/// `type="text"` or `type="html"` (never `xhtml`, whose content is elements)?
fn text_construct(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == b"type" && matches!(a.value.as_ref(), b"html" | b"text"))
}

/// `bytes` as a slice of `doc`, when that is where they are: the reader lends the
/// input's own bytes for most events, and taking them as they stand spares decoding
/// and copying what is already a `str`.
fn within<'i>(doc: &'i str, bytes: &[u8]) -> Option<&'i str> {
    let start = (bytes.as_ptr() as usize).checked_sub(doc.as_ptr() as usize)?;
    doc.get(start..start.checked_add(bytes.len())?)
        .filter(|s| s.as_ptr() == bytes.as_ptr())
}

fn owned_or_borrowed<'i>(doc: &'i str, bytes: &[u8]) -> Cow<'i, str> {
    match within(doc, bytes) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
    }
}

impl<'t, 'i> Node<'t, 'i> {
    fn elem(&self) -> &'t Elem<'i> {
        &self.tree.elems[self.id]
    }

    /// The local name.
    pub fn name(&self) -> &'t str {
        &self.elem().name
    }

    /// The namespace URI, if the element is in one.
    pub fn namespace(&self) -> Option<&'t str> {
        self.elem().ns.map(|i| self.tree.namespaces[i].as_str())
    }

    /// The value of the attribute written `name` (prefix included, if any).
    pub fn attribute(&self, name: &str) -> Option<&'t str> {
        let attrs = &self.elem().attrs;
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }

    /// The text directly inside the element (not that of its children).
    pub fn text(&self) -> &'t str {
        &self.elem().text
    }

    /// The child elements, in document order.
    pub fn children(self) -> impl Iterator<Item = Node<'t, 'i>> + 't {
        let tree = self.tree;
        tree.elems[self.id]
            .children
            .iter()
            .map(move |&id| Node { tree, id })
    }

    /// The byte offset of the start tag in the document.
    pub fn offset(&self) -> usize {
        self.elem().offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_namespaces_attributes_and_text() {
        let doc = r#"<?xml version="1.0"?><?xml-stylesheet href="x"?>
<rss xmlns:c="urn:c" version="2.0"><channel><item><c:encoded><![CDATA[<p>a</p>]]></c:encoded><title>A &amp; B&#x21;</title><x a="1 &lt; 2"/></item></channel></rss>"#;
        let tree = Tree::parse(doc).ok().unwrap();
        let root = tree.root();
        assert_eq!(
            (root.name(), root.attribute("version")),
            ("rss", Some("2.0"))
        );
        let item = root.children().next().unwrap().children().next().unwrap();
        let kids: Vec<_> = item.children().collect();
        assert_eq!(
            (kids[0].name(), kids[0].namespace()),
            ("encoded", Some("urn:c"))
        );
        assert_eq!(kids[0].text(), "<p>a</p>");
        assert!(matches!(tree.elems[3].text, Cow::Borrowed(_)));
        assert_eq!(kids[1].text(), "A & B!");
        assert_eq!(kids[2].attribute("a"), Some("1 < 2"));
        assert_eq!(&doc[kids[1].offset()..kids[1].offset() + 7], "<title>");
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><content type="html">&lt;p&gt;x&amp;amp;y&lt;/p&gt;</content><title type="text">t</title></feed>"#;
        let tree = Tree::parse(atom).ok().unwrap();
        let texts: Vec<&str> = tree.root().children().map(|n| n.text()).collect();
        assert_eq!(texts, ["<p>x&amp;y</p>", "t"]);
        // Outside Atom, `type` means nothing special: the element is read as any other.
        let other = r#"<m:d xmlns:m="urn:m" type="html"><![CDATA[<b>x</b>]]></m:d>"#;
        assert_eq!(Tree::parse(other).ok().unwrap().root().text(), "<b>x</b>");
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for (doc, want) in [
            ("<a><b></a>", "expected `</b>`"),
            ("<a><b>", "never closed"),
            ("<a>&nbsp;</a>", "unknown entity"),
            ("<p:a/>", "undeclared namespace prefix"),
            ("<a/><b/>", "second root"),
            ("<a/>text", "outside the root"),
            ("", "no root"),
            ("<a x='1' x='2'/>", "duplicated attribute"),
            (
                r#"<a xmlns="http://www.w3.org/2005/Atom" type="html">x<b/></a>"#,
                "holds markup",
            ),
            (
                r#"<a xmlns="http://www.w3.org/2005/Atom" type="html">&bad;</a>"#,
                "bad",
            ),
            (
                r#"<a xmlns="http://www.w3.org/2005/Atom" type="html">x</b>"#,
                "</a>",
            ),
        ] {
            match Tree::parse(doc) {
                Ok(_) => panic!("{doc} passed"),
                Err(e) => assert!(e.msg.contains(want), "{doc}: {}", e.msg),
            }
        }
    }
}
