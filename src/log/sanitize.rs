//! Keeping every log line one well-formed line (reference-profiler §3.4:
//! `[Level] YYYY-MM-DD HH:MM:SS message`, one per line).
//!
//! Messages carry text the profiler does not control: names from extension
//! XML and from live-instrumentation documents the agent receives over the
//! network (§6.2), the unparsed rest of a malformed file (`Exception thrown
//! at <where>`, §2.3), metadata names. The original writes them verbatim, so
//! a newline in a class name forges a second log line and a multi-megabyte
//! name becomes a multi-megabyte line. Here control characters are escaped
//! and a message is cut at [`MAX_MESSAGE_BYTES`] (docs/compatibility.md L7).

use std::fmt::Write;

/// The longest message written, in bytes. The longest legitimate messages
/// are function descriptions with long generic signatures (a few KiB); 64
/// KiB keeps all of them whole while bounding what one hostile name costs.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Appends `message` to `out`: control characters other than tab become
/// `\n`, `\r` or `\u{…}` (so a line never splits and no terminal escape is
/// emitted), and anything past [`MAX_MESSAGE_BYTES`] is replaced by a note
/// saying how much was left out.
pub fn push_message(out: &mut String, message: &str) {
    let mut cut = message.len().min(MAX_MESSAGE_BYTES);
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    let (kept, omitted) = message.split_at(cut);
    if kept.contains(needs_escape) {
        for c in kept.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if needs_escape(c) => {
                    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                }
                c => out.push(c),
            }
        }
    } else {
        out.push_str(kept);
    }
    if !omitted.is_empty() {
        let _ = write!(out, " [... {} more bytes not logged]", omitted.len());
    }
}

/// C0 and C1 controls (including NEL, U+0085) and DEL, but not tab, which
/// neither breaks a line nor moves the cursor anywhere surprising.
fn needs_escape(c: char) -> bool {
    c.is_control() && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sanitized(message: &str) -> String {
        let mut out = String::new();
        push_message(&mut out, message);
        out
    }

    #[test]
    fn plain_text_and_tabs_are_unchanged() {
        assert_eq!(sanitized("Profiler initialized"), "Profiler initialized");
        assert_eq!(sanitized("a\tb héllo ✓"), "a\tb héllo ✓");
    }

    #[test]
    fn line_breaks_and_controls_are_escaped() {
        assert_eq!(
            sanitized("Class\n[Error] 2025-01-01 00:00:00 forged"),
            "Class\\n[Error] 2025-01-01 00:00:00 forged"
        );
        assert_eq!(sanitized("a\r\nb"), "a\\r\\nb");
        assert_eq!(
            sanitized("\u{1b}[31mred\u{7f}\u{85}\0"),
            "\\u{1b}[31mred\\u{7f}\\u{85}\\u{0}"
        );
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_MESSAGE_BYTES); // 2 bytes each
        let out = sanitized(&long);
        let kept = out.split(" [... ").next().unwrap_or_default();
        assert_eq!(kept.len(), MAX_MESSAGE_BYTES);
        assert_eq!(
            out,
            format!(
                "{kept} [... {} more bytes not logged]",
                long.len() - MAX_MESSAGE_BYTES
            )
        );
        let odd = format!("x{}", "é".repeat(MAX_MESSAGE_BYTES));
        let out = sanitized(&odd);
        assert!(out.starts_with('x'));
        assert!(out.ends_with(&format!(
            " [... {} more bytes not logged]",
            odd.len() - (MAX_MESSAGE_BYTES - 1)
        )));
    }
}
