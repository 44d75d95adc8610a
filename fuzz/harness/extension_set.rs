//! Target `extension_set`: a structured generator (`arbitrary`) writes
//! whole sets of extension documents that are mostly well-formed and
//! schema-shaped, so the fuzzer spends its time past the XML parser: in
//! the attribute rules (versions, `level`, comma lists, `enabled`,
//! `parameters`), the multi-file build with deprecated names, invalid
//! files, the ignore list, the live-instrumentation overlay and the
//! Lambda point.
//!
//! Invariants: the set builds to exactly the per-file points (files in key
//! order, deprecated ones skipped) minus the ignored ones; the invalid
//! count is the number of files that fail to parse; every point is found
//! by the lookups (see `extension_xml::check_lookups`).

use arbitrary::{Result, Unstructured};
use NewRelicProfiler::config::ignore::{IgnoreList, IgnoreRule};
use NewRelicProfiler::config::instrumentation::configuration::is_deprecated;
use NewRelicProfiler::config::instrumentation::discovery::overlay_custom;
use NewRelicProfiler::config::instrumentation::parse::parse_points;
use NewRelicProfiler::config::instrumentation::{InstrumentationConfiguration, XmlSet};

use super::extension_xml::check_lookups;

pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::generate(&mut u) else {
        return;
    };
    let mut set = input.disk;
    overlay_custom(&mut set, &input.custom);
    let ignore = IgnoreList::new(input.ignore);
    let (mut configuration, _) =
        InstrumentationConfiguration::from_xml_set_with_messages(&set, &ignore);

    let mut expected = Vec::new();
    let mut invalid = 0usize;
    for (path, text) in &set {
        if is_deprecated(path) {
            continue;
        }
        let (points, result, _) = parse_points(text);
        invalid += usize::from(result.is_err());
        expected.extend(
            points
                .into_iter()
                .filter(|p| !ignore.matches(&p.assembly_name, &p.class_name)),
        );
    }
    assert_eq!(configuration.invalid_file_count(), invalid);
    assert_eq!(configuration.len(), expected.len());
    for (built, parsed) in configuration.points().iter().zip(&expected) {
        assert_eq!(built.as_ref(), parsed);
    }
    check_lookups(&configuration);

    let before = configuration.len();
    let (added, _) = configuration.add_lambda_point_with_messages(&input.lambda);
    assert_eq!(configuration.len(), before + usize::from(added));
    assert_eq!(configuration.has_lambda_point(), added);
    check_lookups(&configuration);
}

struct Input {
    disk: XmlSet,
    custom: XmlSet,
    ignore: Vec<IgnoreRule>,
    lambda: String,
}

/// Names the generator prefers, so points collide, ignore rules hit and
/// lookups find overloads; real ones from the shipped files among them.
const ASSEMBLIES: [&str; 6] = [
    "System.Net.Http",
    "StackExchange.Redis",
    "mscorlib",
    "App",
    "app",
    "Confluent.Kafka",
];
const CLASSES: [&str; 7] = [
    "System.Net.Http.HttpClient",
    "App.Outer+Inner",
    "App.Generic`2",
    "A,B",
    "App.List<A,B>, App.C",
    "App.[X,Y],Z",
    " App.Spaced",
];
const METHODS: [&str; 5] = ["SendAsync", ".ctor", "Invoke", "get_Item", "M"];
const PARAMETERS: [&str; 8] = [
    "void",
    "VOID",
    "",
    "System.String",
    "System.Int32, System.String",
    "!0,!!1[]",
    "System.Collections.Generic.List`1<System.String>&",
    " \t\n",
];
const VERSIONS: [&str; 10] = [
    "1",
    "1.2",
    "1.2.3.4",
    "0.0.0.0",
    "1.2.3.4.5",
    "65536",
    "-1",
    "1x2",
    " 7.0",
    "99999999999",
];
const NUMBERS: [&str; 7] = ["0", "7", "-1", "2147483648", "x", " 3", "+5junk"];
const FILE_NAMES: [&str; 5] = [
    "/agent/extensions/NewRelic.Providers.Wrapper.Sql.Instrumentation.xml",
    "/agent/extensions/NewRelic.Providers.Wrapper.Logging.Instrumentation.xml",
    "/agent/extensions/netcore/Custom.xml",
    "/agent/extensions/custom",
    "Custom_live.xml",
];

