//! String comparisons with the original profiler's semantics.
//!
//! The original compares case-insensitively by "ASCII-xor": two UTF-16 code
//! units are equal when identical or when they differ only in bit 0x20
//! (reference-profiler conventions). That also equates some non-letters
//! (`@`/`` ` ``, `[`/`{`); we reproduce it because process filters and
//! ignore rules depend on it.

/// One code unit compared the original's way.
fn unit_eq(a: u16, b: u16) -> bool {
    a == b || (a ^ b) == 0x20
}

fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// Equal ignoring case (ASCII-xor semantics).
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    let (a, b) = (units(a), units(b));
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| unit_eq(*x, *y))
}

/// `haystack` ends with `suffix`, ignoring case (ASCII-xor semantics).
pub fn ends_with_ignore_case(haystack: &str, suffix: &str) -> bool {
    let (h, s) = (units(haystack), units(suffix));
    h.len() >= s.len()
        && h[h.len() - s.len()..]
            .iter()
            .zip(&s)
            .all(|(x, y)| unit_eq(*x, *y))
}

/// `haystack` starts with `prefix`, ignoring case (ASCII-xor semantics).
pub fn starts_with_ignore_case(haystack: &str, prefix: &str) -> bool {
    let (h, p) = (units(haystack), units(prefix));
    h.len() >= p.len() && h[..p.len()].iter().zip(&p).all(|(x, y)| unit_eq(*x, *y))
}

/// `haystack` contains `needle`, ignoring case (ASCII-xor semantics).
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (units(haystack), units(needle));
    if n.is_empty() {
        return true;
    }
    h.windows(n.len())
        .any(|w| w.iter().zip(&n).all(|(x, y)| unit_eq(*x, *y)))
}

/// Upper-cases like `towupper` over the whole string (used on process paths
/// before the filter compares them, §2.5).
pub fn to_upper(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                // towupper maps one code unit to one: keep multi-char expansions unchanged.
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// Splits an environment list (`NEW_RELIC_*_APPLICATION_NAMES`): on `,`, no
/// trimming, empty middle items kept, an empty last item dropped (§2.2).
pub fn split_env_list(value: &str) -> Vec<String> {
    let mut items: Vec<String> = value.split(',').map(str::to_string).collect();
    if items.last().is_some_and(|last| last.is_empty()) {
        items.pop();
    }
    items
}

/// C++ `std::stoi` semantics used by the original for numeric attributes
/// and versions: leading whitespace skipped, an optional sign, then as many
/// decimal digits as follow; trailing text is ignored. `None` when no digit
/// follows or the value does not fit an `i32` (where `stoi` throws).
pub fn stoi(text: &str) -> Option<i32> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, rest) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    let magnitude: i64 = digits.parse().ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_equality() {
        assert!(eq_ignore_case("test", "TeSt"));
        assert!(eq_ignore_case("Foo", "foO"));
        assert!(!eq_ignore_case("tester", "TeSted"));
        assert!(!eq_ignore_case("a", "ab"));
        // The xor rule also matches these non-letters, as the original does.
        assert!(eq_ignore_case("@", "`"));
        assert!(eq_ignore_case("[", "{"));
    }

    #[test]
    fn ends_with_is_case_insensitive() {
        assert!(ends_with_ignore_case(r"C:\foo\w3wp.exe", "W3WP.EXE"));
        assert!(!ends_with_ignore_case(r"C:\foo\w3wp.exe", "W3WP.ESE"));
        assert!(!ends_with_ignore_case("exe", "w3wp.exe"));
        assert!(ends_with_ignore_case("x", ""));
    }

    #[test]
    fn contains_and_starts_with() {
        assert!(contains_ignore_case(
            "dotnet exec msbuild.DLL x",
            "MSBuild.dll"
        ));
        assert!(!contains_ignore_case("abc", "abd"));
        assert!(contains_ignore_case("abc", ""));
        assert!(starts_with_ignore_case("~Foo", "~f"));
        assert!(!starts_with_ignore_case("F~oo", "~"));
    }

    #[test]
    fn upper_casing() {
        assert_eq!(to_upper("/usr/bin/dotnet"), "/USR/BIN/DOTNET");
        assert_eq!(to_upper("straße"), "STRAßE");
        assert_eq!(to_upper("ホーム"), "ホーム");
    }

    #[test]
    fn stoi_like_cpp() {
        assert_eq!(stoi("12"), Some(12));
        assert_eq!(stoi("  7abc"), Some(7));
        assert_eq!(stoi("+3"), Some(3));
        assert_eq!(stoi("-1"), Some(-1));
        assert_eq!(stoi("01"), Some(1));
        assert_eq!(stoi("abc"), None);
        assert_eq!(stoi(""), None);
        assert_eq!(stoi("-"), None);
        assert_eq!(stoi("99999999999"), None);
    }

    #[test]
    fn env_list_split_rules() {
        assert_eq!(
            split_env_list("bar.exe,baz.exe"),
            vec!["bar.exe", "baz.exe"]
        );
        assert_eq!(split_env_list("a,,b,"), vec!["a", "", "b"]);
        assert_eq!(split_env_list(" a , b"), vec![" a ", " b"]);
        assert!(split_env_list("").is_empty());
        assert_eq!(split_env_list(","), vec![""]);
    }
}
