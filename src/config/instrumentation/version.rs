//! Four-part assembly versions for `match/@minVersion` and `@maxVersion`
//! (reference-profiler §4.6): the XML text is parsed leniently, the way the
//! original's `AssemblyVersion::Create` does with `stoi`, and compared with
//! the method's assembly version (`GetAssemblyProps`) as min-inclusive,
//! max-exclusive.

use std::fmt;

use crate::system::strings::stoi;

/// `major.minor.build.revision`, each an unsigned 16-bit value as in
/// `ASSEMBLYMETADATA`. The derived ordering compares the parts left to
/// right, which is the original's `<`/`>` (missing parts are 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssemblyVersion {
    pub major: u16,
    pub minor: u16,
    pub build: u16,
    pub revision: u16,
}

/// Why a version text was rejected. `Empty` and `Zero` are silent (the
/// original returns "no version" without a log line); the others log
/// `<text> is not a valid version` at Warn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// The attribute is absent or empty.
    Empty,
    /// More than four dot-separated parts.
    TooManyParts,
    /// A part has no leading digits (`stoi` would throw), or overflows `int`.
    NotANumber,
    /// A part is negative or above 65535.
    OutOfRange,
    /// `0.0.0.0` means "no bound".
    Zero,
}

impl VersionError {
    /// The original warns for every rejection except empty text and zero.
    pub fn is_warned(self) -> bool {
        !matches!(self, VersionError::Empty | VersionError::Zero)
    }
}

impl AssemblyVersion {
    pub const fn new(major: u16, minor: u16, build: u16, revision: u16) -> AssemblyVersion {
        AssemblyVersion {
            major,
            minor,
            build,
            revision,
        }
    }

    /// Parses a version attribute (§4.6): split on `.` keeping empty parts,
    /// at most four parts, each read with `stoi` semantics (leading
    /// whitespace and a sign accepted, trailing text ignored: `1x2x3` is 1,
    /// `1.0xff` is 1.0), each within 0..=65535, missing parts 0, and
    /// `0.0.0.0` treated as absent.
    pub fn parse(text: &str) -> Result<AssemblyVersion, VersionError> {
        if text.is_empty() {
            return Err(VersionError::Empty);
        }
        // The original rejects too many parts before parsing any of them.
        if text.split('.').count() > 4 {
            return Err(VersionError::TooManyParts);
        }
        let mut parts = [0u16; 4];
        for (slot, part) in parts.iter_mut().zip(text.split('.')) {
            let value = stoi(part).ok_or(VersionError::NotANumber)?;
            *slot = u16::try_from(value).map_err(|_| VersionError::OutOfRange)?;
        }
        let [major, minor, build, revision] = parts;
        let version = AssemblyVersion::new(major, minor, build, revision);
        if version == AssemblyVersion::default() {
            return Err(VersionError::Zero);
        }
        Ok(version)
    }
}

/// `a.b.c.d`, as the original's `ToString` writes it in the Debug lines.
impl fmt::Display for AssemblyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}.{}",
            self.major, self.minor, self.build, self.revision
        )
    }
}
