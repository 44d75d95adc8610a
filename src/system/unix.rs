//! Linux process facts, read the way the original's `UnixSystemCalls` does.

/// `readlink /proc/self/exe`, or `.` when it cannot be read.
pub fn process_path() -> String {
    std::fs::read_link("/proc/self/exe")
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| ".".to_string())
}

/// `/proc/self/cmdline` rebuilt as one string.
pub fn command_line() -> String {
    let raw = std::fs::read("/proc/self/cmdline").unwrap_or_default();
    join_command_line(&raw)
}

/// Arguments joined by a space, each followed by a space (so there is a
/// trailing one), and an argument containing a space wrapped in single quotes
/// (§9).
pub fn join_command_line(raw: &[u8]) -> String {
    let mut out = String::new();
    // Every argument is NUL-terminated; the piece after the last NUL is not an argument.
    let body = raw.strip_suffix(&[0]).unwrap_or(raw);
    if body.is_empty() && raw.len() <= 1 {
        return out;
    }
    for arg in body.split(|b| *b == 0) {
        let text = String::from_utf8_lossy(arg);
        if text.contains(' ') {
            out.push('\'');
            out.push_str(&text);
            out.push('\'');
        } else {
            out.push_str(&text);
        }
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_quoting() {
        assert_eq!(join_command_line(b"dotnet\0run\0"), "dotnet run ");
        assert_eq!(
            join_command_line(b"/usr/bin/dotnet\0/my app/a.dll\0x\0"),
            "/usr/bin/dotnet '/my app/a.dll' x "
        );
        assert_eq!(join_command_line(b""), "");
        assert_eq!(
            join_command_line(b"app\0\0x\0"),
            "app  x ",
            "empty arguments are kept"
        );
    }
}
