//! Small helpers over `roxmltree` that read XML the way the original's
//! RapidXML calls do (reference-profiler §2.3): element and attribute names
//! are matched ASCII-case-insensitively on the name *as written* (a prefix is
//! part of the name, `xmlns` declarations are not consulted), entities in
//! attribute values are decoded, comments and processing instructions are
//! skipped, and a BOM or leading whitespace before the declaration is
//! tolerated. Shared by `newrelic.config`, `app.config` and (later) the
//! instrumentation XML reader, so the helpers are generic: "child elements
//! named X", "attribute named Y".
//!
//! Known differences from RapidXML, which is a non-validating parser:
//! `roxmltree` rejects some malformed documents RapidXML accepts (mismatched
//! end tags, undeclared entities or namespace prefixes, duplicate
//! attributes, several root elements), and normalises tabs and newlines in
//! attribute values to spaces as the XML standard requires. Such documents
//! are reported as parse errors with the reference texts.

use roxmltree::{Document, Node, ParsingOptions};

/// A parse failure: the parser's description and the unparsed rest of the
/// document from the failure position (the original logs both, as
/// `exception.what()` and `exception.where()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    /// What went wrong, with the row and column.
    pub what: String,
    /// The input from the failure position to the end.
    pub remainder: String,
}

/// Parses `text`. `Ok(None)` means the text holds no element at all (empty,
/// whitespace, only a declaration or comments): RapidXML accepts such input
/// as an empty document, and callers then report a missing node rather than
/// a parse error. Input cut off inside its first start tag is a parse error
/// with RapidXML's reason `expected >` ([`super::xml_cut`]).
pub fn parse(text: &str) -> Result<Option<Document<'_>>, XmlError> {
    let trimmed = trim_leading(text);
    if let Some(at) = trimmed.find(ENTITY_DECLARATION) {
        if references_declared_entities(trimmed) {
            return Err(entity_declaration_error(trimmed, at));
        }
    }
    let options = ParsingOptions {
        // RapidXML skips a DOCTYPE; roxmltree only accepts one when allowed.
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    match Document::parse_with_options(trimmed, options) {
        Ok(document) => Ok(Some(document)),
        Err(roxmltree::Error::NoRootNode) if super::xml_cut::is_empty_document(trimmed) => Ok(None),
        Err(roxmltree::Error::NoRootNode) => Err(XmlError {
            what: super::xml_cut::CUT_IN_START_TAG.to_string(),
            remainder: String::new(),
        }),
        Err(error) => Err(XmlError {
            what: error.to_string(),
            remainder: remainder_at(trimmed, error.pos()),
        }),
    }
}

/// The start of a DTD entity declaration.
const ENTITY_DECLARATION: &str = "<!ENTITY";

/// Documents that declare entities and use them are refused before
/// parsing. `roxmltree` expands internal entities; its loop detector stops
/// the classic billion laughs, but one megabyte-sized entity referenced a
/// few hundred times per reference, referenced again at top level, still
/// expands to gigabytes and keeps the parser busy for minutes — at profiler
/// start-up, before the application runs. RapidXML never expanded declared
/// entities (it skips the DOCTYPE and leaves `&name;` as text) and no New
/// Relic file declares any, so refusing them loses nothing; a declaration
/// nothing refers to cannot expand and is still accepted
/// (docs/compatibility.md C6).
fn references_declared_entities(text: &str) -> bool {
    const PREDEFINED: [&str; 5] = ["lt", "gt", "amp", "apos", "quot"];
    text.match_indices('&').any(|(at, _)| {
        let rest = text.get(at + 1..).unwrap_or_default();
        let name = rest.split(';').next().unwrap_or_default();
        !name.starts_with('#') && !PREDEFINED.contains(&name)
    })
}

/// The error for a document refused by [`references_declared_entities`].
fn entity_declaration_error(text: &str, at: usize) -> XmlError {
    let before = text.get(..at).unwrap_or_default();
    let row = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    XmlError {
        what: format!(
            "entity declarations are not supported (a possible entity-expansion attack) at {row}:{col}"
        ),
        remainder: text.get(at..).unwrap_or_default().to_string(),
    }
}

/// A BOM and whitespace before the first markup are skipped: the original's
/// tests put indentation before `<?xml ...?>`, which the XML standard (and
/// `roxmltree`) would otherwise reject.
fn trim_leading(text: &str) -> &str {
    text.trim_start_matches('\u{FEFF}')
        .trim_start_matches([' ', '\t', '\r', '\n'])
}

