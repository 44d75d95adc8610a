//! Live instrumentation (reference-profiler §6.2): re-reading the extension
//! XML, overlaying the agent's custom documents, swapping the configuration,
//! and reverting / re-JITting what changed across every loaded module.

use super::active::Active;
use super::module_load::method_defs;
use super::Profiler;
use crate::config::ignore::IgnoreList;
use crate::config::instrumentation::discovery::{overlay_custom, read_xml_set};
use crate::config::instrumentation::{InstrumentationConfiguration, InstrumentationPoint, XmlSet};
use crate::config::loader;
use crate::ffi::hresult::{E_FAIL, E_INVALIDARG, S_FALSE, S_OK};
use crate::ffi::types::{mdMethodDef, ModuleID, HRESULT};
use crate::profiler::logging_setup::log_settings_lines;
use crate::system::env::Env;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Points grouped by their assembly name.
type ByAssembly = HashMap<String, Vec<Arc<InstrumentationPoint>>>;

fn group_by_assembly(configuration: &InstrumentationConfiguration) -> ByAssembly {
    let mut groups: ByAssembly = HashMap::new();
    for point in configuration.points() {
        groups
            .entry(point.assembly_name.clone())
            .or_default()
            .push(Arc::clone(point));
    }
    groups
}

impl Profiler {
    /// `InstrumentationRefresh` with the ignore list in force.
    pub fn instrumentation_refresh(&self, active: &Active) -> HRESULT {
        crate::log_trace!("Enter: InstrumentationRefresh");
        let ignore_list = active.ignore_list.lock().clone();
        let hr = self.refresh_with_ignore_list(active, ignore_list);
        crate::validation_event!(
            "export",
            name = "InstrumentationRefresh",
            result = hr,
            points = active.configuration().len()
        );
        hr
    }

    /// `InstrumentationRefreshWithNewIgnoreList`: the whole refresh, under
    /// the refresh lock. An invalid file refuses the refresh (`S_FALSE`)
    /// and keeps the old configuration.
    fn refresh_with_ignore_list(&self, active: &Active, ignore_list: IgnoreList) -> HRESULT {
        let _serial = active.refresh_lock.lock();
        crate::log_trace!("Enter: InstrumentationRefreshWithNewIgnoreList");
        let mut xml = read_xml_set(self.system(), &active.home, active.runtime);
        overlay_custom(&mut xml, &active.custom.lock());
        let configuration = InstrumentationConfiguration::from_xml_set(&xml, &ignore_list);
        if configuration.invalid_file_count() > 0 {
            crate::log_error!("Unable to parse one or more instrumentation files.  Instrumentation will not be refreshed.");
            return S_FALSE;
        }
        *active.ignore_list.lock() = ignore_list;
        let new_points = group_by_assembly(&configuration);
        let old = active.replace_configuration(configuration);
        let old_points = group_by_assembly(&old);
        // ReJIT and Revert requests run on a native thread of their own that
        // the runtime knows about (prior-art §4.5); the caller waits for it.
        let outcome = std::thread::scope(|scope| {
            scope
                .spawn(|| rejit_changed_methods(active, &old_points, &new_points))
                .join()
        });
        if outcome.is_err() {
            crate::log_error!("Function 'RejitInstrumentationPoints' failed.  HRESULT: {E_FAIL}");
        }
        crate::log_trace!("Leave: InstrumentationRefreshWithNewIgnoreList");
        S_OK
    }

    /// `ReloadConfiguration`: re-read `newrelic.config` (global, local,
    /// app.config), re-apply the logging settings (the file location stays),
    /// then refresh with the new ignore list. A configuration error returns
    /// `E_FAIL` where the original lets a C++ exception escape (§6.2 QUIRK,
    /// docs/compatibility.md).
    pub fn reload_configuration(&self, active: &Active) -> HRESULT {
        let env = Env::new(self.system(), active.runtime);
        let configuration = match loader::load(self.system(), &env) {
            Ok(configuration) => configuration,
            Err(error) => {
                crate::log_error!(
                    "Unable to reload the configuration, keeping the current one: {error}"
                );
                return E_FAIL;
            }
        };
        let settings = configuration.log_settings(&env);
        crate::log::global().apply_settings(settings);
        log_settings_lines(settings);
        let hr = self.refresh_with_ignore_list(active, configuration.ignore_list);
        crate::validation_event!(
            "export",
            name = "ReloadConfiguration",
            result = hr,
            log_level = settings.level.tag().trim_end()
        );
        hr
    }

