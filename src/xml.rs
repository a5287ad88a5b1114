//! A small, hardened XML reader and the escaping used by every XML writer.
//!
//! Guichet reads two kinds of XML: SOAP envelopes sent by clients and service
//! definitions written by administrators. Both are small, so they are read into
//! a namespace-resolved tree ([`Element`]) by [`parse`], which refuses what a
//! SOAP endpoint must refuse (WS-I BP 1.1 R1008/R1009): a DTD, a processing
//! instruction, any entity other than the five predefined ones and character
//! references. Depth and element count are bounded, so a hostile document costs
//! at most its (already bounded) size. quick-xml never expands entities itself.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use std::fmt;

/// Bounds applied while parsing.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest element nesting accepted (the root is depth 1).
    pub max_depth: usize,
    /// Largest number of elements in one document.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 32,
            max_elements: 10_000,
        }
    }
}

/// An element with its resolved namespace, attributes, child elements and the
/// concatenation of its own text (mixed content is not needed here).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub ns: Option<String>,
    pub name: String,
    pub value: String,
}

impl Element {
    /// True when the element has this namespace and local name.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.name == name
    }

    /// The value of an attribute without namespace.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.ns.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The value of a namespaced attribute.
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The first child with this local name, whatever its namespace.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// `{namespace}local` form, for messages.
    pub fn qualified_name(&self) -> String {
        match &self.ns {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlError {
    /// Not well-formed, or ended early (truncated). Position in bytes.
    Malformed {
        position: u64,
        reason: String,
    },
    /// A `<!DOCTYPE …>`: forbidden in SOAP messages and service definitions.
    Doctype,
    /// A processing instruction other than the XML declaration.
    ProcessingInstruction,
    /// An entity reference other than `&lt; &gt; &amp; &apos; &quot;`.
    UndeclaredEntity(String),
    /// A prefix used without a namespace declaration.
    UnboundPrefix(String),
    /// The declaration names an encoding other than UTF-8.
    UnsupportedEncoding(String),
    TooDeep(usize),
    TooManyElements(usize),
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlError::Malformed { position, reason } => {
                write!(f, "XML mal formé (octet {position}) : {reason}")
            }
            XmlError::Doctype => write!(f, "les déclarations DOCTYPE (DTD) sont interdites"),
            XmlError::ProcessingInstruction => {
                write!(f, "les instructions de traitement XML sont interdites")
            }
            XmlError::UndeclaredEntity(e) => write!(f, "entité non déclarée : &{e};"),
            XmlError::UnboundPrefix(p) => write!(f, "préfixe d'espace de noms non déclaré : {p}"),
            XmlError::UnsupportedEncoding(e) => {
                write!(
                    f,
                    "encodage non pris en charge : {e} (seul UTF-8 est accepté)"
                )
            }
            XmlError::TooDeep(d) => write!(f, "imbrication trop profonde (plus de {d} niveaux)"),
            XmlError::TooManyElements(n) => write!(f, "trop d'éléments (plus de {n})"),
        }
    }
}

impl std::error::Error for XmlError {}

impl XmlError {
    /// A stable machine code, used in SOAP fault details.
    pub fn code(&self) -> &'static str {
        match self {
            XmlError::Malformed { .. } => "malformed-xml",
            XmlError::Doctype => "dtd-forbidden",
            XmlError::ProcessingInstruction => "processing-instruction-forbidden",
            XmlError::UndeclaredEntity(_) => "undeclared-entity",
            XmlError::UnboundPrefix(_) => "unbound-prefix",
            XmlError::UnsupportedEncoding(_) => "unsupported-encoding",
            XmlError::TooDeep(_) => "too-deep",
            XmlError::TooManyElements(_) => "too-many-elements",
        }
    }
}

