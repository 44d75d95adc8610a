//! Corpus reader for tests and benchmarks (not product code): every method
//! body (MethodDef RVA) and every signature blob of the managed assemblies
//! in the installed shared frameworks (`Microsoft.NETCore.App`,
//! `Microsoft.AspNetCore.App`). Native files and images without CLI
//! metadata are skipped. ReadyToRun images keep their IL at the MethodDef
//! RVA, so they are read the same way.
//!
//! The PE layer is a few lines of header walking (ECMA-335 II.25.2–3); the
//! metadata tables come from the vendored `clrmeta` crate.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use NewRelicProfiler::il::signature::{MethodSig, TypeNameResolver};
use NewRelicProfiler::il::{CallResolver, CallShape};

/// Hasher for metadata-token keys: tokens are already well spread, so the
/// resolver lookups in the benchmark do not pay for SipHash.
#[derive(Default, Clone, Copy)]
pub struct TokenHasher(u64);

impl std::hash::Hasher for TokenHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type TokenMap<V> = HashMap<u32, V, std::hash::BuildHasherDefault<TokenHasher>>;

/// Which table a signature blob came from, i.e. how to parse it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SigKind {
    /// MethodDef.Signature.
    MethodDef,
    /// Field.Signature.
    Field,
    /// MemberRef.Signature (method or field).
    MemberRef,
    /// StandAloneSig (locals or calli method signature).
    StandAlone,
    /// Property.Type.
    Property,
    /// TypeSpec.Signature.
    TypeSpec,
    /// MethodSpec.Instantiation.
    MethodSpec,
}

/// One method with a body.
#[derive(Clone, Debug)]
pub struct Method {
    /// MethodDef token.
    pub token: u32,
    /// File offset of the body header.
    pub offset: usize,
    /// File offset where the containing section's data ends (the decoder
    /// finds the real end itself).
    pub limit: usize,
    /// The MethodDef signature blob.
    pub signature: Vec<u8>,
}

/// One assembly of the corpus.
pub struct Assembly {
    /// File path.
    pub path: PathBuf,
    /// File bytes.
    pub data: Arc<Vec<u8>>,
    /// Methods with an RVA.
    pub methods: Vec<Method>,
    /// Distinct signature blobs (kind, bytes).
    pub signatures: Vec<(SigKind, Vec<u8>)>,
    /// StandAloneSig blobs by token.
    pub standalone: TokenMap<Vec<u8>>,
    /// Call shapes by MethodDef / MemberRef / MethodSpec / StandAloneSig token.
    pub calls: TokenMap<CallShape>,
    /// TypeDef / TypeRef names by token.
    pub names: HashMap<u32, String>,
}

impl Assembly {
    /// The bytes from a method's header to the end of its section.
    pub fn body_bytes(&self, m: &Method) -> &[u8] {
        self.data.get(m.offset..m.limit).unwrap_or(&[])
    }

    /// The local signature blob for a StandAloneSig token.
    pub fn local_sig(&self, token: u32) -> Option<&[u8]> {
        self.standalone.get(&token).map(Vec::as_slice)
    }
}

impl CallResolver for Assembly {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.calls.get(&token).copied()
    }
}

impl TypeNameResolver for Assembly {
    fn type_name(&self, token: u32) -> Option<String> {
        self.names.get(&token).cloned()
    }
}

/// The whole corpus.
pub struct Corpus {
    /// Assemblies with CLI metadata.
    pub assemblies: Vec<Assembly>,
    /// Files skipped (native, no CLI header, unreadable metadata) with why.
    pub skipped: Vec<(PathBuf, String)>,
}

impl Corpus {
    /// Number of methods with bodies.
    pub fn method_count(&self) -> usize {
        self.assemblies.iter().map(|a| a.methods.len()).sum()
    }

    /// Number of distinct signature blobs.
    pub fn signature_count(&self) -> usize {
        self.assemblies.iter().map(|a| a.signatures.len()).sum()
    }
}