    /// `AddCustomInstrumentation`: keep `xml` under `file_name` until applied;
    /// a later document with the same name replaces an earlier one.
    /// A document over the bounds of [`custom_document_refusal`] is refused
    /// with `E_INVALIDARG` and an Error line (the original stores anything;
    /// docs/compatibility.md E5).
    pub fn add_custom_instrumentation(
        &self,
        active: &Active,
        file_name: String,
        xml: String,
    ) -> HRESULT {
        crate::validation_event!(
            "export",
            name = "AddCustomInstrumentation",
            file = file_name.as_str(),
            length = xml.len()
        );
        let mut pending = active.pending_custom.lock();
        if let Some(reason) = custom_document_refusal(&pending, &file_name, &xml) {
            drop(pending);
            crate::log_error!(
                "AddCustomInstrumentation: the document {file_name} was refused: {reason}"
            );
            return E_INVALIDARG;
        }
        pending.insert(file_name, xml);
        S_OK
    }

    /// `ApplyCustomInstrumentation`: the pending documents become the
    /// custom set (possibly empty); a refresh runs when the old or the new
    /// set is non-empty, so removed documents are reverted too.
    pub fn apply_custom_instrumentation(&self, active: &Active) -> HRESULT {
        let pending: XmlSet = std::mem::take(&mut *active.pending_custom.lock());
        if !pending.is_empty() {
            crate::log_info!("Applying live instrumentation");
        }
        crate::validation_event!(
            "export",
            name = "ApplyCustomInstrumentation",
            documents = pending.keys().cloned().collect::<Vec<String>>()
        );
        let previous = std::mem::replace(&mut *active.custom.lock(), pending);
        if previous.is_empty() && active.custom.lock().is_empty() {
            return S_OK;
        }
        self.instrumentation_refresh(active)
    }
}

/// The largest live-instrumentation document (name plus text) accepted, in
/// bytes: the same bound as an extension file on disk.
pub const MAX_CUSTOM_DOCUMENT_BYTES: usize = crate::system::files::MAX_CONFIG_FILE_BYTES as usize;
/// The most documents pending at once. The agent passes one per live
/// instrumentation rule; real sets are a handful, so ten thousand is far
/// above any legitimate use.
pub const MAX_CUSTOM_DOCUMENTS: usize = 10_000;
/// The most bytes (names plus texts) pending at once.
pub const MAX_CUSTOM_TOTAL_BYTES: usize = 64 * 1024 * 1024;

/// Why a live document (name plus text) of `size` bytes is refused, if it
/// is: the export checks this before copying the marshalled strings.
pub fn oversized_document(size: usize) -> Option<String> {
    (size > MAX_CUSTOM_DOCUMENT_BYTES).then(|| {
        format!("it is {size} bytes long, more than the {MAX_CUSTOM_DOCUMENT_BYTES} bytes allowed")
    })
}

/// Why `file_name` → `xml` cannot join `pending`, or `None` when it can.
/// Live documents come from the network through the agent (§6.2), so what
/// the profiler keeps of them is bounded: per document, in number, and in
/// total (a document replacing one of the same name only counts once). The
/// parsed configuration is built from these texts, so it is bounded too.
pub(super) fn custom_document_refusal(
    pending: &XmlSet,
    file_name: &str,
    xml: &str,
) -> Option<String> {
    let size = file_name.len().saturating_add(xml.len());
    if let Some(reason) = oversized_document(size) {
        return Some(reason);
    }
    let replaces = pending.contains_key(file_name);
    if !replaces && pending.len() >= MAX_CUSTOM_DOCUMENTS {
        return Some(format!(
            "{MAX_CUSTOM_DOCUMENTS} documents are already waiting to be applied"
        ));
    }
    let others: usize = pending
        .iter()
        .filter(|(name, _)| name.as_str() != file_name)
        .map(|(name, text)| name.len().saturating_add(text.len()))
        .fold(0, usize::saturating_add);
    if others.saturating_add(size) > MAX_CUSTOM_TOTAL_BYTES {
        return Some(format!(
            "the documents waiting to be applied would exceed {MAX_CUSTOM_TOTAL_BYTES} bytes"
        ));
    }
    None
}

/// `RejitInstrumentationPoints`: for every loaded module, revert the methods
/// only the old configuration named and re-JIT those the new one names.
/// Failures are per module and swallowed.
fn rejit_changed_methods(active: &Active, old: &ByAssembly, new: &ByAssembly) {
    if let Err(hr) = active.info.initialize_current_thread() {
        crate::log_error!("Function 'RejitInstrumentationPoints' failed.  HRESULT: {hr}");
    }
    let modules = match active.info.modules() {
        Ok(modules) => modules,
        Err(hr) => {
            crate::log_error!("Function 'RejitInstrumentationPoints' failed.  HRESULT: {hr}");
            return;
        }
    };
    for module_id in modules {
        let _ = refresh_module(active, module_id, old, new);
    }
}

