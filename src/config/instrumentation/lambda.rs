//! The AWS Lambda handler point (reference-profiler §4.7): in serverless
//! mode the handler method named by the environment is instrumented with
//! the agent's Lambda wrapper, whatever the XML and the ignore list say.

use super::configuration::InstrumentationConfiguration;
use super::point::InstrumentationPoint;
use crate::config::{LogMessage, Messages};
use crate::log::Level;
use crate::system::SystemCalls;

/// Read first.
pub const LAMBDA_HANDLER_VARIABLE: &str = "NEW_RELIC_LAMBDA_HANDLER";
/// Read when the first is absent or not a valid descriptor.
pub const HANDLER_VARIABLE: &str = "_HANDLER";
/// Must match the wrapper name in the managed agent.
pub const LAMBDA_TRACER_FACTORY: &str = "NewRelic.Providers.Wrapper.AwsLambda.HandlerMethod";

impl InstrumentationConfiguration {
    /// `CheckForEnvironmentInstrumentationPoint`: at most once per
    /// configuration, `NEW_RELIC_LAMBDA_HANDLER` then `_HANDLER` (the
    /// second is tried only if the first is absent or invalid). Call once at
    /// startup; refreshes build configurations without it (§4.7 QUIRK, kept
    /// for the later refresh issue to decide).
    pub fn add_lambda_point_from_environment(&mut self, sys: &dyn SystemCalls) {
        let mut messages = Messages::default();
        self.add_lambda_point_from_environment_collecting(sys, &mut messages);
        crate::config::emit(&messages.into_vec());
    }

    /// [`Self::add_lambda_point_from_environment`] without logging.
    pub fn add_lambda_point_from_environment_with_messages(
        &mut self,
        sys: &dyn SystemCalls,
    ) -> Vec<LogMessage> {
        let mut messages = Messages::default();
        self.add_lambda_point_from_environment_collecting(sys, &mut messages);
        messages.into_vec()
    }

    pub(super) fn add_lambda_point_from_environment_collecting(
        &mut self,
        sys: &dyn SystemCalls,
        messages: &mut Messages,
    ) {
        if self.lambda_point_added {
            return;
        }
        for variable in [LAMBDA_HANDLER_VARIABLE, HANDLER_VARIABLE] {
            let Some(value) = sys.env_var(variable) else {
                continue;
            };
            messages.push(
                Level::Debug,
                format!("Found {variable} environment variable: {value}"),
            );
            if self.add_lambda_point_collecting(&value, messages) {
                return;
            }
        }
    }

    /// `AddInstrumentationPointToCollectionFromEnvironment`: `descriptor`
    /// must split on `::` into exactly three parts (empty parts allowed),
    /// `assembly::class::method`. Adds the point (all overloads, no
    /// versions, `tracerArguments` 0, ignore list not applied) and returns
    /// true, or warns and returns false.
    pub fn add_lambda_point_with_messages(&mut self, descriptor: &str) -> (bool, Vec<LogMessage>) {
        let mut messages = Messages::default();
        let added = self.add_lambda_point_collecting(descriptor, &mut messages);
        (added, messages.into_vec())
    }

    fn add_lambda_point_collecting(&mut self, descriptor: &str, messages: &mut Messages) -> bool {
        let parts: Vec<&str> = descriptor.split("::").collect();
        let [assembly, class, method] = parts.as_slice() else {
            messages.warn(format!(
                "{descriptor} is not a valid method descriptor. It must be in the format 'assembly::class::method'"
            ));
            return false;
        };
        messages.info(format!(
            "Serverless mode detected. Assembly: {assembly} Class: {class} Method: {method}"
        ));
        self.add(InstrumentationPoint {
            tracer_factory_name: LAMBDA_TRACER_FACTORY.to_string(),
            assembly_name: assembly.to_string(),
            class_name: class.to_string(),
            method_name: method.to_string(),
            ..InstrumentationPoint::default()
        });
        // Set here, not only on the environment path, so that
        // `has_lambda_point` is true however the point came in.
        self.lambda_point_added = true;
        true
    }
}
