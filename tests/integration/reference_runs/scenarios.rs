//! Each recorded scenario set up again from its `setup.md`: the agent home
//! (configuration, extension files, test agent), the scratch files, the
//! scenario's variables, the application and its arguments.

use super::setup::{App, Scene};
use crate::support::DEFAULT_CONFIG;
use std::path::Path;

/// The scenario folders this module knows, in folder order.
pub const NAMES: [&str; 19] = [
    "azfn",
    "brk",
    "brk2",
    "console",
    "console-dbg",
    "corelib",
    "excl",
    "hello-finest",
    "hello-info",
    "inst-debug",
    "inst-finest",
    "live-refresh",
    "live-reload",
    "noagent",
    "nohome",
    "tp-interop",
    "tp-shutdown",
    "trunc",
    "web-debug",
];

/// A scenario ready to run.
pub struct Prepared {
    pub scene: Scene,
    pub app: App,
    pub args: Vec<String>,
    /// Console logging: the log lines are on stdout, no file is written.
    pub console: bool,
}

const CORELIB_XML: &str = "<?xml version=\"1.0\"?><extension xmlns=\"urn:newrelic-extension\"><instrumentation><tracerFactory>\n<match assemblyName=\"System.Private.CoreLib\" className=\"System.Threading.Thread\"><exactMethodMatcher methodName=\"Sleep\" parameters=\"System.Int32\" /></match>\n</tracerFactory></instrumentation></extension>\n";

const LIVE_XML: &str = "<?xml version=\"1.0\"?><extension xmlns=\"urn:newrelic-extension\"><instrumentation><tracerFactory><match assemblyName=\"LiveApp\" className=\"LiveApp.Targets\"><exactMethodMatcher methodName=\"One\" /></match></tracerFactory></instrumentation></extension>";

fn config_at(level: &str) -> String {
    DEFAULT_CONFIG.replace(
        "<log level=\"info\" />",
        &format!("<log level=\"{level}\" />"),
    )
}

fn repository(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Lays out scenario `name` as its `setup.md` describes.
pub fn prepare(name: &str) -> Prepared {
    let mut app = App::ProfilerTestApp;
    let mut args: Vec<String> = Vec::new();
    let mut console = false;
    let scene = match name {
        "hello-info" => Scene::new(DEFAULT_CONFIG),
        "hello-finest" => Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_LEVEL", "finest"),
        // The 14 bytes `broken.config` of live-reload: cut inside the root start tag.
        "brk" => Scene::new("<configuration"),
        "brk2" => Scene::new("<!-- c -->"),
        "nohome" => Scene::new(DEFAULT_CONFIG).empty_home_variable(),
        "noagent" => {
            let scene = Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_LEVEL", "finest");
            scene.remove("NewRelic.Agent.Core.dll");
            scene
        }
        "trunc" => {
            let scene = Scene::new(DEFAULT_CONFIG);
            scene.write("extensions/Empty.xml", b"");
            scene.write("extensions/Trunc.xml", b"<extension");
            scene
        }
        "excl" => Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_EXCLUDED_APPLICATION_NAMES", "dotnet"),
        "azfn" => Scene::new(DEFAULT_CONFIG).env("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated"),
        "console" => {
            console = true;
            Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_CONSOLE", "true")
        }
        "console-dbg" => {
            console = true;
            Scene::new(DEFAULT_CONFIG)
                .env("NEW_RELIC_LOG_CONSOLE", "true")
                .env("NEW_RELIC_LOG_LEVEL", "debug")
        }
        "corelib" => {
            assert_eq!(
                CORELIB_XML.len(),
                300,
                "CoreLib.xml is 300 bytes (setup.md)"
            );
            let scene = Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_LEVEL", "debug");
            scene.write("extensions/CoreLib.xml", CORELIB_XML.as_bytes());
            args = vec!["sleep".into(), "10".into()];
            scene
        }
        "inst-debug" | "inst-finest" => {
            app = App::InstrumentedApp;
            let mut scene = Scene::new(&config_at("debug"));
            let xml = std::fs::read(repository("tests/apps/InstrumentedApp/Instrumentation.xml"))
                .expect("InstrumentedApp's Instrumentation.xml");
            assert_eq!(
                xml.len(),
                3487,
                "Instrumentation.xml is the recorded 3487 bytes (setup.md)"
            );
            scene.write("extensions/Instrumentation.xml", &xml);
            if name == "inst-finest" {
                scene = scene.env("NEW_RELIC_LOG_LEVEL", "finest");
            }
            scene
        }
        "web-debug" => {
            app = App::WebApp;
            let scene = Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_LEVEL", "debug");
            let shipped = repository("../shared/testdata/newrelic/home-linux/extensions");
            let mut count = 0;
            for entry in std::fs::read_dir(&shipped).expect("the shipped extension files") {
                let entry = entry.expect("directory entry");
                let file = entry.file_name().into_string().expect("UTF-8 file name");
                let bytes = std::fs::read(entry.path()).expect("extension file");
                scene.write(&format!("extensions/{file}"), &bytes);
                count += 1;
            }
            assert_eq!(count, 30, "29 extension files and extension.xsd (setup.md)");
            scene
        }
        "live-refresh" => {
            app = App::LiveApp;
            assert_eq!(LIVE_XML.len(), 246, "Live.xml is 246 bytes (setup.md)");
            let scene = Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_LEVEL", "finest");
            scene.write("extensions/Live.xml", LIVE_XML.as_bytes());
            let replacement = scene.write_tmp(
                "replacement.xml",
                LIVE_XML.replace("\"One\"", "\"Two\"").as_bytes(),
            );
            let live = scene.home.join("extensions/Live.xml");
            args = vec![
                "refresh".into(),
                live.display().to_string(),
                replacement.display().to_string(),
            ];
            scene
        }
        "live-reload" => {
            app = App::LiveApp;
            let scene = Scene::new(DEFAULT_CONFIG);
            scene.write("extensions/Live.xml", LIVE_XML.as_bytes());
            let new_config = DEFAULT_CONFIG.replace(
                "<log level=\"info\" />",
                "<log level=\"debug\" /><instrumentation><rules><ignore assemblyName=\"LiveApp\" className=\"LiveApp.Targets\" /></rules></instrumentation>",
            );
            assert_eq!(new_config.len(), 347, "new.config is 347 bytes (setup.md)");
            let new_config = scene.write_tmp("new.config", new_config.as_bytes());
            let broken = scene.write_tmp("broken.config", b"<configuration");
            args = vec![
                "reload".into(),
                new_config.display().to_string(),
                broken.display().to_string(),
            ];
            scene
        }
        "tp-shutdown" | "tp-interop" => {
            app = App::ThreadProfileApp;
            args = vec![name.trim_start_matches("tp-").to_string()];
            Scene::new(DEFAULT_CONFIG).env("NEW_RELIC_LOG_LEVEL", "finest")
        }
        other => {
            panic!("no setup for reference run {other}: add it to reference_runs/scenarios.rs")
        }
    };
    Prepared {
        scene,
        app,
        args,
        console,
    }
}
