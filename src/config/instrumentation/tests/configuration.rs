//! InstrumentationConfigurationTest.cpp (38 cases), one test each, same
//! names (reference-profiler §10.2).

use super::*;
use crate::config::ignore::IgnoreRule;
use crate::config::instrumentation::flags;

const MY_METHOD: &str = r#"methodName="MyMethod""#;

fn with_signature<'a>(parameters: &'a str) -> MethodIdentity<'a> {
    MethodIdentity {
        parameters,
        ..mock_function()
    }
}

#[test]
fn increment_invalid_file() {
    let config = config(r#"<?xml version="1.0" encoding="utf-8"?><blah"#);
    assert_eq!(config.invalid_file_count(), 1);
}

#[test]
fn no_matches_with_empty_xml() {
    let config = config(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    assert!(find(&config, &mock_function()).is_none());
    assert_eq!(config.invalid_file_count(), 0);
}

#[test]
fn basic_match() {
    let config = config(&my_class("", MY_METHOD));
    assert!(find(&config, &mock_function()).is_some());
}

fn versioned(match_versions: &str) -> InstrumentationConfiguration {
    config(&one_matcher(
        "",
        &format!(r#"assemblyName="MyAssembly" className="MyNamespace.MyClass" {match_versions}"#),
        r#"<exactMethodMatcher methodName="MyMethod"/>"#,
    ))
}

#[test]
fn basic_match_with_version() {
    let config = versioned(r#"minVersion="1.0.0" maxVersion="2.0.0""#);
    for at in ["1.2.3.4", "1.0.0.0", "1.9", "1.9.9.9", "1.0.5.2"] {
        assert!(find_at(&config, &mock_function(), at).is_some(), "{at}");
    }
}

#[test]
fn basic_mismatch_with_version() {
    let config = versioned(r#"minVersion="1.0.0" maxVersion="2.0.0""#);
    for at in [
        "3.0.0.0", "0.1.0.0", "2.0.3.0", "9.0.0.0", "0.9.9.9", "2.0.0.0",
    ] {
        assert!(find_at(&config, &mock_function(), at).is_none(), "{at}");
    }
}

#[test]
fn basic_match_with_minversion() {
    let config = versioned(r#"minVersion="1.0.0""#);
    for at in ["1.0", "1.2.3.4", "3.0.0.0", "5.0.0.0", "7.4.12.0"] {
        assert!(find_at(&config, &mock_function(), at).is_some(), "{at}");
    }
}

#[test]
fn basic_match_with_maxversion() {
    let config = versioned(r#"maxVersion="2.5.0""#);
    for at in ["2.2", "2.0.0.0", "2.4.9.9", "1.2", "0.2.9", "1.0.0.2"] {
        assert!(find_at(&config, &mock_function(), at).is_some(), "{at}");
    }
}

#[test]
fn basic_mismatch_with_minversion() {
    let config = versioned(r#"minVersion="4.0.0.0""#);
    for at in ["1.2.0.0", "1.9.9.9", "0.1.0.0", "3.5.0.66", "2.22.333.6"] {
        assert!(find_at(&config, &mock_function(), at).is_none(), "{at}");
    }
}

#[test]
fn basic_mismatch_with_maxversion() {
    let config = versioned(r#"maxVersion="3.0.0""#);
    for at in ["3.0.0.0", "3.1", "3.0.0.1", "4.5.78.1", "3"] {
        assert!(find_at(&config, &mock_function(), at).is_none(), "{at}");
    }
}

#[test]
fn deprecated_instrumentation_xml_is_ignored() {
    for name in [
        "NewRelic.Providers.Wrapper.Logging.Instrumentation.xml",
        "NewRelic.Providers.Wrapper.CastleMonoRail2.Instrumentation.xml",
        "NewRelic.Providers.Wrapper.Asp35.Instrumentation.xml",
    ] {
        let xml = my_class("", MY_METHOD);
        let (config, messages) = build_files(&[(name, &xml)], &IgnoreList::default());
        assert!(find(&config, &mock_function()).is_none(), "{name}");
        assert_eq!(config.invalid_file_count(), 0);
        assert_eq!(
            texts(&messages, Level::Warn),
            vec![format!(
                "Deprecated instrumentation file being ignored: {name}"
            )]
        );
    }
}

#[test]
fn no_assembly_match() {
    let config = config(&one_matcher(
        "",
        r#"assemblyName="MyOtherAssembly" className="MyNamespace.MyClass""#,
        r#"<exactMethodMatcher methodName="MyMethod"/>"#,
    ));
    assert!(find(&config, &mock_function()).is_none());
}

#[test]
fn no_class_match() {
    let config = config(&one_matcher(
        "",
        r#"assemblyName="MyAssembly" className="MyOtherClass""#,
        r#"<exactMethodMatcher methodName="MyMethod"/>"#,
    ));
    assert!(find(&config, &mock_function()).is_none());
}

#[test]
fn no_method_match() {
    let config = config(&my_class("", r#"methodName="MyOtherMethod""#));
    assert!(find(&config, &mock_function()).is_none());
}

#[test]
fn multiple_xml_files() {
    let a = my_class("", MY_METHOD);
    let b = my_class("", r#"methodName="MyOtherMethod""#);
    let (config, _) = build_files(&[("a", &a), ("b", &b)], &IgnoreList::default());
    assert!(find(&config, &mock_function()).is_some());
    let other = MethodIdentity {
        method: "MyOtherMethod",
        ..mock_function()
    };
    assert!(find(&config, &other).is_some());
}

#[test]
fn multiple_matchers() {
    let config = config(&one_matcher(
        "",
        r#"assemblyName="MyAssembly" className="MyNamespace.MyClass""#,
        r#"<exactMethodMatcher methodName="MyMethod"/>
           <exactMethodMatcher methodName="MyOtherMethod"/>"#,
    ));
    assert!(find(&config, &mock_function()).is_some());
    let other = MethodIdentity {
        method: "MyOtherMethod",
        ..mock_function()
    };
    assert!(find(&config, &other).is_some());
}

fn two_matches(second_method: &str) -> InstrumentationConfiguration {
    config(&extension(&format!(
        r#"<tracerFactory>
               <match assemblyName="MyAssembly" className="MyNamespace.MyClass">
                   <exactMethodMatcher methodName="MyMethod"/>
               </match>
               <match assemblyName="MyOtherAssembly" className="MyOtherClass">
                   <exactMethodMatcher methodName="{second_method}"/>
               </match>
           </tracerFactory>"#
    )))
}

const OTHER: MethodIdentity<'static> = MethodIdentity {
    assembly: "MyOtherAssembly",
    type_name: "MyOtherClass",
    method: "MyOtherMethod",
    parameters: "MyNamespace.MyTypeName",
};

#[test]
fn multiple_matches() {
    let config = two_matches("MyOtherMethod");
    assert!(find(&config, &mock_function()).is_some());
    assert!(find(&config, &OTHER).is_some());
}

#[test]
fn one_match_one_nomatch() {
    let config = two_matches("MyUnmatchedMethod");
    assert!(find(&config, &mock_function()).is_some());
    assert!(find(&config, &OTHER).is_none());
}

#[test]
fn with_matching_parameters() {
    let config = config(&my_class(
        "",
        r#"methodName="MyMethod" parameters="MyNamespace.MyTypeName""#,
    ));
    assert!(find(&config, &mock_function()).is_some());
}

#[test]
fn with_nonmatching_parameters() {
    let config = config(&my_class(
        "",
        r#"methodName="MyMethod" parameters="MyOtherNamespace.MyTypeName""#,
    ));
    assert!(find(&config, &mock_function()).is_none());
}

fn found_point(tracer_attributes: &str) -> InstrumentationPoint {
    let config = config(&my_class(tracer_attributes, MY_METHOD));
    find(&config, &mock_function())
        .expect("point found")
        .clone()
}

#[test]
fn tracer_factory_name() {
    assert_eq!(
        found_point(r#"name="Foo.Bar.Factory""#).tracer_factory_name,
        "Foo.Bar.Factory"
    );
}

#[test]
fn metric_name() {
    assert_eq!(
        found_point(r#"metricName="My/Metric/Name""#).metric_name,
        "My/Metric/Name"
    );
}

#[test]
fn transaction_naming_priority() {
    let point = found_point(r#"transactionNamingPriority="2""#);
    assert_eq!((point.tracer_factory_args >> 24) & 0x7, 2);
}

#[test]
fn tracer_factory_level() {
    let point = found_point(r#"level="2""#);
    assert_eq!((point.tracer_factory_args >> 16) & 0x7, 2);
}

#[test]
fn metric_name_instance() {
    let point = found_point(r#"metricName="instance""#);
    assert_ne!(
        point.tracer_factory_args & flags::USE_INVOCATION_TARGET_CLASS_NAME,
        0
    );
}

#[test]
fn tracer_args_default() {
    // The original asserts only that some default bit is set (with
    // metricName="instance"); we pin the exact values.
    let point = found_point(r#"metricName="instance""#);
    assert_ne!(point.tracer_factory_args & flags::XML_DEFAULT, 0);
    assert_eq!(
        point.tracer_factory_args,
        flags::XML_DEFAULT | flags::CUSTOM_METRIC_NAME | flags::USE_INVOCATION_TARGET_CLASS_NAME
    );
    assert_eq!(found_point("").tracer_factory_args, 0x3400);
}

fn class_list(class_name: &str) -> InstrumentationConfiguration {
    config(&one_matcher(
        r#"metricName="instance""#,
        &format!(r#"assemblyName="MyAssembly" className="{class_name}""#),
        r#"<exactMethodMatcher methodName="MyMethod"/>"#,
    ))
}

fn of_type(type_name: &str) -> MethodIdentity<'_> {
    MethodIdentity {
        type_name,
        ..mock_function()
    }
}

#[test]
fn multiple_class_matcher() {
    let config =
        class_list("MyNamespace.MyClass,MyNamespace.MyOtherClass,MyNamespace.MyThirdClass");
    for class in [
        "MyNamespace.MyClass",
        "MyNamespace.MyOtherClass",
        "MyNamespace.MyThirdClass",
    ] {
        assert!(find(&config, &of_type(class)).is_some(), "{class}");
    }
    assert!(find(&config, &of_type("MyNamespace.MyFourthClass")).is_none());
}

#[test]
fn multiple_generic_class_matcher() {
    let config = class_list(
        "MyNamespace.MyClass[A,B],MyNamespace.MyOtherClass&lt;A&lt;B,C&gt;,D&gt;,MyNamespace.MyThirdClass&lt;A,B,C[D[E[F],G],H],I&gt;",
    );
    for class in [
        "MyNamespace.MyClass[A,B]",
        "MyNamespace.MyOtherClass<A<B,C>,D>",
        "MyNamespace.MyThirdClass<A,B,C[D[E[F],G],H],I>",
    ] {
        assert!(find(&config, &of_type(class)).is_some(), "{class}");
    }
    assert!(find(&config, &of_type("MyNamespace.MyFourthClass")).is_none());
    assert_eq!(config.len(), 3);
}

#[test]
fn when_matcher_has_no_parameters_then_all_overloads_are_matched() {
    let config = config(&my_class("", MY_METHOD));
    assert!(find(&config, &mock_function()).is_some());
}

#[test]
fn when_matcher_has_empty_parameter_string_then_parameterized_overload_does_not_match() {
    let config = config(&my_class("", r#"methodName="MyMethod" parameters="""#));
    assert!(find(&config, &mock_function()).is_none());
}

#[test]
fn when_matcher_has_void_parameter_string_then_parameterized_overload_does_not_match() {
    let config = config(&my_class("", r#"methodName="MyMethod" parameters="void""#));
    assert!(find(&config, &mock_function()).is_none());
}

#[test]
fn when_matcher_has_no_parameter_string_then_unparameterized_overload_matches() {
    let config = config(&my_class("", MY_METHOD));
    assert!(find(&config, &with_signature("")).is_some());
}

#[test]
fn when_matcher_has_empty_parameter_string_then_unparameterized_overload_matches() {
    let config = config(&my_class("", r#"methodName="MyMethod" parameters="""#));
    assert!(find(&config, &with_signature("")).is_some());
}

#[test]
fn when_matcher_has_void_parameter_string_then_unparameterized_overload_matches() {
    let config = config(&my_class("", r#"methodName="MyMethod" parameters="void""#));
    assert!(find(&config, &with_signature("")).is_some());
}

#[test]
fn when_matcher_has_string_parameter_string_then_unparameterized_overload_does_not_match() {
    let config = config(&my_class(
        "",
        r#"methodName="MyMethod" parameters="System.String""#,
    ));
    assert!(find(&config, &with_signature("")).is_none());
}

#[test]
fn when_matcher_has_multiple_parameter_string_then_parameterized_overload_matches() {
    let config = config(&my_class(
        "",
        r#"methodName="MyMethod" parameters="System.String, System.Int32""#,
    ));
    assert!(find(&config, &with_signature("System.String,System.Int32")).is_some());
}

#[test]
fn ignored_instrumentation_should_not_have_instrumentation_points() {
    let ignore = IgnoreList::new(vec![IgnoreRule::class("MyAssembly", "MyNamespace.MyClass")]);
    let xml = my_class("", MY_METHOD);
    let (config, _) = build_files(&[("filename", &xml)], &ignore);
    assert!(find(&config, &mock_function()).is_none());
}

fn empty_declaration_only() -> InstrumentationConfiguration {
    config(r#"<?xml version="1.0" encoding="utf-8"?>"#)
}

#[test]
fn set_lambda_instrumentation_point_success() {
    let mut config = empty_declaration_only();
    let (added, _) =
        config.add_lambda_point_with_messages("MyAssembly::MyNamespace.MyClass::MyMethod");
    assert!(added);
    assert!(find(&config, &mock_function()).is_some());
}

#[test]
fn set_lambda_instrumentation_point_failure() {
    let mut config = empty_declaration_only();
    for descriptor in [
        "MyAssembly::MyNamespace.MyClass::",
        "MyAssembly::MyNamespace.MyClass::WrongMethod",
        "MyAssembly::MyMethod",
        "MyNamespace.MyClass:MyMethod",
        "MyMethod",
        ":::MyMethod",
        "::::::MyMethod",
        ":::MyMethod::",
        "MyAssembly:MyNamespace.MyClass:MyMethod",
        "MyAssembly/MyNamespace.MyClass/MyMethod",
        "MyAssembly_MyNamespace.MyClass_MyMethod",
        "MyAssembly MyNamespace.MyClass MyMethod",
        " MyAssembly::MyNamespace.MyClass:MyMethod",
        "MyAssembly::MyNamespace.MyClass::MyMethod",
        "MyAssembly::MyNamespace .MyClass:: MyMethod",
    ] {
        config.add_lambda_point_with_messages(descriptor);
    }
    assert!(find(&config, &mock_function()).is_some());
}

#[test]
fn method_names_are_also_known_per_assembly() {
    let config = two_matches("MyOtherMethod");
    assert!(config.should_instrument_method("MyOtherMethod"));
    assert!(config.should_instrument_method_of("MyOtherAssembly", "MyOtherMethod"));
    assert!(config.should_instrument_method_of("MyAssembly", "MyMethod"));
    assert!(
        !config.should_instrument_method_of("MyAssembly", "MyOtherMethod"),
        "configured only in the other assembly"
    );
    assert!(!config.should_instrument_method_of("Unconfigured", "MyMethod"));
    assert!(
        config.should_instrument_method_of("mscorlib", "GetAppDomainBoolean"),
        "the Framework helper methods stay visible in mscorlib"
    );
}