/// The text from a 1-based row/column (column counted in characters).
fn remainder_at(text: &str, pos: roxmltree::TextPos) -> String {
    let mut offset = 0usize;
    for _ in 1..pos.row {
        match text.get(offset..).and_then(|rest| rest.find('\n')) {
            Some(newline) => offset += newline + 1,
            None => return String::new(),
        }
    }
    let rest = text.get(offset..).unwrap_or_default();
    let skip = usize::try_from(pos.col.saturating_sub(1)).unwrap_or(usize::MAX);
    let start = rest
        .char_indices()
        .nth(skip)
        .map_or(rest.len(), |(index, _)| index);
    rest.get(start..).unwrap_or_default().to_string()
}

/// The element's name as written in the document, prefix included
/// (`nr:configuration` stays `nr:configuration`, as RapidXML sees it).
pub fn qualified_name<'a>(node: Node<'a, '_>) -> &'a str {
    let input = node.document().input_text();
    let range = node.range();
    let raw = input
        .get(range.start..range.end)
        .and_then(|s| s.strip_prefix('<'));
    match raw {
        Some(raw) => {
            let end = raw
                .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
                .unwrap_or(raw.len());
            raw.get(..end).unwrap_or_default()
        }
        None => node.tag_name().name(),
    }
}

/// Names compare like RapidXML's case-insensitive lookup: ASCII letters only.
pub fn name_eq(actual: &str, wanted: &str) -> bool {
    actual.eq_ignore_ascii_case(wanted)
}

/// `node` is an element named `name` (case-insensitive).
pub fn is_element_named(node: Node<'_, '_>, name: &str) -> bool {
    node.is_element() && name_eq(qualified_name(node), name)
}

/// The document's root element if it is named `name` (RapidXML's
/// `document.first_node(name)`; a well-formed document has one root).
pub fn root_element_named<'a, 'input>(
    document: &'a Document<'input>,
    name: &str,
) -> Option<Node<'a, 'input>> {
    let root = document.root_element();
    is_element_named(root, name).then_some(root)
}

/// Child elements of `node` named `name`, in document order.
pub fn children_named<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| is_element_named(*child, name))
}

/// The first child element of `node` named `name`.
pub fn first_child_named<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    name: &str,
) -> Option<Node<'a, 'input>> {
    node.children().find(|child| is_element_named(*child, name))
}

