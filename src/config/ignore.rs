//! The instrumentation ignore list from
//! `configuration/instrumentation/rules/ignore` (reference-profiler §4.5):
//! instrumentation points whose assembly (and, when given, class) match a
//! rule are discarded when the instrumentation XML is loaded.

use crate::system::strings::eq_ignore_case;

/// One `<ignore assemblyName=… [className=…]/>` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    pub assembly: String,
    /// `None` (or an empty `className`) ignores every class of the assembly.
    pub class: Option<String>,
}

impl IgnoreRule {
    /// An assembly-wide rule.
    pub fn assembly(assembly: impl Into<String>) -> IgnoreRule {
        IgnoreRule {
            assembly: assembly.into(),
            class: None,
        }
    }

    /// A rule for one class of one assembly.
    pub fn class(assembly: impl Into<String>, class: impl Into<String>) -> IgnoreRule {
        IgnoreRule {
            assembly: assembly.into(),
            class: Some(class.into()),
        }
    }

    /// The original's rule: assembly names equal case-insensitively
    /// (ASCII-xor), and the class equal too unless the rule has none. No
    /// partial matches.
    pub fn matches(&self, assembly: &str, class: &str) -> bool {
        if !eq_ignore_case(&self.assembly, assembly) {
            return false;
        }
        match self.class.as_deref() {
            None | Some("") => true,
            Some(rule_class) => eq_ignore_case(rule_class, class),
        }
    }
}

/// The rules in document order. Class-only `ignore` elements never get here
/// (they are dropped when the config is read).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreList {
    pub rules: Vec<IgnoreRule>,
}

impl IgnoreList {
    pub fn new(rules: Vec<IgnoreRule>) -> IgnoreList {
        IgnoreList { rules }
    }

    /// True if any rule matches.
    pub fn matches(&self, assembly: &str, class: &str) -> bool {
        self.rules.iter().any(|rule| rule.matches(assembly, class))
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