/// Parses a whole document into its root element.
pub fn parse(input: &str, limits: Limits) -> Result<Element, XmlError> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut reader = NsReader::from_str(input);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;

    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, ev)) => (resolved(ns)?, ev),
            Err(e) => return Err(malformed(&reader, e.to_string())),
        };
        match event {
            Event::Decl(decl) => {
                if let Some(Ok(enc)) = decl.encoding() {
                    let enc = enc.to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" && enc != "us-ascii" {
                        return Err(XmlError::UnsupportedEncoding(enc));
                    }
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::PI(_) => return Err(XmlError::ProcessingInstruction),
            Event::Comment(_) => {}
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(malformed(&reader, "contenu après l'élément racine".into()));
                }
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements(limits.max_elements));
                }
                if stack.len() + 1 > limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
                let mut element = Element {
                    ns,
                    name: start.local_name().as_ref().to_owned(),
                    ..Element::default()
                };
                element.attributes = attributes(&reader, start)?;
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| malformed(&reader, "balise fermante inattendue".into()))?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => {
                        return Err(malformed(&reader, "texte hors de l'élément racine".into()));
                    }
                }
            }
            Event::CData(cdata) => match stack.last_mut() {
                Some(top) => top.text.push_str(&cdata.xml10_content()),
                None => return Err(malformed(&reader, "CDATA hors de l'élément racine".into())),
            },
            Event::GeneralRef(reference) => {
                let ch = general_ref(&reader, &reference)?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&ch),
                    None => {
                        return Err(malformed(
                            &reader,
                            "référence hors de l'élément racine".into(),
                        ));
                    }
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    return Err(malformed(
                        &reader,
                        format!(
                            "document tronqué : <{}> n'est pas fermé",
                            stack[stack.len() - 1].name
                        ),
                    ));
                }
                return root.ok_or_else(|| malformed(&reader, "document vide".into()));
            }
        }
    }
}

fn malformed(reader: &NsReader<&[u8]>, reason: String) -> XmlError {
    XmlError::Malformed {
        position: reader.buffer_position(),
        reason,
    }
}

/// An element's attributes, namespaces resolved, values normalised;
/// namespace declarations left out.
fn attributes(
    reader: &NsReader<&[u8]>,
    start: &quick_xml::events::BytesStart,
) -> Result<Vec<Attribute>, XmlError> {
    let mut out = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(reader, e.to_string()))?;
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (ans, local) = reader.resolver().resolve_attribute(key);
        let ans = resolved(ans)?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| entity_error(reader, e.to_string()))?;
        out.push(Attribute {
            ns: ans,
            name: local.as_ref().to_owned(),
            value: value.into_owned(),
        });
    }
    Ok(out)
}

