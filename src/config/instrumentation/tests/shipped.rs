//! The agent's own extension files (`../shared/testdata/newrelic`): the
//! point counts the original profiler reports, and each construct its
//! README lists.

use std::sync::OnceLock;

use super::*;
use crate::config::instrumentation::discovery::{read_xml_files, xml_files_in_directory};
use crate::config::instrumentation::flags;
use crate::config::instrumentation::load_with_messages;
use crate::config::instrumentation::parse::parse_points;
use crate::config::instrumentation::point::DEFAULT_TRACER_FACTORY;
use crate::runtime::RuntimeKind;
use crate::system::env::Env;
use crate::system::mock::MockSystem;
use crate::system::RealSystem;

fn path_text(path: &std::path::Path) -> String {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
        .to_string()
}

/// The ignore list of the shipped `newrelic.config` (none).
fn home_linux_ignore_list(home: &std::path::Path) -> IgnoreList {
    let text = std::fs::read_to_string(home.join("newrelic.config")).expect("newrelic.config");
    let sys = MockSystem::new();
    let (config, _) = crate::config::Configuration::from_xml_with_messages(
        &text,
        None,
        "",
        &Env::new(&sys, RuntimeKind::Core),
    );
    config.expect("shipped newrelic.config parses").ignore_list
}

#[test]
fn home_linux_has_373_points() {
    let home = testdata().join("home-linux");
    let ignore = home_linux_ignore_list(&home);
    for runtime in [RuntimeKind::Core, RuntimeKind::Framework] {
        let (config, messages) =
            load_with_messages(&RealSystem, &path_text(&home), runtime, &ignore);
        assert_eq!(config.len(), 373);
        assert_eq!(config.invalid_file_count(), 0);
        assert!(texts(&messages, Level::Warn).is_empty(), "{messages:?}");
        assert!(texts(&messages, Level::Error).is_empty(), "{messages:?}");
        let info = texts(&messages, Level::Info);
        assert_eq!(info.len(), 2, "{info:?}");
        assert_eq!(
            info[0],
            format!(
                "Loading instrumentation from {}/extensions",
                path_text(&home)
            )
        );
        assert_eq!(
            info[1],
            "Identified 373 Instrumentation points (not ignored) in .xml files"
        );
        assert_eq!(
            texts(&messages, Level::Trace),
            vec!["Read 29 instrumentation files"]
        );
        assert_eq!(
            texts(&messages, Level::Debug)
                .iter()
                .filter(|t| t.starts_with("Parsing instrumentation file '"))
                .count(),
            29
        );
    }
}

/// All 45 files, parsed once for the tests below.
fn all() -> &'static InstrumentationConfiguration {
    static ALL: OnceLock<InstrumentationConfiguration> = OnceLock::new();
    ALL.get_or_init(|| {
        let dir = path_text(&testdata().join("extensions-all"));
        let paths = xml_files_in_directory(&RealSystem, &dir);
        assert_eq!(paths.len(), 45);
        let set = read_xml_files(&RealSystem, &paths);
        assert_eq!(set.len(), 45);
        let (config, _) =
            InstrumentationConfiguration::from_xml_set_with_messages(&set, &IgnoreList::default());
        config
    })
}

#[test]
fn extensions_all_has_522_points() {
    assert_eq!(all().len(), 522);
    assert_eq!(all().invalid_file_count(), 0);
}

fn points_of<'a>(
    assembly: &'a str,
    class: &'a str,
    method: &'a str,
) -> Vec<&'static InstrumentationPoint> {
    all()
        .points()
        .iter()
        .map(|p| p.as_ref())
        .filter(|p| p.assembly_name == assembly && p.class_name == class && p.method_name == method)
        .collect()
}

fn method<'a>(
    assembly: &'a str,
    type_name: &'a str,
    method: &'a str,
    parameters: &'a str,
) -> MethodIdentity<'a> {
    MethodIdentity {
        assembly,
        type_name,
        method,
        parameters,
    }
}