/// Framework directories from `dotnet --list-runtimes`, falling back to
/// the usual install location.
pub fn framework_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(out) = std::process::Command::new("dotnet")
        .arg("--list-runtimes")
        .output()
    {
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            // "Microsoft.NETCore.App 10.0.12 [/usr/share/dotnet/shared/Microsoft.NETCore.App]"
            let mut parts = line.splitn(3, ' ');
            let (Some(name), Some(version), Some(rest)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if name != "Microsoft.NETCore.App" && name != "Microsoft.AspNetCore.App" {
                continue;
            }
            let base = rest.trim().trim_start_matches('[').trim_end_matches(']');
            dirs.push(Path::new(base).join(version));
        }
    }
    if dirs.is_empty() {
        for name in ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"] {
            let base = Path::new("/usr/share/dotnet/shared").join(name);
            if let Ok(entries) = std::fs::read_dir(&base) {
                dirs.extend(entries.flatten().map(|e| e.path()));
            }
        }
    }
    dirs.sort();
    dirs
}

/// Loads every `.dll` under the framework directories.
pub fn load() -> Corpus {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in framework_dirs() {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "dll")),
            );
        }
    }
    files.sort();
    let mut corpus = Corpus {
        assemblies: Vec::new(),
        skipped: Vec::new(),
    };
    for path in files {
        match load_assembly(&path) {
            Ok(a) => corpus.assemblies.push(a),
            Err(why) => corpus.skipped.push((path, why)),
        }
    }
    corpus
}

/// Lazily loaded shared corpus for one test binary.
pub fn shared() -> &'static Corpus {
    static CORPUS: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let start = std::time::Instant::now();
        let c = load();
        println!("corpus loaded in {:?}", start.elapsed());
        c
    })
}

fn u16_at(d: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(o..o + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(o..o + 4)?.try_into().ok()?))
}

/// Section table entry: (virtual address, virtual size, raw pointer, raw size).
type Section = (u32, u32, u32, u32);

/// Maps an RVA to (file offset, end of the section's raw data).
fn rva_to_file(sections: &[Section], rva: u32) -> Option<(usize, usize)> {
    sections.iter().find_map(|&(va, vsize, ptr, raw)| {
        let size = vsize.max(raw);
        (rva >= va && rva < va.checked_add(size)?).then(|| {
            let off = (rva - va + ptr) as usize;
            (off, (ptr + raw) as usize)
        })
    })
}

/// A PE image with CLI metadata: its bytes, sections and parsed tables.
pub struct Image {
    pub data: Vec<u8>,
    sections: Vec<Section>,
    pub meta: clrmeta::Metadata,
}

impl Image {
    /// Maps an RVA to (file offset, end of the section's raw data).
    pub fn rva_to_file(&self, rva: u32) -> Option<(usize, usize)> {
        rva_to_file(&self.sections, rva)
    }
}

/// Reads a managed PE file (ECMA-335 II.25.2–3) and parses its metadata.
pub fn open_image(path: &Path) -> Result<Image, String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    if data.get(0..2) != Some(b"MZ") {
        return Err("not a PE image".into());
    }
    let pe = u32_at(&data, 0x3C).ok_or("no e_lfanew")? as usize;
    if data.get(pe..pe + 4) != Some(b"PE\0\0") {
        return Err("no PE signature".into());
    }
    let coff = pe + 4;
    let n_sections = u16_at(&data, coff + 2).ok_or("coff")? as usize;
    let opt_size = u16_at(&data, coff + 16).ok_or("coff")? as usize;
    let opt = coff + 20;
    let magic = u16_at(&data, opt).ok_or("optional header")?;
    let dirs = match magic {
        0x10B => opt + 96,
        0x20B => opt + 112,
        _ => return Err(format!("unknown optional header magic {magic:#x}")),
    };
    let cli_rva = u32_at(&data, dirs + 14 * 8).ok_or("data directories")?;
    if cli_rva == 0 {
        return Err("no CLI header".into());
    }
    let sec_table = opt + opt_size;
    let sections: Vec<Section> = (0..n_sections)
        .filter_map(|i| {
            let s = sec_table + i * 40;
            Some((
                u32_at(&data, s + 12)?,
                u32_at(&data, s + 8)?,
                u32_at(&data, s + 20)?,
                u32_at(&data, s + 16)?,
            ))
        })
        .collect();
    let (cli, _) = rva_to_file(&sections, cli_rva).ok_or("CLI header RVA")?;
    let md_rva = u32_at(&data, cli + 8).ok_or("CLI header")?;
    let md_size = u32_at(&data, cli + 12).ok_or("CLI header")? as usize;
    let (md, _) = rva_to_file(&sections, md_rva).ok_or("metadata RVA")?;
    let md_bytes = data.get(md..md + md_size).ok_or("metadata range")?;
    let meta = clrmeta::Metadata::parse(md_bytes).map_err(|e| format!("metadata: {e}"))?;
    Ok(Image {
        data,
        sections,
        meta,
    })
}