/// A character reference, or one of the five predefined entities; any
/// other entity is refused (nothing is ever expanded).
fn general_ref(
    reader: &NsReader<&[u8]>,
    reference: &quick_xml::events::BytesRef,
) -> Result<String, XmlError> {
    Ok(match reference.resolve_char_ref() {
        Ok(Some(c)) if is_xml_char(c) => c.to_string(),
        Ok(Some(_)) | Err(_) => {
            return Err(malformed(reader, "référence de caractère invalide".into()));
        }
        Ok(None) => match reference.xml10_content().as_ref() {
            "lt" => "<".into(),
            "gt" => ">".into(),
            "amp" => "&".into(),
            "apos" => "'".into(),
            "quot" => "\"".into(),
            other => return Err(XmlError::UndeclaredEntity(other.to_owned())),
        },
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn resolved(ns: ResolveResult<'_>) -> Result<Option<String>, XmlError> {
    match ns {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(XmlError::UnboundPrefix(prefix)),
    }
}

fn entity_error(reader: &NsReader<&[u8]>, reason: String) -> XmlError {
    if let Some(rest) = reason.split("Unrecognized escape symbol: ").nth(1) {
        return XmlError::UndeclaredEntity(rest.trim_matches(|c| c == '"' || c == '\'').to_owned());
    }
    XmlError::Malformed {
        position: reader.buffer_position(),
        reason,
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes text for attribute values (`< > & ' "`).
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    match xml_chars(text) {
        std::borrow::Cow::Borrowed(t) => quick_xml::escape::escape(t),
        std::borrow::Cow::Owned(t) => quick_xml::escape::escape(&t).into_owned().into(),
    }
}

/// Escapes text for element content (`< > &`), leaving quotes readable.
pub fn escape_text(text: &str) -> std::borrow::Cow<'_, str> {
    match xml_chars(text) {
        std::borrow::Cow::Borrowed(t) => quick_xml::escape::partial_escape(t),
        std::borrow::Cow::Owned(t) => quick_xml::escape::partial_escape(&t).into_owned().into(),
    }
}

/// `text` with each character XML 1.0 cannot carry (controls other than
/// tab and line ends, U+FFFE, U+FFFF) replaced by U+FFFD: a value typed
/// with a NUL, shown back next to its error, never makes a document that
/// does not parse (found by the `http` fuzz target).
fn xml_chars(text: &str) -> std::borrow::Cow<'_, str> {
    let refused = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    let clean = text
        .bytes()
        .all(|b| b >= b' ' || matches!(b, b'\t' | b'\n' | b'\r'))
        && !text.contains(['\u{FFFE}', '\u{FFFF}']);
    if clean {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if refused(c) { '\u{FFFD}' } else { c })
        .collect::<String>()
        .into()
}

/// Appends `<name>escaped text</name>` to `out`.
pub fn push_text_element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape_text(text));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Element, XmlError> {
        parse(s, Limits::default())
    }

    #[test]
    fn what_xml_cannot_carry_is_never_written() {
        assert_eq!(
            escape_text("a\u{0}b\u{1b}c\td\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\td\u{FFFD}"
        );
        assert_eq!(escape("<\u{8}\"&"), "&lt;\u{FFFD}&quot;&amp;");
        let typed = format!(
            "<v a=\"{}\">{}</v>",
            escape("x\u{0}"),
            escape_text("Trou\u{0}")
        );
        assert!(p(&typed).is_ok(), "{typed}");
        assert!(matches!(
            escape_text("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn resolves_namespaces_not_prefixes() {
        let a = p(r#"<a:x xmlns:a="urn:t"><a:y>1</a:y></a:x>"#).unwrap();
        let b = p(r#"<x xmlns="urn:t"><y>1</y></x>"#).unwrap();
        assert_eq!(a, b);
        assert!(a.is("urn:t", "x"));
        assert_eq!(a.children[0].text, "1");
    }

    #[test]
    fn decodes_predefined_entities_and_char_refs() {
        let e = p("<x>&lt;a&gt; &amp; &#233;&#x20AC; &quot;&apos;</x>").unwrap();
        assert_eq!(e.text, "<a> & é€ \"'");
        let e = p(r#"<x v="a&amp;b&#233;"/>"#).unwrap();
        assert_eq!(e.attr("v"), Some("a&bé"));
    }

    #[test]
    fn refuses_dtd_entities_and_pis() {
        assert_eq!(
            p(r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>"#),
            Err(XmlError::Doctype)
        );
        assert_eq!(p("<x>&e;</x>"), Err(XmlError::UndeclaredEntity("e".into())));
        assert_eq!(
            p("<x><?php echo 1; ?></x>"),
            Err(XmlError::ProcessingInstruction)
        );
        assert!(p(r#"<?xml version="1.0" encoding="UTF-8"?><x/>"#).is_ok());
    }

    #[test]
    fn refuses_truncated_and_malformed_documents() {
        for bad in [
            "<x><y>",
            "<x></y>",
            "",
            "<x/><y/>",
            "<x>",
            "text",
            "<x a='1' a='2'/>",
            "<p:x/>",
        ] {
            assert!(p(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(matches!(p("<x><y>"), Err(XmlError::Malformed { .. })));
    }

    #[test]
    fn bounds_depth_and_count() {
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(p(&deep), Err(XmlError::TooDeep(32)));
        let wide = format!("<a>{}</a>", "<b/>".repeat(10_001));
        assert_eq!(p(&wide), Err(XmlError::TooManyElements(10_000)));
    }

    #[test]
    fn refuses_other_encodings() {
        assert_eq!(
            p(r#"<?xml version="1.0" encoding="ISO-8859-1"?><x/>"#),
            Err(XmlError::UnsupportedEncoding("iso-8859-1".into()))
        );
    }
}