impl Input {
    fn generate(u: &mut Unstructured<'_>) -> Result<Input> {
        let mut disk = XmlSet::new();
        for _ in 0..u.int_in_range(0..=4)? {
            disk.insert(file_name(u)?, document(u)?);
        }
        let mut custom = XmlSet::new();
        for _ in 0..u.int_in_range(0..=2)? {
            custom.insert(file_name(u)?, document(u)?);
        }
        let mut ignore = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            let assembly = pick_or_any(u, &ASSEMBLIES)?;
            ignore.push(if u.arbitrary()? {
                IgnoreRule::class(assembly, pick_or_any(u, &CLASSES)?)
            } else {
                IgnoreRule::assembly(assembly)
            });
        }
        let lambda = if u.arbitrary()? {
            format!(
                "{}::{}::{}",
                pick_or_any(u, &ASSEMBLIES)?,
                pick_or_any(u, &CLASSES)?,
                pick_or_any(u, &METHODS)?
            )
        } else {
            u.arbitrary()?
        };
        Ok(Input {
            disk,
            custom,
            ignore,
            lambda,
        })
    }
}

fn file_name(u: &mut Unstructured<'_>) -> Result<String> {
    pick_or_any(u, &FILE_NAMES)
}

/// One of `choices` most of the time, otherwise any string.
fn pick_or_any(u: &mut Unstructured<'_>, choices: &[&str]) -> Result<String> {
    if u.ratio(3u8, 4u8)? {
        Ok(u.choose(choices)?.to_string())
    } else {
        u.arbitrary()
    }
}

/// An element name as the reader must accept it: any ASCII case, sometimes
/// with a namespace prefix (declared on the root), now and then misspelt.
fn element(u: &mut Unstructured<'_>, name: &str) -> Result<String> {
    let mut out = String::new();
    match u.int_in_range(0u8..=15)? {
        0 => out.push_str("nr:"),
        1 => return Ok(format!("{name}x")),
        _ => {}
    }
    for c in name.chars() {
        out.push(if u.ratio(1u8, 8u8)? {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    Ok(out)
}

/// `name="value"` with the value escaped, or nothing.
fn attribute(
    u: &mut Unstructured<'_>,
    out: &mut String,
    name: &str,
    choices: &[&str],
) -> Result<()> {
    if u.ratio(1u8, 3u8)? {
        return Ok(());
    }
    let value = pick_or_any(u, choices)?;
    out.push(' ');
    out.push_str(&element(u, name)?);
    out.push_str("=\"");
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

fn document(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1u8, 10u8)? {
        return u.arbitrary();
    }
    let mut d = String::new();
    if u.arbitrary()? {
        d.push('\u{FEFF}');
    }
    if u.arbitrary()? {
        d.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- comment -->\n");
    }
    let extension = element(u, "extension")?;
    let instrumentation = element(u, "instrumentation")?;
    d.push_str(&format!(
        "<{extension} xmlns=\"urn:newrelic-extension\" xmlns:nr=\"urn:nr\">\n<{instrumentation}>\n"
    ));
    for _ in 0..u.int_in_range(0..=3)? {
        let tracer = element(u, "tracerFactory")?;
        d.push_str(&format!("<{tracer}"));
        attribute(
            u,
            &mut d,
            "name",
            &["", "NewRelic.Providers.Wrapper.Sql.SqlWrapper"],
        )?;
        attribute(u, &mut d, "enabled", &["false", "FALSE", "true", ""])?;
        attribute(u, &mut d, "metricName", &["", "Custom/Metric"])?;
        attribute(u, &mut d, "metric", &["none", "scoped", "unscoped", "both"])?;
        attribute(u, &mut d, "level", &NUMBERS)?;
        attribute(u, &mut d, "transactionNamingPriority", &NUMBERS)?;
        attribute(u, &mut d, "suppressRecursiveCalls", &["true", "false"])?;
        attribute(u, &mut d, "transactionTraceSegment", &["true", "false"])?;
        d.push_str(">\n");
        for _ in 0..u.int_in_range(0..=3)? {
            let matcher = element(u, "match")?;
            d.push_str(&format!("<{matcher}"));
            attribute(u, &mut d, "assemblyName", &ASSEMBLIES)?;
            attribute(u, &mut d, "className", &CLASSES)?;
            attribute(u, &mut d, "minVersion", &VERSIONS)?;
            attribute(u, &mut d, "maxVersion", &VERSIONS)?;
            d.push_str(">\n");
            for _ in 0..u.int_in_range(0..=3)? {
                let exact = element(u, "exactMethodMatcher")?;
                d.push_str(&format!("<{exact}"));
                attribute(u, &mut d, "methodName", &METHODS)?;
                attribute(u, &mut d, "parameters", &PARAMETERS)?;
                d.push_str("/>\n");
            }
            d.push_str(&format!("</{matcher}>\n"));
        }
        d.push_str(&format!("</{tracer}>\n"));
    }
    d.push_str(&format!("</{instrumentation}>\n</{extension}>\n"));
    // Now and then cut the document short, as a half-written file would be.
    if u.ratio(1u8, 16u8)? {
        let cut = u.int_in_range(0..=d.len())?;
        let cut = (0..=cut)
            .rev()
            .find(|&i| d.is_char_boundary(i))
            .unwrap_or(0);
        d.truncate(cut);
    }
    Ok(d)
}