/// The value of the first attribute named `name` (case-insensitive, name as
/// written), entities decoded. Namespace declarations (`xmlns`, `xmlns:*`)
/// are not attributes for `roxmltree` and are never returned.
pub fn attribute<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    let input = node.document().input_text();
    node.attributes()
        .find(|attribute| {
            let written = input
                .get(attribute.range_qname())
                .unwrap_or_else(|| attribute.name());
            name_eq(written, name)
        })
        .map(|attribute| attribute.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document<'_> {
        parse(text).unwrap().unwrap()
    }

    #[test]
    fn tolerates_bom_and_indentation_before_the_declaration() {
        let text = "\u{FEFF}\n    <?xml version=\"1.0\"?>\n    <configuration/>\n    ";
        let document = doc(text);
        assert!(root_element_named(&document, "configuration").is_some());
        let document = doc("   <?xml version=\"1.0\"?><configuration/>");
        assert!(root_element_named(&document, "CONFIGURATION").is_some());
    }

    #[test]
    fn documents_without_elements_are_empty_not_errors() {
        assert!(parse("").unwrap().is_none());
        assert!(parse("   \n ").unwrap().is_none());
        assert!(parse("<?xml version=\"1.0\"?>").unwrap().is_none());
        assert!(parse("<?xml version=\"1.0\"?><!-- only a comment -->")
            .unwrap()
            .is_none());
    }

    #[test]
    fn names_match_case_insensitively_and_namespaces_are_ignored() {
        let document = doc(
            r#"<Configuration xmlns="urn:newrelic-config" AgentEnabled="false">
                 <!-- comment --><LOG level="debug"/><log level="info"/>
               </Configuration>"#,
        );
        let root = root_element_named(&document, "configuration").unwrap();
        assert_eq!(attribute(root, "agentenabled"), Some("false"));
        assert_eq!(attribute(root, "xmlns"), None);
        let log = first_child_named(root, "log").unwrap();
        assert_eq!(attribute(log, "LEVEL"), Some("debug"));
        assert_eq!(children_named(root, "Log").count(), 2);
        assert_eq!(children_named(root, "logs").count(), 0);
    }

    #[test]
    fn prefixes_are_part_of_the_name() {
        let document = doc(r#"<nr:configuration xmlns:nr="urn:x" nr:a="1" b="2"/>"#);
        assert!(root_element_named(&document, "configuration").is_none());
        let root = root_element_named(&document, "NR:Configuration").unwrap();
        assert_eq!(qualified_name(root), "nr:configuration");
        assert_eq!(attribute(root, "a"), None);
        assert_eq!(attribute(root, "nr:A"), Some("1"));
        assert_eq!(attribute(root, "b"), Some("2"));
    }

    #[test]
    fn entities_are_decoded_in_attribute_values() {
        let document = doc(r#"<a name="x &amp; y &lt;&#65;&#x42;&gt; &quot;q&quot; &apos;"/>"#);
        assert_eq!(
            attribute(document.root_element(), "name"),
            Some("x & y <AB> \"q\" '")
        );
        let document = doc("<a name='single \"quoted\"'/>");
        assert_eq!(
            attribute(document.root_element(), "name"),
            Some("single \"quoted\"")
        );
    }

    #[test]
    fn qualified_name_stops_at_whitespace_slash_or_bracket() {
        let document = doc("<root>\n<a\tx='1'/><b/><c></c><d\n/></root>");
        let names: Vec<&str> = document
            .root_element()
            .children()
            .filter(|n| n.is_element())
            .map(qualified_name)
            .collect();
        assert_eq!(names, vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn errors_carry_what_and_where() {
        let error = parse("<configuration>\n  <log level=\"x\">\n</configuration>").unwrap_err();
        assert!(!error.what.is_empty());
        assert!(
            error.remainder.contains("configuration>"),
            "{:?}",
            error.remainder
        );
        let error = parse("<a b=c/>").unwrap_err();
        assert!(!error.what.is_empty());
        let error = parse("not xml").unwrap_err();
        assert!(!error.what.is_empty());
    }

    #[test]
    fn remainder_handles_rows_columns_and_multibyte_text() {
        let text = "ab\nçdé\nxyz";
        assert_eq!(remainder_at(text, roxmltree::TextPos::new(1, 1)), text);
        assert_eq!(remainder_at(text, roxmltree::TextPos::new(2, 2)), "dé\nxyz");
        assert_eq!(remainder_at(text, roxmltree::TextPos::new(3, 3)), "z");
        assert_eq!(remainder_at(text, roxmltree::TextPos::new(3, 9)), "");
        assert_eq!(remainder_at(text, roxmltree::TextPos::new(9, 1)), "");
    }

    #[test]
    fn declaration_variants_are_accepted() {
        for text in [
            "<?xml version=\"1.0\" encoding=\"utf-16\"?><configuration/>",
            "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\r\n<configuration/>",
            "<!-- leading comment --><configuration/>",
            "<configuration/><!-- trailing comment -->\n",
        ] {
            let document = doc(text);
            assert!(
                root_element_named(&document, "configuration").is_some(),
                "{text}"
            );
        }
    }

    #[test]
    fn entity_declarations_are_refused_before_any_expansion() {
        let big = "x".repeat(1 << 20);
        let bomb = format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY a \"{big}\"><!ENTITY b \"{}\">]><extension>{}</extension>",
            "&a;".repeat(200),
            "&b;".repeat(100)
        );
        let error = parse(&bomb).unwrap_err();
        assert_eq!(
            error.what,
            "entity declarations are not supported (a possible entity-expansion attack) at 2:14"
        );
        assert!(error.remainder.starts_with("<!ENTITY a "));
        let laughs =
            "<!DOCTYPE l [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;\">]><a b=\"&lol1;\"/>";
        assert!(parse(laughs).is_err());
        let unused = "<!DOCTYPE a [<!ENTITY x 'y'>]><a b=\"&amp;&#65;&lt;\"/>";
        assert!(parse(unused).is_ok(), "nothing refers to the declaration");
    }

    #[test]
    fn deep_nesting_parses_without_recursion() {
        let depth = 100_000;
        let text = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let document = doc(&text);
        assert_eq!(document.descendants().count(), depth + 1);
    }

    #[test]
    fn doctype_is_accepted() {
        let document = doc("<?xml version='1.0'?><!DOCTYPE configuration><configuration/>");
        assert!(root_element_named(&document, "configuration").is_some());
    }
}
