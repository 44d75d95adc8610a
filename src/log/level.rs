//! Log levels and the words that select them (reference-profiler §3.3).

/// Severity, ascending. A line is written when its level is at or above the
/// effective level.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

impl Level {
    /// The exactly-five-character tag written between brackets (§3.4):
    /// `Info ` and `Warn ` carry a trailing space.
    pub fn tag(self) -> &'static str {
        match self {
            Level::Trace => "Trace",
            Level::Debug => "Debug",
            Level::Info => "Info ",
            Level::Warn => "Warn ",
            Level::Error => "Error",
        }
    }

    /// Maps a `<log level>` attribute or `NEW_RELIC_LOG_LEVEL` value
    /// (case-insensitive). `None` means "unrecognised: keep the current level";
    /// note that `off` means Error, not disabled, and `trace` is *not* a
    /// recognised word (§3.3).
    pub fn from_config_word(word: &str) -> Option<Level> {
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "off" | "error" => Some(Level::Error),
            "warn" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" | "fine" => Some(Level::Debug),
            "verbose" | "finest" | "all" => Some(Level::Trace),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_five_characters() {
        for level in [
            Level::Trace,
            Level::Debug,
            Level::Info,
            Level::Warn,
            Level::Error,
        ] {
            assert_eq!(level.tag().len(), 5);
        }
        assert_eq!(Level::Info.tag(), "Info ");
        assert_eq!(Level::Warn.tag(), "Warn ");
    }

    #[test]
    fn config_words_map_like_the_original() {
        assert_eq!(Level::from_config_word("off"), Some(Level::Error));
        assert_eq!(Level::from_config_word("ERROR"), Some(Level::Error));
        assert_eq!(Level::from_config_word("Warn"), Some(Level::Warn));
        assert_eq!(Level::from_config_word("info"), Some(Level::Info));
        assert_eq!(Level::from_config_word("deBug"), Some(Level::Debug));
        assert_eq!(Level::from_config_word("fine"), Some(Level::Debug));
        assert_eq!(Level::from_config_word("FiNeSt"), Some(Level::Trace));
        assert_eq!(Level::from_config_word("verbose"), Some(Level::Trace));
        assert_eq!(Level::from_config_word("all"), Some(Level::Trace));
        assert_eq!(Level::from_config_word("trace"), None);
        assert_eq!(Level::from_config_word(""), None);
        assert_eq!(Level::from_config_word("warning"), None);
    }

    #[test]
    fn levels_are_ordered() {
        assert!(Level::Trace < Level::Debug);
        assert!(Level::Debug < Level::Info);
        assert!(Level::Info < Level::Warn);
        assert!(Level::Warn < Level::Error);
    }
}