fn load_assembly(path: &Path) -> Result<Assembly, String> {
    let Image {
        data,
        sections,
        meta,
    } = open_image(path)?;
    let blob = |i: u32| -> Vec<u8> { meta.blobs.get(i).map(<[u8]>::to_vec).unwrap_or_default() };

    let mut methods = Vec::new();
    for (i, m) in meta.method_defs.iter().enumerate() {
        if m.rva == 0 {
            continue;
        }
        let Some((offset, limit)) = rva_to_file(&sections, m.rva) else {
            continue;
        };
        methods.push(Method {
            token: 0x0600_0001 + i as u32,
            offset,
            limit: limit.min(data.len()),
            signature: blob(m.signature),
        });
    }

    let mut seen: BTreeSet<(SigKind, u32)> = BTreeSet::new();
    let mut calls = TokenMap::default();
    let mut standalone = TokenMap::default();
    let shape = |b: &[u8]| MethodSig::parse(b).ok().map(|s| s.call_shape());
    for (i, m) in meta.method_defs.iter().enumerate() {
        seen.insert((SigKind::MethodDef, m.signature));
        if let Some(s) = shape(&blob(m.signature)) {
            calls.insert(0x0600_0001 + i as u32, s);
        }
    }
    for f in &meta.fields {
        seen.insert((SigKind::Field, f.signature));
    }
    for (i, m) in meta.member_refs.iter().enumerate() {
        seen.insert((SigKind::MemberRef, m.signature));
        if let Some(s) = shape(&blob(m.signature)) {
            calls.insert(0x0A00_0001 + i as u32, s);
        }
    }
    for (i, s) in meta.stand_alone_sigs.iter().enumerate() {
        seen.insert((SigKind::StandAlone, s.signature));
        let b = blob(s.signature);
        let token = 0x1100_0001 + i as u32;
        if let Some(sh) = shape(&b) {
            calls.insert(token, sh);
        }
        standalone.insert(token, b);
    }
    for p in &meta.properties {
        seen.insert((SigKind::Property, p.property_type));
    }
    for t in &meta.type_specs {
        seen.insert((SigKind::TypeSpec, t.signature));
    }
    for (i, m) in meta.method_specs.iter().enumerate() {
        seen.insert((SigKind::MethodSpec, m.instantiation));
        let base = match m.method.table {
            Some(clrmeta::TableId::MethodDef) => 0x0600_0000 | m.method.row,
            Some(clrmeta::TableId::MemberRef) => 0x0A00_0000 | m.method.row,
            _ => continue,
        };
        if let Some(&s) = calls.get(&base) {
            calls.insert(0x2B00_0001 + i as u32, s);
        }
    }
    let signatures = seen.into_iter().map(|(k, i)| (k, blob(i))).collect();

    let mut names = HashMap::new();
    let name = |ns: u32, n: u32| -> String {
        let ns = meta.strings.get(ns).unwrap_or("");
        let n = meta.strings.get(n).unwrap_or("");
        if ns.is_empty() {
            n.to_string()
        } else {
            format!("{ns}.{n}")
        }
    };
    for (i, t) in meta.type_defs.iter().enumerate() {
        names.insert(0x0200_0001 + i as u32, name(t.type_namespace, t.type_name));
    }
    for (i, t) in meta.type_refs.iter().enumerate() {
        names.insert(0x0100_0001 + i as u32, name(t.type_namespace, t.type_name));
    }

    Ok(Assembly {
        path: path.to_path_buf(),
        data: Arc::new(data),
        methods,
        signatures,
        standalone,
        calls,
        names,
    })
}
