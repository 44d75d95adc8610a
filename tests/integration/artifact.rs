//! The built library as the runtime and the agent see it: the COM entry
//! points, and the SONAME the agent's `DllImport("NewRelicProfiler")`
//! resolves through (reference-profiler §1.1, §9).

use crate::support::profiler_library;
use object::read::elf::{Dyn, ElfFile64, FileHeader};
use object::{Object, ObjectSymbol};

#[test]
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn elf_exports_and_soname() {
    let bytes = std::fs::read(profiler_library()).unwrap();
    let elf = ElfFile64::<object::Endianness>::parse(&*bytes).unwrap();
    let exported: Vec<String> = elf
        .dynamic_symbols()
        .filter(|s| s.is_definition() && s.is_global())
        .filter_map(|s| s.name().ok().map(str::to_string))
        .collect();
    for name in ["DllGetClassObject", "DllCanUnloadNow"] {
        assert!(
            exported.iter().any(|e| e == name),
            "{name} not exported: {exported:?}"
        );
    }
    let endian = elf.endian();
    let header = elf.elf_header();
    let sections = header.sections(endian, &*bytes).unwrap();
    let (dynamic, strtab) = sections
        .dynamic(endian, &*bytes)
        .unwrap()
        .expect("a dynamic section");
    let strings = sections.strings(endian, &*bytes, strtab).unwrap();
    let mut soname = None;
    for entry in dynamic {
        if entry.tag(endian) == object::elf::DT_SONAME {
            let offset = entry.d_val(endian) as u32;
            soname = Some(String::from_utf8_lossy(strings.get(offset).unwrap()).into_owned());
        }
    }
    assert_eq!(soname.as_deref(), Some("libNewRelicProfiler.so"));
}
