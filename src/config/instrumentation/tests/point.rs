//! InstrumentationPointTest.cpp (16 cases; `same_target` is the original's
//! `operator==`), plus `ToString`, the match key and the version range
//! (reference-profiler §4.3, §4.6).

use super::*;
use crate::config::instrumentation::point::VersionRejection;

fn with_parameters(parameters: Option<&str>) -> InstrumentationPoint {
    InstrumentationPoint {
        parameters: parameters.map(str::to_string),
        ..InstrumentationPoint::default()
    }
}

fn http_application() -> InstrumentationPoint {
    InstrumentationPoint {
        assembly_name: "System.Web".to_string(),
        class_name: "System.Web.HttpApplication".to_string(),
        method_name: "InitModulesCommon".to_string(),
        parameters: Some("void".to_string()),
        ..InstrumentationPoint::default()
    }
}

#[test]
fn verify_equality_operator_handles_empty_strings() {
    assert!(with_parameters(Some("")).same_target(&with_parameters(Some(""))));
}

#[test]
fn verify_equality_operator_success_path() {
    assert!(http_application().same_target(&http_application()));
}

#[test]
fn verify_equality_operator_handles_unassigned_string_on_one_side() {
    assert!(!InstrumentationPoint::default().same_target(&http_application()));
}

#[test]
fn verify_equality_operator_handles_unassigned_string_on_both_sides() {
    assert!(InstrumentationPoint::default().same_target(&InstrumentationPoint::default()));
}

#[test]
fn verify_equality_operator_compares_assembly_name_only_everything_else_unset() {
    let point = || InstrumentationPoint {
        assembly_name: "Microsoft.Practices.EnterpriseLibrary.Data".to_string(),
        ..InstrumentationPoint::default()
    };
    assert!(point().same_target(&point()));
}

fn equal(left: Option<&str>, right: Option<&str>) -> bool {
    with_parameters(left).same_target(&with_parameters(right))
}

#[test]
fn when_left_side_of_equality_operator_has_empty_parameters_then_right_side_matches_empty_parameters(
) {
    assert!(equal(Some(""), Some("")));
}

#[test]
fn when_left_side_of_equality_operator_has_empty_parameters_then_right_side_does_not_match_non_empty_parameters(
) {
    assert!(!equal(Some(""), Some("System.String")));
}

#[test]
fn when_left_side_of_equality_operator_has_null_parameters_then_right_side_matches_empty_parameters(
) {
    assert!(equal(None, Some("")));
}

#[test]
fn when_left_side_of_equality_operator_has_null_parameters_then_right_side_matches_non_empty_parameters(
) {
    assert!(equal(None, Some("System.String")));
}

#[test]
fn when_left_side_of_equality_operator_has_void_parameters_then_right_side_matches_empty_parameters(
) {
    assert!(equal(Some("void"), Some("")));
}

#[test]
fn when_left_side_of_equality_operator_has_void_parameters_then_right_side_does_not_match_non_empty_parameters(
) {
    assert!(!equal(Some("void"), Some("System.String")));
}

// The original's "right side" cases build the same operands as the "left
// side" ones and compare in the same order; we also swap the operands so
// each rule is checked in both directions.
#[test]
fn when_right_side_of_equality_operator_has_empty_parameters_then_left_side_does_not_match_non_empty_parameters(
) {
    assert!(!equal(Some(""), Some("System.String")));
    assert!(!equal(Some("System.String"), Some("")));
}

#[test]
fn when_right_side_of_equality_operator_has_null_parameters_then_left_side_matches_empty_parameters(
) {
    assert!(equal(None, Some("")));
    assert!(equal(Some(""), None));
}

#[test]
fn when_right_side_of_equality_operator_has_null_parameters_then_left_side_matches_non_empty_parameters(
) {
    assert!(equal(None, Some("System.String")));
    assert!(equal(Some("System.String"), None));
}

#[test]
fn when_right_side_of_equality_operator_has_void_parameters_then_left_side_matches_empty_parameters(
) {
    assert!(equal(Some("void"), Some("")));
    assert!(equal(Some(""), Some("VOID")));
}

#[test]
fn when_right_side_of_equality_operator_has_void_parameters_then_left_side_does_not_match_non_empty_parameters(
) {
    assert!(!equal(Some("void"), Some("System.String")));
    assert!(!equal(Some("System.String"), Some("void")));
}

#[test]
fn equality_ignores_case_of_names_and_parameters() {
    let mut other = http_application();
    other.assembly_name = "system.web".to_string();
    other.class_name = "SYSTEM.WEB.HTTPAPPLICATION".to_string();
    other.method_name = "initmodulescommon".to_string();
    other.parameters = Some("VOID".to_string());
    assert!(http_application().same_target(&other));
    other.method_name = "InitModules".to_string();
    assert!(!http_application().same_target(&other));
}

#[test]
fn to_string_and_match_key() {
    let mut point = InstrumentationPoint {
        assembly_name: "Asm".to_string(),
        class_name: "Ns.Outer+Inner`1".to_string(),
        method_name: ".ctor".to_string(),
        ..InstrumentationPoint::default()
    };
    assert_eq!(point.to_string(), "[Asm]Ns.Outer+Inner`1..ctor()");
    assert_eq!(point.match_key(), "[Asm]Ns.Outer+Inner`1..ctor");
    point.parameters = Some(String::new());
    assert_eq!(point.to_string(), "[Asm]Ns.Outer+Inner`1..ctor()");
    assert_eq!(point.match_key(), "[Asm]Ns.Outer+Inner`1..ctor()");
    point.parameters = Some("System.String,!!0".to_string());
    assert_eq!(
        point.to_string(),
        "[Asm]Ns.Outer+Inner`1..ctor(System.String,!!0)"
    );
    assert_eq!(
        point.match_key(),
        "[Asm]Ns.Outer+Inner`1..ctor(System.String,!!0)"
    );
}

#[test]
fn version_range_is_min_inclusive_max_exclusive() {
    let point = InstrumentationPoint {
        min_version: Some(version("1.0")),
        max_version: Some(version("2.0")),
        ..InstrumentationPoint::default()
    };
    assert_eq!(point.check_version(version("1.0.0.0")), Ok(()));
    assert_eq!(point.check_version(version("1.65535.65535.65535")), Ok(()));
    assert_eq!(
        point.check_version(version("0.9.9.9")),
        Err(VersionRejection::BelowMinimum(version("1")))
    );
    assert_eq!(
        point.check_version(version("2")),
        Err(VersionRejection::AtOrAboveMaximum(version("2")))
    );
    assert_eq!(
        InstrumentationPoint::default().check_version(AssemblyVersion::default()),
        Ok(())
    );
}

#[test]
fn api_attribute_point_has_no_xml_flags() {
    let point = InstrumentationPoint::for_api_attribute("App", "App.Worker", "Run");
    assert_eq!(
        point.tracer_factory_name,
        "NewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory"
    );
    assert_eq!(point.tracer_factory_args, 0);
    assert_eq!(point.metric_name, "");
    assert_eq!(point.parameters, None);
    assert_eq!(point.to_string(), "[App]App.Worker.Run()");
}
