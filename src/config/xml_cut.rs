//! A document cut off inside its first start tag (`<configuration` and
//! nothing more — a truncated download or a full disk). `roxmltree` reports
//! such input as "the document does not have a root node", the same as an
//! empty document, but RapidXML — the original's parser — rejects it with
//! `expected >`. The difference matters: for `newrelic.config` the original
//! logs `Exception thrown while attempting to parse main newrelic.config
//! file: expected >` (reference runs `brk` and `live-reload`), while
//! treating it as empty would tell the operator the `configuration` node is
//! missing; for an extension file it decides whether the file counts as
//! invalid (§4.4).

/// RapidXML's reason when the input ends inside a start tag whose name (and
/// any complete attributes) were read: it then expects `>` or `/>`.
pub const CUT_IN_START_TAG: &str = "expected >";

/// True when `text` holds nothing but a BOM, whitespace, complete comments,
/// processing instructions (the declaration) and a DOCTYPE: RapidXML parses
/// that as an empty document (so the file only warns that `extension` is
/// missing). `roxmltree` also reports "no root node" for an element start
/// cut off by the end of input (`<blah`), which RapidXML rejects, so that
/// case must count the file invalid (the original's
/// `increment_invalid_file`).
pub fn is_empty_document(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{FEFF}');
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        if rest.is_empty() {
            return true;
        }
        let end = if let Some(comment) = rest.strip_prefix("<!--") {
            comment.find("-->").map(|end| 4 + end + 3)
        } else if let Some(instruction) = rest.strip_prefix("<?") {
            instruction.find("?>").map(|end| 2 + end + 2)
        } else if rest.starts_with("<!DOCTYPE") {
            doctype_length(rest)
        } else {
            None
        };
        match end.and_then(|end| rest.get(end..)) {
            Some(after) => rest = after,
            None => return false,
        }
    }
}

/// Length of a `<!DOCTYPE …>` including an internal subset in `[…]`.
fn doctype_length(text: &str) -> Option<usize> {
    let mut in_subset = false;
    for (index, character) in text.char_indices() {
        match character {
            '[' => in_subset = true,
            ']' => in_subset = false,
            '>' if !in_subset => return Some(index + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prologs_are_empty_and_cut_start_tags_are_not() {
        for empty in [
            "",
            "  \n",
            "\u{FEFF}<?xml version=\"1.0\"?>",
            "<!-- c -->",
            "<!DOCTYPE x [<!ELEMENT x ANY>]>",
        ] {
            assert!(is_empty_document(empty), "{empty:?}");
        }
        for cut in [
            "<configuration",
            "<?xml version=\"1.0\"?><extension",
            "<a b=\"x\"",
            "<!-- c -->\n<configuration",
        ] {
            assert!(!is_empty_document(cut), "{cut:?}");
        }
    }
}
