//! The AWS Lambda handler point (reference-profiler §4.7).

use super::*;
use crate::config::ignore::IgnoreRule;
use crate::system::mock::MockSystem;

fn from_env(sys: &MockSystem) -> (InstrumentationConfiguration, Vec<LogMessage>) {
    let ignore = IgnoreList::new(vec![IgnoreRule::assembly("MyAssembly")]);
    let mut config = InstrumentationConfiguration::empty(ignore);
    let messages = config.add_lambda_point_from_environment_with_messages(sys);
    (config, messages)
}

#[test]
fn lambda_handler_variable_wins_and_ignores_the_ignore_list() {
    let sys = MockSystem::new()
        .with_env(
            "NEW_RELIC_LAMBDA_HANDLER",
            "MyAssembly::MyNamespace.MyClass::MyMethod",
        )
        .with_env("_HANDLER", "Other::Other::Other");
    let (config, messages) = from_env(&sys);
    assert_eq!(config.len(), 1);
    let point = find(&config, &mock_function()).expect("lambda point");
    assert_eq!(
        point,
        &InstrumentationPoint {
            tracer_factory_name: "NewRelic.Providers.Wrapper.AwsLambda.HandlerMethod".to_string(),
            assembly_name: "MyAssembly".to_string(),
            class_name: "MyNamespace.MyClass".to_string(),
            method_name: "MyMethod".to_string(),
            ..InstrumentationPoint::default()
        }
    );
    assert_eq!(point.tracer_factory_args, 0);
    assert!(config.passes_prefilter("MyAssembly", "MyMethod", "MyNamespace.MyClass"));
    assert_eq!(config.points_for_assembly("MyAssembly").count(), 1);
    assert_eq!(
        lines(&messages),
        vec![
            (Level::Debug, "Found NEW_RELIC_LAMBDA_HANDLER environment variable: MyAssembly::MyNamespace.MyClass::MyMethod"),
            (Level::Info, "Serverless mode detected. Assembly: MyAssembly Class: MyNamespace.MyClass Method: MyMethod"),
        ]
    );
}

#[test]
fn invalid_lambda_handler_falls_back_to_handler() {
    let sys = MockSystem::new()
        .with_env("NEW_RELIC_LAMBDA_HANDLER", "MyAssembly::MyMethod")
        .with_env("_HANDLER", "A::B::C");
    let (config, messages) = from_env(&sys);
    assert_eq!(
        config
            .points()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        vec!["[A]B.C()"]
    );
    assert_eq!(
        lines(&messages),
        vec![
            (Level::Debug, "Found NEW_RELIC_LAMBDA_HANDLER environment variable: MyAssembly::MyMethod"),
            (Level::Warn, "MyAssembly::MyMethod is not a valid method descriptor. It must be in the format 'assembly::class::method'"),
            (Level::Debug, "Found _HANDLER environment variable: A::B::C"),
            (Level::Info, "Serverless mode detected. Assembly: A Class: B Method: C"),
        ]
    );
}

#[test]
fn no_variables_no_point_and_only_once() {
    let (config, messages) = from_env(&MockSystem::new());
    assert!(config.is_empty() && messages.is_empty() && !config.has_lambda_point());

    let sys = MockSystem::new().with_env("_HANDLER", "A::B::C");
    let (mut config, _) = from_env(&sys);
    assert!(config.has_lambda_point());
    assert!(config
        .add_lambda_point_from_environment_with_messages(&sys)
        .is_empty());
    assert_eq!(config.len(), 1);
}

#[test]
fn descriptor_splits_on_double_colon_keeping_empty_parts() {
    let mut config = InstrumentationConfiguration::empty(IgnoreList::default());
    for (descriptor, valid) in [
        ("A::B::", true),
        (":::M::", true),
        (":::M", false),
        ("::::::M", false),
        ("A:B:C", false),
        ("A::B::C::D", false),
        ("", false),
    ] {
        let (added, messages) = config.add_lambda_point_with_messages(descriptor);
        assert_eq!(added, valid, "{descriptor:?}");
        assert_eq!(texts(&messages, Level::Warn).len(), usize::from(!valid));
    }
    let names: Vec<_> = config.points().iter().map(|p| p.to_string()).collect();
    assert_eq!(names, vec!["[A]B.()", "[]:M.()"]);
    // Found by fuzzing: the flag was set only on the environment path.
    assert!(config.has_lambda_point());
}

#[test]
fn empty_variable_on_windows_is_absent() {
    let sys = MockSystem::windows()
        .with_env("NEW_RELIC_LAMBDA_HANDLER", "")
        .with_env("_HANDLER", "A::B::C");
    let (config, messages) = from_env(&sys);
    assert_eq!(config.len(), 1);
    assert_eq!(
        texts(&messages, Level::Debug),
        vec!["Found _HANDLER environment variable: A::B::C"]
    );
}
