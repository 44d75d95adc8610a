//! Every hand-written vtable against the runtime's IDL (prior-art §4.2: both
//! Rust anchors shipped with a missing slot). The method-name lists in
//! `tests/data/idl/` were taken from dotnet/runtime `corprof.idl` and `cor.h`.

use std::collections::BTreeMap;

use NewRelicProfiler::ffi::callback::*;
use NewRelicProfiler::ffi::enums::*;
use NewRelicProfiler::ffi::function_control::*;
use NewRelicProfiler::ffi::guids;
use NewRelicProfiler::ffi::info::*;
use NewRelicProfiler::ffi::metadata::*;
use NewRelicProfiler::ffi::unknown::*;
use NewRelicProfiler::ffi::vtable::VtableLayout;

struct IdlInterface {
    base: String,
    methods: Vec<String>,
}

fn load_idl() -> BTreeMap<String, IdlInterface> {
    let mut map = BTreeMap::new();
    for file in ["corprof_methods.txt", "cor_methods.txt"] {
        let path = format!("{}/tests/data/idl/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let (name, base) = header.split_once(" : ").unwrap();
                map.insert(
                    name.to_string(),
                    IdlInterface {
                        base: base.to_string(),
                        methods: Vec::new(),
                    },
                );
                current = Some(name.to_string());
            } else {
                let name = current.as_ref().unwrap();
                map.get_mut(name).unwrap().methods.push(line.to_string());
            }
        }
    }
    map
}

fn check<V: VtableLayout>(idl: &BTreeMap<String, IdlInterface>) -> &'static str {
    let iface = idl
        .get(V::INTERFACE)
        .unwrap_or_else(|| panic!("{} missing from the IDL test data", V::INTERFACE));
    assert_eq!(V::BASE, iface.base, "{}: base interface", V::INTERFACE);
    assert_eq!(
        V::OWN_METHODS,
        iface.methods.as_slice(),
        "{}: slot names in order",
        V::INTERFACE
    );
    let ptr = std::mem::size_of::<usize>();
    let expected: Vec<usize> = (0..V::OWN_METHODS.len())
        .map(|i| V::BASE_SIZE + i * ptr)
        .collect();
    assert_eq!(V::own_offsets(), expected, "{}: slot offsets", V::INTERFACE);
    V::INTERFACE
}

#[test]
fn every_vtable_matches_the_idl_slot_order() {
    let idl = load_idl();
    let checked = [
        check::<IUnknownVtbl>(&BTreeMap::from([(
            "IUnknown".to_string(),
            IdlInterface {
                base: String::new(),
                methods: vec!["QueryInterface".into(), "AddRef".into(), "Release".into()],
            },
        )])),
        check::<ICorProfilerCallbackVtbl>(&idl),
        check::<ICorProfilerCallback2Vtbl>(&idl),
        check::<ICorProfilerCallback3Vtbl>(&idl),
        check::<ICorProfilerCallback4Vtbl>(&idl),
        check::<ICorProfilerInfoVtbl>(&idl),
        check::<ICorProfilerInfo2Vtbl>(&idl),
        check::<ICorProfilerInfo3Vtbl>(&idl),
        check::<ICorProfilerInfo4Vtbl>(&idl),
        check::<ICorProfilerInfo5Vtbl>(&idl),
        check::<ICorProfilerInfo6Vtbl>(&idl),
        check::<ICorProfilerInfo7Vtbl>(&idl),
        check::<ICorProfilerInfo8Vtbl>(&idl),
        check::<ICorProfilerInfo9Vtbl>(&idl),
        check::<ICorProfilerInfo10Vtbl>(&idl),
        check::<ICorProfilerInfo11Vtbl>(&idl),
        check::<ICorProfilerFunctionControlVtbl>(&idl),
        check::<IMethodMallocVtbl>(&idl),
        check::<ICorProfilerModuleEnumVtbl>(&idl),
        check::<ICorProfilerThreadEnumVtbl>(&idl),
        check::<ICorProfilerMethodEnumVtbl>(&idl),
        check::<IMetaDataImportVtbl>(&idl),
        check::<IMetaDataImport2Vtbl>(&idl),
        check::<IMetaDataEmitVtbl>(&idl),
        check::<IMetaDataEmit2Vtbl>(&idl),
        check::<IMetaDataAssemblyImportVtbl>(&idl),
        check::<IMetaDataAssemblyEmitVtbl>(&idl),
    ];
    // Every interface in the IDL data has a vtable.
    for name in idl.keys() {
        assert!(
            checked.contains(&name.as_str()),
            "{name} has no checked vtable"
        );
    }
}

#[test]
fn whole_vtable_sizes_count_every_inherited_slot() {
    let p = std::mem::size_of::<usize>();
    // IUnknown 3 + Callback 69 + 8 + 3 + 6 (the helper's count of corprof.idl).
    assert_eq!(std::mem::size_of::<ICorProfilerCallback4Vtbl>(), 89 * p);
    // IUnknown 3 + Info..Info11: 33+21+14+10+2+1+3+3+3+6+2.
    assert_eq!(std::mem::size_of::<ICorProfilerInfo11Vtbl>(), 101 * p);
    assert_eq!(
        std::mem::size_of::<IMetaDataImport2Vtbl>(),
        (3 + 62 + 8) * p
    );
    assert_eq!(std::mem::size_of::<IMetaDataEmit2Vtbl>(), (3 + 49 + 8) * p);
    assert_eq!(
        std::mem::size_of::<IMetaDataAssemblyImportVtbl>(),
        (3 + 14) * p
    );
    assert_eq!(
        std::mem::size_of::<IMetaDataAssemblyEmitVtbl>(),
        (3 + 10) * p
    );
    assert_eq!(std::mem::size_of::<IClassFactoryVtbl>(), 5 * p);
}

#[test]
fn interface_ids_match_the_idl() {
    let path = format!("{}/tests/data/idl/iids.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let expected: BTreeMap<&str, &str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once(" = ").unwrap())
        .collect();
    assert_eq!(expected.len(), guids::ALL.len());
    for (name, guid) in guids::ALL {
        assert_eq!(
            expected.get(name).copied(),
            Some(guid.to_string().as_str()),
            "{name}"
        );
    }
}
