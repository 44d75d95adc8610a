//! VersionTest.cpp (3 cases) and the §4.6 parse rules in detail.

use super::*;
use crate::config::instrumentation::version::VersionError;

/// The original test's helper: an invalid text compares as `0.0.0.0`.
fn v(text: &str) -> AssemblyVersion {
    AssemblyVersion::parse(text).unwrap_or_default()
}

#[test]
fn version_validity_test() {
    for text in [
        "1",
        "1.2",
        "1.2.3",
        "1.2.3.4",
        "12",
        "12.345",
        "12.345.6789",
        "12.345.6789.65535",
        "5.01.340",
        "  1.2.3",
        "1.  2.3",
        "1.2.3   ",
        "  1  .2.3",
        // Accepted by `stoi`'s leniency, as in the original:
        "1x2x3",
        "1.0xff",
        "1.+2.+3",
        "12abcd.35wjkg.88sldkjg",
        "01",
    ] {
        assert!(AssemblyVersion::parse(text).is_ok(), "{text:?}");
    }
    assert_eq!(v("1x2x3"), AssemblyVersion::new(1, 0, 0, 0));
    assert_eq!(v("1.0xff"), AssemblyVersion::new(1, 0, 0, 0));
    assert_eq!(v("1.+2.+3"), AssemblyVersion::new(1, 2, 3, 0));
    assert_eq!(
        v("12abcd.35wjkg.88sldkjg"),
        AssemblyVersion::new(12, 35, 88, 0)
    );
    assert_eq!(v("01"), AssemblyVersion::new(1, 0, 0, 0));
    assert_eq!(
        v("12.345.6789.65535"),
        AssemblyVersion::new(12, 345, 6789, 65535)
    );
    assert_eq!(v("  1  .2.3"), AssemblyVersion::new(1, 2, 3, 0));
}

#[test]
fn version_invalidity_test() {
    for (text, error) in [
        ("", VersionError::Empty),
        ("    ", VersionError::NotANumber),
        ("1.2.3.a", VersionError::NotANumber),
        ("zzz1.2.3.a", VersionError::NotANumber),
        ("abc", VersionError::NotANumber),
        ("1.a.3", VersionError::NotANumber),
        ("1.2.3.4.5", VersionError::TooManyParts),
        ("12.345.6789.101112", VersionError::OutOfRange),
        ("99999999999999999999999999999999", VersionError::NotANumber),
        ("-1", VersionError::OutOfRange),
        ("1.2.-3.4", VersionError::OutOfRange),
    ] {
        assert_eq!(AssemblyVersion::parse(text), Err(error), "{text:?}");
    }
}

#[test]
// Each operator is exercised on its own, as in the original.
#[allow(clippy::nonminimal_bool)]
fn version_comparison_test() {
    let less = [
        ("1", "2"),
        ("1.2", "2"),
        ("1.2", "2.0"),
        ("1.2", "2.3"),
        ("1.2", "1.2.1"),
        ("1.2", "2.0.0"),
        ("1.2.3", "1.3"),
        ("1.2.3", "1.2.9"),
        ("1.2.3.4", "2"),
        ("1.2.3.4", "1.2.3.5"),
    ];
    for (small, big) in less {
        assert!(v(small) < v(big), "{small} < {big}");
        assert!(v(small) <= v(big), "{small} <= {big}");
        assert!(!(v(big) < v(small)), "!({big} < {small})");
        assert!(v(big) > v(small), "{big} > {small}");
        assert!(!(v(small) > v(big)), "!({small} > {big})");
        assert!(!(v(small) >= v(big)), "!({small} >= {big})");
    }
    for same in ["1", "1.2", "1.2.3", "1.2.3.4"] {
        assert!(v(same) <= v(same));
        assert!(v(same) >= v(same));
    }
}

#[test]
fn zero_is_no_version_and_empty_parts_are_invalid() {
    assert_eq!(AssemblyVersion::parse("0"), Err(VersionError::Zero));
    assert_eq!(AssemblyVersion::parse("0.0.0.0"), Err(VersionError::Zero));
    assert_eq!(
        AssemblyVersion::parse("1.2.3."),
        Err(VersionError::NotANumber)
    );
    assert_eq!(AssemblyVersion::parse(".1"), Err(VersionError::NotANumber));
    assert_eq!(
        AssemblyVersion::parse("0.0.0.1"),
        Ok(AssemblyVersion::new(0, 0, 0, 1))
    );
    assert!(!VersionError::Zero.is_warned());
    assert!(!VersionError::Empty.is_warned());
    assert!(VersionError::TooManyParts.is_warned());
}

#[test]
fn display_is_four_parts() {
    assert_eq!(v("1.2").to_string(), "1.2.0.0");
    assert_eq!(AssemblyVersion::new(8, 15, 10, 7).to_string(), "8.15.10.7");
}
