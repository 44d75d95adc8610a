//! Every attribute rule of reference-profiler §4.2, the flag layout of
//! §4.3, the matching of §4.8 and the log lines of §3.6, beyond what the
//! original's tests cover.

use super::*;
use crate::config::instrumentation::flags::{self, ApiAttribute, MethodTraits};
use crate::config::instrumentation::parse::{
    normalize_parameters, parse_points, split_class_names, FileError,
};

fn args(tracer_attributes: &str) -> u32 {
    let (points, result, _) = parse_points(&my_class(tracer_attributes, r#"methodName="M""#));
    assert_eq!(result, Ok(()), "{tracer_attributes}");
    assert_eq!(points.len(), 1);
    points[0].tracer_factory_args
}

#[test]
fn metric_attribute() {
    use flags::{GENERATE_SCOPED_METRIC as SCOPED, GENERATE_UNSCOPED_METRIC as UNSCOPED};
    let rest = flags::SUPPRESS_RECURSIVE_CALLS | flags::TRANSACTION_TRACER_SEGMENT;
    assert_eq!(args(""), SCOPED | rest);
    assert_eq!(args(r#"metric="""#), SCOPED | rest);
    assert_eq!(args(r#"metric="BOTH""#), SCOPED | UNSCOPED | rest);
    assert_eq!(args(r#"metric="scoped""#), SCOPED | rest);
    assert_eq!(args(r#"metric="Unscoped""#), UNSCOPED | rest);
    assert_eq!(args(r#"metric="none""#), rest);
}

#[test]
fn metric_name_attribute() {
    let custom = flags::XML_DEFAULT | flags::CUSTOM_METRIC_NAME;
    assert_eq!(args(r#"metricName="Custom/X""#), custom);
    assert_eq!(
        args(r#"metricName="INSTANCE""#),
        custom | flags::USE_INVOCATION_TARGET_CLASS_NAME
    );
    assert_eq!(args(r#"metricName="""#), flags::XML_DEFAULT);
}

#[test]
fn level_and_naming_priority_use_stoi_and_three_bits() {
    assert_eq!(args(r#"level="5""#), flags::XML_DEFAULT | (5 << 16));
    assert_eq!(args(r#"level="9""#), flags::XML_DEFAULT | (1 << 16));
    assert_eq!(args(r#"level="-1""#), flags::XML_DEFAULT | (7 << 16));
    assert_eq!(args(r#"level=" 3abc""#), flags::XML_DEFAULT | (3 << 16));
    assert_eq!(args(r#"level="""#), flags::XML_DEFAULT);
    assert_eq!(
        args(r#"transactionNamingPriority="7""#),
        flags::XML_DEFAULT | (7 << 24)
    );
    assert_eq!(
        args(r#"transactionNamingPriority="10""#),
        flags::XML_DEFAULT | (2 << 24)
    );
}

#[test]
fn suppress_recursive_calls_and_segment_default_on() {
    let without = |flag: u32| flags::XML_DEFAULT & !flag;
    assert_eq!(args(r#"suppressRecursiveCalls="true""#), flags::XML_DEFAULT);
    assert_eq!(args(r#"suppressRecursiveCalls="TRUE""#), flags::XML_DEFAULT);
    assert_eq!(args(r#"suppressRecursiveCalls="""#), flags::XML_DEFAULT);
    assert_eq!(
        args(r#"suppressRecursiveCalls="false""#),
        without(flags::SUPPRESS_RECURSIVE_CALLS)
    );
    assert_eq!(
        args(r#"suppressRecursiveCalls="yes""#),
        without(flags::SUPPRESS_RECURSIVE_CALLS)
    );
    // X3: the flag comes from its own attribute, never from `level`.
    assert_eq!(
        args(r#"level="3""#) & flags::SUPPRESS_RECURSIVE_CALLS,
        flags::SUPPRESS_RECURSIVE_CALLS
    );
    assert_eq!(
        args(r#"level="3" suppressRecursiveCalls="false""#) & flags::SUPPRESS_RECURSIVE_CALLS,
        0
    );
    assert_eq!(
        args(r#"transactionTraceSegment="True""#),
        flags::XML_DEFAULT
    );
    assert_eq!(
        args(r#"transactionTraceSegment="false""#),
        without(flags::TRANSACTION_TRACER_SEGMENT)
    );
}

#[test]
fn attribute_names_are_case_insensitive_and_namespaces_ignored() {
    let xml = r#"<?xml version="1.0"?>
        <Extension xmlns="urn:newrelic-extension">
          <!-- a comment -->
          <INSTRUMENTATION>
            <TracerFactory NAME="F" Metric="unscoped" LEVEL="2">
              <Match AssemblyName="A" CLASSNAME="C">
                <ExactMethodMatcher MethodName="M" PARAMETERS="System.Int32"/>
              </Match>
            </TracerFactory>
          </INSTRUMENTATION>
        </Extension>"#;
    let (points, result, _) = parse_points(xml);
    assert_eq!(result, Ok(()));
    assert_eq!(points.len(), 1);
    let point = &points[0];
    assert_eq!(point.tracer_factory_name, "F");
    assert_eq!(point.to_string(), "[A]C.M(System.Int32)");
    assert_eq!(point.metric_type, "unscoped");
    assert_eq!(
        point.tracer_factory_args,
        flags::GENERATE_UNSCOPED_METRIC
            | flags::SUPPRESS_RECURSIVE_CALLS
            | flags::TRANSACTION_TRACER_SEGMENT
            | (2 << 16)
    );
}

#[test]
fn disabled_tracer_factory_and_default_factory_name() {
    let xml = extension(
        r#"<tracerFactory name="Off" enabled="FALSE">
             <match assemblyName="A" className="C"><exactMethodMatcher methodName="Off"/></match>
           </tracerFactory>
           <tracerFactory enabled="no">
             <match assemblyName="A" className="C"><exactMethodMatcher methodName="On"/></match>
           </tracerFactory>
           <tracerFactory name="">
             <match assemblyName="A" className="C"><exactMethodMatcher methodName="Empty"/></match>
           </tracerFactory>"#,
    );
    let (points, _, _) = parse_points(&xml);
    let names: Vec<_> = points
        .iter()
        .map(|p| (p.method_name.as_str(), p.tracer_factory_name.as_str()))
        .collect();
    let default = "NewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory";
    assert_eq!(names, vec![("On", default), ("Empty", default)]);
}

#[test]
fn class_names_split_outside_brackets_without_trimming() {
    assert_eq!(split_class_names("A, B"), vec!["A", " B"]);
    assert_eq!(split_class_names("A,,B,"), vec!["A", "", "B", ""]);
    assert_eq!(split_class_names(""), vec![""]);
    assert_eq!(split_class_names("G<A,B>,H[C,D]"), vec!["G<A,B>", "H[C,D]"]);
    // A stray closer wraps the unsigned depth, so no later comma splits.
    assert_eq!(split_class_names("A>,B"), vec!["A>,B"]);
    assert_eq!(split_class_names("Ü,ß"), vec!["Ü", "ß"]);
}

#[test]
fn parameters_whitespace_and_void() {
    assert_eq!(normalize_parameters(None), None);
    assert_eq!(normalize_parameters(Some("void")).as_deref(), Some(""));
    assert_eq!(normalize_parameters(Some("VoId")).as_deref(), Some(""));
    assert_eq!(normalize_parameters(Some("")).as_deref(), Some(""));
    assert_eq!(
        normalize_parameters(Some(" System.String ,\tSystem.Int32\r\n")).as_deref(),
        Some("System.String,System.Int32")
    );
    // `void` is recognised before whitespace is stripped.
    assert_eq!(normalize_parameters(Some(" void")).as_deref(), Some("void"));
}

#[test]
fn entities_decoded_and_non_schema_attributes_ignored() {
    let xml = my_class(
        r#"unknown="x""#,
        r#"methodName="Request" parameters="A.B&amp;" parameter="X" parameterTypes="Y" minVersion="9.0" maxVersion="1.0""#,
    );
    let (points, result, messages) = parse_points(&xml);
    assert_eq!(result, Ok(()));
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(points[0].parameters.as_deref(), Some("A.B&"));
    assert_eq!(points[0].min_version, None);
    assert_eq!(points[0].max_version, None);
}

#[test]
fn invalid_versions_warn_and_are_ignored() {
    let xml = one_matcher(
        "",
        r#"assemblyName="A" className="C" minVersion="1.2.3.4.5" maxVersion="0.0.0.0""#,
        r#"<exactMethodMatcher methodName="M"/><exactMethodMatcher methodName="N"/>"#,
    );
    let (points, result, messages) = parse_points(&xml);
    assert_eq!(result, Ok(()));
    assert_eq!(points.len(), 2);
    assert!(points
        .iter()
        .all(|p| p.min_version.is_none() && p.max_version.is_none()));
    // Once per matcher, as the original parses the versions per matcher.
    assert_eq!(
        texts(&messages, Level::Warn),
        vec!["1.2.3.4.5 is not a valid version"; 2]
    );
}

#[test]
fn mscorlib_is_rejected_with_a_warning() {
    let xml = one_matcher(
        r#"level="x""#,
        r#"assemblyName="mscorlib" className="System.Foo,System.Bar""#,
        r#"<exactMethodMatcher methodName="M"/>"#,
    );
    let (config, messages) = config_logged(&xml);
    assert!(config.is_empty());
    // The check comes before the flags, so a bad level is never read.
    assert_eq!(config.invalid_file_count(), 0);
    assert_eq!(
        texts(&messages, Level::Warn),
        vec!["Skipping instrumentation targeted at the mscorlib assembly for class System.Foo,System.Bar"]
    );
    // Only the exact name: `MSCORLIB` is an ordinary assembly.
    let xml = xml
        .replace("mscorlib", "MSCORLIB")
        .replace(r#"level="x""#, "");
    assert_eq!(config_logged(&xml).0.len(), 2);
}

#[test]
fn non_numeric_level_keeps_earlier_points_and_counts_the_file_invalid() {
    let xml = extension(
        r#"<tracerFactory>
             <match assemblyName="A" className="C"><exactMethodMatcher methodName="Before"/></match>
           </tracerFactory>
           <tracerFactory level="high">
             <match assemblyName="A" className="C"><exactMethodMatcher methodName="Bad"/></match>
           </tracerFactory>
           <tracerFactory>
             <match assemblyName="A" className="C"><exactMethodMatcher methodName="After"/></match>
           </tracerFactory>"#,
    );
    let (config, messages) = config_logged(&xml);
    let methods: Vec<_> = config
        .points()
        .iter()
        .map(|p| p.method_name.as_str())
        .collect();
    assert_eq!(methods, vec!["Before"]);
    assert_eq!(config.invalid_file_count(), 1);
    assert!(texts(&messages, Level::Warn).contains(&"Exception thrown while attempting to parse instrumentation file 'filename'. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support.".to_string()));
    assert!(texts(&messages, Level::Warn).contains(
        &"Instrumentation file 'filename' is invalid: level=\"high\" is not a number".to_string()
    ));
    let (_, result, _) = parse_points(&my_class(
        r#"transactionNamingPriority="""#,
        r#"methodName="M""#,
    ));
    assert_eq!(result, Ok(()));
    let (_, result, _) = parse_points(&my_class(
        r#"transactionNamingPriority=" ""#,
        r#"methodName="M""#,
    ));
    assert!(matches!(result, Err(FileError::NotANumber(_))));
}

#[test]
fn missing_nodes_warn_without_counting_the_file_invalid() {
    let (config, messages) = config_logged("<other/>");
    assert_eq!((config.len(), config.invalid_file_count()), (0, 0));
    assert_eq!(
        texts(&messages, Level::Warn),
        vec!["extension node not found in instrumentation file. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support."]
    );
    let (config, messages) = config_logged("<extension><instrumentations/></extension>");
    assert_eq!((config.len(), config.invalid_file_count()), (0, 0));
    assert_eq!(
        texts(&messages, Level::Warn),
        vec!["instrumentation node not found in instrumentation file. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support."]
    );
    // RapidXML accepts `<` inside attribute values; `roxmltree` does not,
    // so such a file is invalid here (the managed agent rejects it too).
    let raw = class_list_raw("G<A,B>");
    assert_eq!(config_logged(&raw).0.invalid_file_count(), 1);
}

fn class_list_raw(class_name: &str) -> String {
    my_class("", r#"methodName="M""#).replace("MyNamespace.MyClass", class_name)
}

#[test]
fn build_log_lines_in_order() {
    let good = my_class("", r#"methodName="M""#);
    let files = [("/x/a.xml", "<broken"), ("/x/b.xml", good.as_str())];
    let (config, messages) = build_files(&files, &IgnoreList::default());
    assert_eq!(config.len(), 1);
    assert_eq!(
        lines(&messages),
        vec![
            (Level::Debug, "Parsing instrumentation file '/x/a.xml'"),
            (Level::Warn, "Exception thrown while attempting to parse instrumentation file '/x/a.xml'. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support."),
            (Level::Warn, "Instrumentation file '/x/a.xml' is invalid: expected >"),
            (Level::Debug, "Parsing instrumentation file '/x/b.xml'"),
            (Level::Info, "Identified 1 Instrumentation points (not ignored) in .xml files"),
        ]
    );
}

/// Two points for one method, distinguished by versions and factories: the
/// first in file-then-document order that accepts the version wins (our
/// deliberate replacement of the original's address order).
#[test]
fn first_point_in_configuration_order_wins() {
    let first = one_matcher(
        r#"name="First""#,
        r#"assemblyName="A" className="C" maxVersion="2.0""#,
        r#"<exactMethodMatcher methodName="M"/>"#,
    );
    let second = one_matcher(
        r#"name="Second""#,
        r#"assemblyName="A" className="C""#,
        r#"<exactMethodMatcher methodName="M"/>"#,
    );
    let (config, _) = build_files(&[("b", &second), ("a", &first)], &IgnoreList::default());
    let method = MethodIdentity {
        assembly: "A",
        type_name: "C",
        method: "M",
        parameters: "",
    };
    let at = |v: &str| config.find_point_with_messages(&method, version(v));
    let (found, messages) = at("1.0");
    assert_eq!(found.map(|p| p.tracer_factory_name.as_str()), Some("First"));
    assert!(messages.is_empty());
    let (found, messages) = at("3.1");
    assert_eq!(
        found.map(|p| p.tracer_factory_name.as_str()),
        Some("Second")
    );
    assert_eq!(
        lines(&messages),
        vec![(
            Level::Debug,
            "A version 3.1.0.0 exceeds maximum version 2.0.0.0"
        )]
    );
}

#[test]
fn exact_parameters_shadow_the_all_overloads_point() {
    let exact = one_matcher(
        r#"name="Exact""#,
        r#"assemblyName="A" className="C" minVersion="5""#,
        r#"<exactMethodMatcher methodName="M" parameters="System.String"/>"#,
    );
    let any = one_matcher(
        r#"name="Any""#,
        r#"assemblyName="A" className="C""#,
        r#"<exactMethodMatcher methodName="M"/>"#,
    );
    let (config, _) = build_files(&[("1", &exact), ("2", &any)], &IgnoreList::default());
    let method = |parameters| MethodIdentity {
        assembly: "A",
        type_name: "C",
        method: "M",
        parameters,
    };
    // Exact candidates exist but fail the version check: the all-overloads
    // point is not consulted (the original's lookup).
    let (found, messages) =
        config.find_point_with_messages(&method("System.String"), version("4.9"));
    assert!(found.is_none());
    assert_eq!(
        lines(&messages),
        vec![(
            Level::Debug,
            "A version 4.9.0.0 does not meet minimum version 5.0.0.0"
        )]
    );
    let found = find_at(&config, &method("System.String"), "5.0");
    assert_eq!(found.map(|p| p.tracer_factory_name.as_str()), Some("Exact"));
    let found = find_at(&config, &method("System.Int32"), "4.9");
    assert_eq!(found.map(|p| p.tracer_factory_name.as_str()), Some("Any"));
    // Lookups are case-sensitive.
    let lower = MethodIdentity {
        method: "m",
        ..method("")
    };
    assert!(find(&config, &lower).is_none());
}

#[test]
fn prefilter_sets_include_the_helper_names() {
    let config = config(&my_class("", r#"methodName="MyMethod""#));
    assert!(config.passes_prefilter("MyAssembly", "MyMethod", "MyNamespace.MyClass"));
    assert!(!config.passes_prefilter("myassembly", "MyMethod", "MyNamespace.MyClass"));
    assert!(config.should_instrument_assembly("mscorlib"));
    for method in crate::config::instrumentation::configuration::EXTRA_METHOD_NAMES {
        assert!(config.should_instrument_method(method), "{method}");
    }
    assert!(config.should_instrument_type("System.CannotUnloadAppDomainException"));
    assert!(!config.should_instrument_type("MyNamespace.Other"));
    let empty = InstrumentationConfiguration::empty(IgnoreList::default());
    assert!(empty.passes_prefilter(
        "mscorlib",
        "LoadAssemblyOrThrow",
        "System.CannotUnloadAppDomainException"
    ));
    assert!(empty.is_empty());
}

#[test]
fn points_for_assembly_in_order() {
    let xml = extension(
        r#"<tracerFactory>
             <match assemblyName="A" className="C1,C2"><exactMethodMatcher methodName="M" parameters="X"/></match>
             <match assemblyName="B" className="C3"><exactMethodMatcher methodName="N"/></match>
             <match assemblyName="A" className="C4" minVersion="9"><exactMethodMatcher methodName="O"/></match>
           </tracerFactory>"#,
    );
    let config = config(&xml);
    let named: Vec<_> = config
        .points_for_assembly("A")
        .map(|p| p.to_string())
        .collect();
    assert_eq!(named, vec!["[A]C1.M(X)", "[A]C2.M(X)", "[A]C4.O()"]);
    assert_eq!(config.points_for_assembly("a").count(), 0);
    assert_eq!(config.points_for_assembly("Nope").count(), 0);
}

#[test]
fn method_flags_are_added_without_touching_the_point() {
    let config = config(&my_class("", r#"methodName="MyMethod""#));
    let point = find(&config, &mock_function()).expect("point");
    let asynchronous = MethodTraits {
        is_async: true,
        attribute: ApiAttribute::None,
    };
    assert_eq!(
        point.tracer_arguments(&asynchronous),
        0x3400 | flags::ASYNC_METHOD
    );
    // A later, non-async method matched by the same point gets no async bit
    // (the original's flag-leak QUIRK is not reproduced).
    let point = find(&config, &mock_function()).expect("point");
    assert_eq!(point.tracer_factory_args, 0x3400);
    assert_eq!(point.tracer_arguments(&MethodTraits::default()), 0x3400);
}

#[test]
fn api_attribute_flags() {
    let traits = |attribute| MethodTraits {
        is_async: false,
        attribute,
    };
    assert_eq!(
        traits(ApiAttribute::Trace).flags(),
        flags::ATTRIBUTE_INSTRUMENTATION
    );
    let other = ApiAttribute::transaction_from_blob(&[1, 0, 0, 0]);
    assert_eq!(
        traits(other).flags(),
        flags::ATTRIBUTE_INSTRUMENTATION | flags::OTHER_TRANSACTION
    );
    let web_blob = [1, 0, 1, 0, 0x54, 0x03, 0x57, 0x65, 0x62, 0, 1];
    let web = ApiAttribute::transaction_from_blob(&web_blob);
    assert_eq!(web, ApiAttribute::Transaction { web: true });
    assert_eq!(
        traits(web).flags(),
        flags::ATTRIBUTE_INSTRUMENTATION | flags::WEB_TRANSACTION
    );
    let mut not_web = web_blob;
    not_web[10] = 0;
    assert_eq!(
        ApiAttribute::transaction_from_blob(&not_web),
        ApiAttribute::Transaction { web: false }
    );
    let synthetic = InstrumentationPoint::for_api_attribute("A", "C", "M");
    let async_trace = MethodTraits {
        is_async: true,
        attribute: ApiAttribute::Trace,
    };
    assert_eq!(
        synthetic.tracer_arguments(&async_trace),
        (1 << 23) | (1 << 20)
    );
}

#[test]
fn empty_documents_warn_but_truncated_ones_are_invalid() {
    for empty in [
        "",
        "\u{FEFF}  \r\n",
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        "<?xml version='1.0'?>\n<!-- only <a> comment -->\n",
        "<!DOCTYPE extension [<!ENTITY a 'b'>]>",
    ] {
        let (points, result, messages) = parse_points(empty);
        assert_eq!(result, Ok(()), "{empty:?}");
        assert!(points.is_empty());
        assert_eq!(texts(&messages, Level::Warn).len(), 1, "{empty:?}");
    }
    for truncated in [
        "<blah",
        "<?xml version='1.0'?><extension",
        "<!-- open",
        "<?xml",
        "<!DOCTYPE x",
    ] {
        let (_, result, _) = parse_points(truncated);
        assert!(matches!(result, Err(FileError::Xml(_))), "{truncated:?}");
    }
}

#[test]
fn configuration_can_be_shared_between_jit_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<InstrumentationConfiguration>();
    shared::<std::sync::Arc<InstrumentationPoint>>();
    let config = std::sync::Arc::new(config(&my_class("", r#"methodName="MyMethod""#)));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let config = std::sync::Arc::clone(&config);
            std::thread::spawn(move || {
                (0..100).all(|_| {
                    config
                        .find_point(&mock_function(), AssemblyVersion::default())
                        .is_some()
                })
            })
        })
        .collect();
    for thread in threads {
        assert!(thread.join().expect("thread"));
    }
}