fn refresh_module(
    active: &Active,
    module_id: ModuleID,
    old: &ByAssembly,
    new: &ByAssembly,
) -> Option<()> {
    let module = active.modules.get(&active.info, module_id).ok()?;
    let old_points = old.get(&module.assembly_name);
    let new_points = new.get(&module.assembly_name);
    if !assembly_points_changed(old_points, new_points) {
        if new_points.is_some() {
            crate::log_debug!(
                "Instrumentation of {} is unchanged; its methods are not re-JIT-ted.",
                module.assembly_name
            );
        }
        return Some(());
    }
    let import = module.import()?;
    let lookup = active.class_lookup();
    let old_methods: BTreeSet<mdMethodDef> = old_points
        .map(|p| method_defs(import, p.iter(), lookup))
        .unwrap_or_default();
    let new_methods: BTreeSet<mdMethodDef> = new_points
        .map(|p| method_defs(import, p.iter(), lookup))
        .unwrap_or_default();
    let revert: BTreeSet<mdMethodDef> = old_methods.difference(&new_methods).copied().collect();
    active.revert_methods(module_id, &revert);
    active.rejit_methods(module_id, &new_methods);
    Some(())
}

/// Whether a refresh can change what any method of an assembly becomes.
/// A method's rewrite depends only on the first of its assembly's points
/// (file-then-document order) that names it and passes the version check,
/// so when the assembly's ordered points are equal by value in both
/// configurations every method would get the same body again: it is
/// neither reverted nor re-JIT-ted. The original re-JITs every selected
/// method on every refresh; the runtime keeps each code version, so
/// repeated refreshes grew the process without bound (compatibility R12).
fn assembly_points_changed(
    old: Option<&Vec<Arc<InstrumentationPoint>>>,
    new: Option<&Vec<Arc<InstrumentationPoint>>>,
) -> bool {
    match (old, new) {
        (None, None) => false,
        (Some(old), Some(new)) => old != new,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(method: &str, metric: &str) -> Arc<InstrumentationPoint> {
        Arc::new(InstrumentationPoint {
            assembly_name: "App".into(),
            class_name: "App.Worker".into(),
            method_name: method.into(),
            metric_name: metric.into(),
            ..InstrumentationPoint::default()
        })
    }

    #[test]
    fn equal_points_in_the_same_order_change_nothing() {
        let old = vec![point("A", ""), point("B", "")];
        let same = vec![point("A", ""), point("B", "")];
        assert!(!assembly_points_changed(Some(&old), Some(&same)));
        assert!(!assembly_points_changed(None, None));
    }

    #[test]
    fn any_difference_in_points_or_their_order_is_a_change() {
        let old = vec![point("A", ""), point("B", "")];
        let reordered = vec![point("B", ""), point("A", "")];
        let renamed_metric = vec![point("A", "Custom/A"), point("B", "")];
        let added = vec![point("A", ""), point("B", ""), point("C", "")];
        assert!(assembly_points_changed(Some(&old), Some(&reordered)));
        assert!(assembly_points_changed(Some(&old), Some(&renamed_metric)));
        assert!(assembly_points_changed(Some(&old), Some(&added)));
        assert!(assembly_points_changed(Some(&old), None));
        assert!(assembly_points_changed(None, Some(&old)));
    }

    #[test]
    fn custom_documents_are_bounded_in_size_number_and_total() {
        let mut pending = XmlSet::new();
        assert_eq!(
            custom_document_refusal(&pending, "a.xml", "<extension/>"),
            None
        );
        let huge = "x".repeat(MAX_CUSTOM_DOCUMENT_BYTES);
        assert_eq!(
            custom_document_refusal(&pending, "a.xml", &huge).as_deref(),
            Some("it is 16777221 bytes long, more than the 16777216 bytes allowed")
        );
        let big = "x".repeat(MAX_CUSTOM_DOCUMENT_BYTES - 16);
        for i in 0..4 {
            pending.insert(format!("{i}.xml"), big.clone());
        }
        assert_eq!(
            custom_document_refusal(&pending, "4.xml", &big).as_deref(),
            Some("the documents waiting to be applied would exceed 67108864 bytes")
        );
        assert_eq!(
            custom_document_refusal(&pending, "3.xml", &big),
            None,
            "replacing a document of the same name does not count it twice"
        );
        let mut many = XmlSet::new();
        for i in 0..MAX_CUSTOM_DOCUMENTS {
            many.insert(format!("{i}"), String::new());
        }
        assert_eq!(
            custom_document_refusal(&many, "new", "").as_deref(),
            Some("10000 documents are already waiting to be applied")
        );
        assert_eq!(custom_document_refusal(&many, "7", "<x/>"), None);
    }
}
