//! Log format, levels, console mode and disabled logging (reference-profiler §3).

use crate::support::*;
use std::time::Duration;

#[test]
fn every_line_has_the_reference_format_and_a_utc_timestamp() {
    let home = Home::new();
    let logs = scratch();
    let before = chrono_like_now() - 2;
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "finest")
        .run();
    let after = chrono_like_now() + 2;
    out.assert_app_ran();
    let log = out.log(logs.path());
    assert!(log.text.ends_with('\n'));
    let mut count = 0;
    for line in log.text.lines() {
        count += 1;
        let tag = &line[..8];
        assert!(
            ["[Trace] ", "[Debug] ", "[Info ] ", "[Warn ] ", "[Error] "].contains(&tag),
            "bad level tag in {line:?}"
        );
        let stamp = &line[8..27];
        let seconds = parse_utc(stamp).unwrap_or_else(|| panic!("bad timestamp in {line:?}"));
        assert!(
            seconds >= before && seconds <= after,
            "timestamp {stamp} is not UTC now: {line:?}"
        );
        assert_eq!(&line[27..28], " ", "{line:?}");
    }
    assert!(count > 5, "{}", log.text);
}

/// Seconds since the epoch, UTC, from the system clock.
fn chrono_like_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) → seconds since the epoch.
fn parse_utc(stamp: &str) -> Option<i64> {
    let b = stamp.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| stamp.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[test]
fn configuration_lines_logged_before_the_file_opened_are_kept() {
    // Deliberate improvement over the §3.5 QUIRK (docs/compatibility.md).
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    let found = format!(
        "Found newrelic.config at: {}/newrelic.config",
        home.path.display()
    );
    log.assert_has(&found)
        .assert_has("<-- New logging level set: Info ");
    let messages = log.messages();
    let found_at = messages.iter().position(|m| *m == found).unwrap();
    let init_at = messages
        .iter()
        .position(|m| *m == "Logger initialized.")
        .unwrap();
    assert!(
        found_at < init_at,
        "kept lines come first, in order:\n{}",
        log.text
    );
}

#[test]
fn environment_level_beats_the_config_level() {
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace("level=\"info\"", "level=\"debug\""));
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "info")
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has("<-- New logging level set: Info ");
    assert!(!log.text.contains("[Debug]"), "{}", log.text);

    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEWRELIC_LOG_LEVEL", "finest")
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has("<-- New logging level set: Trace");
    assert!(log.text.contains("[Trace]"), "{}", log.text);
}

#[test]
fn level_off_still_logs_errors() {
    let home = Home::new();
    home.remove_agent();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "off")
        .run();
    out.assert_app_ran();
    let log = out.log(logs.path());
    log.assert_has("The New Relic Agent DLL is missing.");
    assert!(!log.text.contains("[Info ]"), "{}", log.text);
}

#[test]
fn console_logging_writes_to_stdout_and_opens_no_file() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_CONSOLE", "true")
        .run();
    out.assert_app_ran();
    assert!(
        out.stdout
            .lines()
            .any(|l| l.ends_with(" Console logging enabled")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.ends_with(" Profiler initialized")),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .lines()
        .any(|l| l.starts_with("[Info ] ") && l.ends_with("Profiler initialized")));
    assert!(log_files(logs.path()).is_empty(), "no file in console mode");
}

#[test]
fn console_mode_clamps_debug_to_info() {
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        "<log level=\"debug\" console=\"true\" />",
    ));
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    assert!(
        out.stdout
            .lines()
            .any(|l| l.ends_with(" Console logging enabled")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Logging level has been clamped to Info ."),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("[Debug]"), "{}", out.stdout);
    // As the original (reference run console-dbg): the level line names the
    // clamped level, and the Warn comes before `Console logging enabled`.
    let messages: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('['))
        .map(|l| l.get(28..).unwrap_or(l))
        .collect();
    let at = |m: &str| messages.iter().position(|x| x.starts_with(m));
    assert_eq!(
        messages
            .get(at("<-- New logging level set").expect("level line"))
            .copied(),
        Some("<-- New logging level set: Info "),
        "{}",
        out.stdout
    );
    assert!(
        at("Logging level has been clamped") < at("Console logging enabled"),
        "{}",
        out.stdout
    );
}

#[test]
fn env_level_disables_reading_console_from_config() {
    // §2.2 QUIRK: with NEW_RELIC_LOG_LEVEL set, `console`/`enabled` attributes are not read.
    let home = Home::new();
    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        "<log level=\"info\" console=\"true\" />",
    ));
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_LEVEL", "info")
        .run();
    out.assert_app_ran();
    assert!(
        !out.stdout.contains("Console logging enabled"),
        "{}",
        out.stdout
    );
    out.log(logs.path()).assert_has("Profiler initialized");
}

#[test]
fn logging_disabled_writes_nothing_and_the_app_runs() {
    let home = Home::new();
    let logs = scratch();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(logs.path())
        .env("NEW_RELIC_LOG_ENABLED", "false")
        .run();
    out.assert_app_ran();
    assert!(log_files(logs.path()).is_empty());
    assert!(!out.stdout.contains("Profiler initialized"));

    home.write_config(&DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        "<log level=\"info\" enabled=\"false\" />",
    ));
    let logs = scratch();
    let out = Run::app(&["hello"]).home(&home).log_dir(logs.path()).run();
    out.assert_app_ran();
    assert!(log_files(logs.path()).is_empty());
}

#[test]
fn unwritable_log_directory_disables_logging_and_the_app_runs() {
    let home = Home::new();
    let scratch = scratch();
    // A regular file where a directory is needed: creation fails even for root.
    let blocker = scratch.path().join("not-a-directory");
    std::fs::write(&blocker, "x").unwrap();
    let out = Run::app(&["hello"])
        .home(&home)
        .log_dir(&blocker.join("logs"))
        .run();
    out.assert_app_ran();
    assert!(log_files(scratch.path()).is_empty());
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
