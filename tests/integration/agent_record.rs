//! Reading what the test agent (`tests/apps/MockAgent`) recorded: one
//! tab-separated line per `GetFinishTracerDelegate` call, finish call, and
//! API call.

use std::path::Path;

/// One `GetFinishTracerDelegate` call with its 11 arguments (the `Type` as
/// its full name, `this` as its runtime type, the function id as text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracerCall {
    pub factory: String,
    pub flags: String,
    pub metric: String,
    pub assembly: String,
    pub type_full_name: String,
    pub type_name: String,
    pub method: String,
    pub signature: String,
    pub target: String,
    pub args: String,
    pub function_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Call(TracerCall),
    /// `(type.method, result, exception)`.
    Finish(String, String, String),
    /// `(AgentApi method, arguments)`.
    Api(String, String),
    /// A phase boundary written by the application.
    Marker(String),
}

pub struct AgentLog {
    pub records: Vec<Record>,
}

impl AgentLog {
    pub fn read(path: &Path) -> AgentLog {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let records = text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let get = |i: usize| f.get(i).copied().unwrap_or_default().to_string();
                match f.first().copied() {
                    Some("Call") => Record::Call(TracerCall {
                        factory: get(1),
                        flags: get(2),
                        metric: get(3),
                        assembly: get(4),
                        type_full_name: get(5),
                        type_name: get(6),
                        method: get(7),
                        signature: get(8),
                        target: get(9),
                        args: get(10),
                        function_id: get(11),
                    }),
                    Some("Finish") => Record::Finish(get(1), get(2), get(3)),
                    Some("Api") => Record::Api(get(1), get(2)),
                    Some("Marker") => Record::Marker(get(1)),
                    _ => panic!("unexpected agent record {line:?}"),
                }
            })
            .collect();
        AgentLog { records }
    }

    /// The records between the marker `after` (or the start) and the next marker.
    pub fn phase(&self, after: Option<&str>) -> AgentLog {
        let mut records = Vec::new();
        let mut inside = after.is_none();
        for record in &self.records {
            match record {
                Record::Marker(name) => {
                    if inside {
                        break;
                    }
                    inside = Some(name.as_str()) == after;
                }
                other if inside => records.push(other.clone()),
                _ => {}
            }
        }
        AgentLog { records }
    }

    /// The methods called in this log, in order.
    pub fn called_methods(&self) -> Vec<String> {
        self.calls().iter().map(|c| c.method.clone()).collect()
    }

    pub fn calls(&self) -> Vec<&TracerCall> {
        self.records
            .iter()
            .filter_map(|r| match r {
                Record::Call(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    /// Calls to `type_name.method`.
    pub fn calls_to(&self, type_name: &str, method: &str) -> Vec<&TracerCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.type_name == type_name && c.method == method)
            .collect()
    }

    /// The single distinct call shape to `type_name.method` (asserts it was called).
    pub fn call(&self, type_name: &str, method: &str) -> &TracerCall {
        let calls = self.calls_to(type_name, method);
        assert!(
            !calls.is_empty(),
            "no call to {type_name}.{method} in {:#?}",
            self.records
        );
        calls[0]
    }

    /// `(result, exception)` of the finishes of `type_name.method`.
    pub fn finishes(&self, type_name: &str, method: &str) -> Vec<(String, String)> {
        let name = format!("{type_name}.{method}");
        self.records
            .iter()
            .filter_map(|r| match r {
                Record::Finish(n, result, exception) if *n == name => {
                    Some((result.clone(), exception.clone()))
                }
                _ => None,
            })
            .collect()
    }

    pub fn api_calls(&self) -> Vec<(String, String)> {
        self.records
            .iter()
            .filter_map(|r| match r {
                Record::Api(m, a) => Some((m.clone(), a.clone())),
                _ => None,
            })
            .collect()
    }
}