#[test]
fn disabled_sql_data_reader_tracers_contribute_nothing() {
    assert!(points_of("System.Data", "System.Data.SqlClient.SqlDataReader", "Read").is_empty());
    assert!(all()
        .points()
        .iter()
        .all(|p| p.tracer_factory_name != "DataReaderTracer"
            && p.tracer_factory_name != "DataReaderTracerAsync"));
    // Enabled, the same factory brings its 1-part versions.
    let sql = std::fs::read_to_string(
        testdata().join("extensions-all/NewRelic.Providers.Wrapper.Sql.Instrumentation.xml"),
    )
    .expect("Sql file");
    let (points, result, _) = parse_points(&sql.replace(r#"enabled="false""#, ""));
    assert_eq!(result, Ok(()));
    let npgsql: Vec<_> = points
        .iter()
        .filter(|p| p.class_name == "Npgsql.NpgsqlDataReader" && p.method_name == "TryFastRead")
        .map(|p| (p.min_version, p.max_version))
        .collect();
    assert!(
        npgsql.contains(&(Some(version("5")), Some(version("8")))),
        "{npgsql:?}"
    );
}

#[test]
fn comma_class_lists_give_one_point_per_class() {
    for class in [
        "System.Data.SqlClient.SqlConnection",
        "System.Data.Odbc.OdbcConnection",
        "System.Data.OleDb.OleDbConnection",
    ] {
        let found = all().find_point(&method("System.Data", class, "Open", ""), version("4.0"));
        assert_eq!(
            found.map(|p| p.tracer_factory_name.as_str()),
            Some("OpenConnectionTracer"),
            "{class}"
        );
    }
}

#[test]
fn nameless_tracer_factory_uses_the_default_and_versions_select_http_client() {
    let send_async = |class, parameters, at| {
        all()
            .find_point(
                &method("System.Net.Http", class, "SendAsync", parameters),
                version(at),
            )
            .map(|p| p.as_ref())
    };
    let old = send_async(
        "System.Net.Http.HttpClient",
        "System.Net.Http.HttpRequestMessage,System.Net.Http.HttpCompletionOption,System.Threading.CancellationToken",
        "4.2.2.0",
    )
    .expect("HttpClient before 5.0");
    assert_eq!(old.tracer_factory_name, DEFAULT_TRACER_FACTORY);
    assert_eq!(old.tracer_factory_args, flags::XML_DEFAULT);
    let handler = "System.Net.Http.HttpRequestMessage,System.Threading.CancellationToken";
    assert!(send_async("System.Net.Http.SocketsHttpHandler", handler, "10.0.0.0").is_some());
    assert!(send_async("System.Net.Http.SocketsHttpHandler", handler, "4.2.2.0").is_none());
    assert!(send_async("System.Net.Http.HttpClient", handler, "4.2.2.0").is_none());
}

#[test]
fn four_part_versions_split_asp_net_core_by_major_version() {
    let build = method(
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Hosting.WebHostBuilder",
        "BuildCommonServices",
        "",
    );
    let factory = |at| {
        all()
            .find_point(&build, version(at))
            .map(|p| p.tracer_factory_name.clone())
    };
    assert_eq!(
        factory("5.0.17.0").as_deref(),
        Some("BuildCommonServicesWrapper")
    );
    assert_eq!(
        factory("6.0.0.0").as_deref(),
        Some("BuildCommonServicesWrapper6Plus")
    );
    assert_eq!(
        factory("10.0.0.0").as_deref(),
        Some("BuildCommonServicesWrapper6Plus")
    );
    assert_eq!(factory("0.9"), None);

    // A 3-part bound (max exclusive).
    let request = method(
        "Elasticsearch.Net",
        "Elasticsearch.Net.Transport`1",
        "Request",
        "Elasticsearch.Net.HttpMethod,System.String,Elasticsearch.Net.PostData,Elasticsearch.Net.IRequestParameters",
    );
    assert!(all().find_point(&request, version("8.15.9.9")).is_some());
    assert!(all().find_point(&request, version("8.15.10")).is_none());
}

#[test]
fn generic_arity_nested_names_and_generic_parameters() {
    let produce = points_of("Confluent.Kafka", "Confluent.Kafka.Producer`2", "Produce");
    assert_eq!(produce.len(), 1);
    assert_eq!(
        produce[0].parameters.as_deref(),
        Some("Confluent.Kafka.TopicPartition,Confluent.Kafka.Message`2[!0,!1],System.Action`1[Confluent.Kafka.DeliveryReport`2[!0,!1]]")
    );
    assert!(all().passes_prefilter("Confluent.Kafka", "Produce", "Confluent.Kafka.Producer`2"));
    assert_eq!(
        points_of(
            "Confluent.Kafka",
            "Confluent.Kafka.Serializers+Utf8Serializer",
            "Serialize"
        )
        .len(),
        1
    );
    let insert = method(
        "Couchbase.NetClient",
        "Couchbase.CouchbaseBucket",
        "Insert",
        "System.String,!!0",
    );
    let found = all().find_point(&insert, version("2.7"));
    assert_eq!(
        found.and_then(|p| p.parameters.as_deref()),
        Some("System.String,!!0")
    );
    assert!(all()
        .points()
        .iter()
        .any(|p| p.parameters.as_deref() == Some("System.Object,System.Object[]")));
    assert!(all()
        .points()
        .iter()
        .any(|p| p.parameters.as_deref() == Some("!0")));
}

#[test]
fn entities_decode_to_by_ref_parameters() {
    let request = "Elastic.Transport.HttpMethod,System.String,Elastic.Transport.PostData,Elastic.Transport.RequestParameters,Elastic.Transport.Diagnostics.OpenTelemetryData&";
    assert!(all()
        .points()
        .iter()
        .any(|p| p.parameters.as_deref() == Some(request)));
}

#[test]
fn spaces_after_commas_are_removed_from_parameters() {
    let points = points_of("OpenAI", "OpenAI.Chat.ChatClient", "CompleteChatAsync");
    assert!(
        points.iter().any(|p| p.parameters.as_deref()
            == Some("System.Collections.Generic.IEnumerable`1[OpenAI.Chat.ChatMessage],OpenAI.Chat.ChatCompletionOptions,System.Threading.CancellationToken")),
        "{points:?}"
    );
}

#[test]
fn non_schema_matcher_attributes_are_ignored() {
    let touch = points_of(
        "Couchbase.NetClient",
        "Couchbase.KeyValue.CouchbaseCollection",
        "TouchAsync",
    );
    assert_eq!(touch.len(), 1);
    assert_eq!(touch[0].parameters, None, "`parameter` is not `parameters`");
    let perform = points_of(
        "Hangfire.Core",
        "Hangfire.Server.CoreBackgroundJobPerformer",
        "Perform",
    );
    assert_eq!(perform.len(), 1);
    assert_eq!(perform[0].parameters, None, "`parameterTypes` is ignored");
    // Serilog's versions sit on the matchers, where the profiler never looks.
    let dispatch = points_of("Serilog", "Serilog.Core.Logger", "Dispatch");
    assert_eq!(dispatch.len(), 1);
    assert_eq!(
        (dispatch[0].min_version, dispatch[0].max_version),
        (None, None)
    );
}

#[test]
fn constructors_and_naming_priority() {
    let ctor = points_of(
        "NewRelic.OpenTracing.AmazonLambda.Tracer",
        "NewRelic.OpenTracing.AmazonLambda.LambdaTracer",
        ".ctor",
    );
    assert_eq!(ctor.len(), 1);
    assert_eq!(ctor[0].tracer_factory_name, "OpenTracingWrapper");
    assert_eq!(ctor[0].to_string(), "[NewRelic.OpenTracing.AmazonLambda.Tracer]NewRelic.OpenTracing.AmazonLambda.LambdaTracer..ctor()");
    assert!(all().points().iter().any(|p| p.tracer_factory_args
        == flags::XML_DEFAULT | (3 << flags::TRANSACTION_NAMING_PRIORITY_SHIFT)));
}

#[test]
fn custom_xml_sample_parses() {
    let text = std::fs::read_to_string(testdata().join("custom_xml/Instrumentation.xml"))
        .expect("custom xml");
    let (points, result, messages) = parse_points(&text);
    assert_eq!(result, Ok(()));
    assert!(messages.is_empty());
    let names: Vec<_> = points.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        names,
        vec![
            "[custom_xml]custom_xml.Program.Transaction()",
            "[custom_xml]custom_xml.Program.Thing()"
        ]
    );
}
