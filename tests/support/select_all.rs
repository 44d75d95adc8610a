//! "Instrument everything" (issue 9 item 1): reads a managed assembly's
//! metadata and selects every method of every type, then writes that
//! selection as extension XML (`urn:newrelic-extension`, reference-profiler
//! §4.2): one `<match assemblyName className>` per type — nested types as
//! `Outer+Inner`, generic types with their backtick arity (§4.8) — and one
//! `exactMethodMatcher methodName` per distinct method name (no
//! `parameters`, so every overload matches).
//!
//! It also says, from each method's IL, which shapes the selection holds
//! (`tail.` calls, `localloc`, pinned locals, filters, …) so a run can
//! report which of them were exercised.

use super::corpus::{open_image, Image};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use NewRelicProfiler::il::signature::{
    render_parameters, MethodSig, Primitive, TypeNameResolver, TypeSig,
};
use NewRelicProfiler::il::{Handler, MethodBody, OpCode};
use NewRelicProfiler::instrument::byref_like::{
    IS_BYREF_LIKE_ATTRIBUTE as IS_BYREF_LIKE, KNOWN_BYREF_LIKE,
};

/// Everything selected in one assembly.
pub struct Selection {
    pub assembly: String,
    pub types: Vec<SelectedType>,
}

/// One TypeDef and its methods.
pub struct SelectedType {
    /// The matching name (§4.8): `Namespace.Outer+Inner`, arity kept.
    pub name: String,
    /// `CorTypeAttr`.
    pub flags: u32,
    /// Extends `System.ValueType` (or `System.Enum`).
    pub value_type: bool,
    /// Carries `IsByRefLikeAttribute` (a `ref struct`).
    pub byref_like: bool,
    /// Has generic parameters (its own or an enclosing type's).
    pub generic: bool,
    pub methods: Vec<SelectedMethod>,
}

/// One MethodDef.
pub struct SelectedMethod {
    pub token: u32,
    pub name: String,
    /// The §8.1 parameter text, as the profiler renders it.
    pub parameters: String,
    /// `CorMethodAttr`.
    pub flags: u16,
    pub generic: bool,
    /// What its IL contains; `None` without a body (abstract, runtime-implemented).
    pub il: Option<IlShape>,
    /// `AsyncStateMachineAttribute` / `AsyncIteratorStateMachineAttribute`.
    pub async_kickoff: bool,
    /// `IteratorStateMachineAttribute`.
    pub iterator_kickoff: bool,
    /// The signature names a byref-like type (span, `TypedReference`, ref struct).
    pub byref_like_signature: bool,
    /// The signature names a pointer or function pointer.
    pub pointer_signature: bool,
}

/// Shapes found in one method body.
#[derive(Clone, Copy, Default, Debug)]
pub struct IlShape {
    pub code_size: usize,
    pub tail_calls: usize,
    pub jmp: usize,
    pub localloc: usize,
    pub pinned_locals: bool,
    pub filters: usize,
    pub clauses: usize,
    pub constrained_calls: usize,
}

impl Selection {
    pub fn method_count(&self) -> usize {
        self.types.iter().map(|t| t.methods.len()).sum()
    }

    /// `[Asm]Type.Method(params)` for every method: the text the profiler's
    /// function identity ends with (reference-profiler §3.6).
    pub fn keys(&self) -> impl Iterator<Item = (String, &SelectedType, &SelectedMethod)> + '_ {
        self.types.iter().flat_map(move |t| {
            t.methods.iter().map(move |m| {
                (
                    format!("[{}]{}.{}({})", self.assembly, t.name, m.name, m.parameters),
                    t,
                    m,
                )
            })
        })
    }
}

/// Reads `path` and selects every method of every type that has methods.
pub fn select_everything(path: &Path) -> Result<Selection, String> {
    let image = open_image(path)?;
    let meta = &image.meta;
    let string = |i: u32| meta.strings.get(i).unwrap_or("").to_string();
    let assembly = meta
        .assemblies
        .first()
        .map(|a| string(a.name))
        .ok_or("no Assembly row")?;
    let names = Names::new(meta);
    let enclosing: HashMap<u32, u32> = meta
        .nested_classes
        .iter()
        .map(|n| (n.nested_class, n.enclosing_class))
        .collect();
    let attributes = Attributes::new(meta, &names);
    let generic_owners: Vec<(Option<clrmeta::TableId>, u32)> = meta
        .generic_params
        .iter()
        .map(|g| (g.owner.table, g.owner.row))
        .collect();
    let is_generic =
        |table: clrmeta::TableId, row: u32| generic_owners.contains(&(Some(table), row));
    let method_count = meta.method_defs.len() as u32;
    let mut types = Vec::new();
    for (index, t) in meta.type_defs.iter().enumerate() {
        let row = index as u32 + 1;
        let first = t.method_list;
        let end = meta
            .type_defs
            .get(index + 1)
            .map(|n| n.method_list)
            .unwrap_or(method_count + 1);
        if first == 0 || first >= end {
            continue;
        }
        let mut name = names.type_def(row);
        let mut generic = is_generic(clrmeta::TableId::TypeDef, row);
        let mut current = row;
        for _ in 0..64 {
            let Some(&outer) = enclosing.get(&current) else {
                break;
            };
            name = format!("{}+{name}", names.type_def(outer));
            generic |= is_generic(clrmeta::TableId::TypeDef, outer);
            current = outer;
        }
        let base = names.coded(&t.extends);
        let value_type = (base == "System.ValueType" || base == "System.Enum")
            && names.type_def(row) != "System.Enum";
        let byref_like = attributes.has(0x0200_0000 | row, IS_BYREF_LIKE);
        let mut methods = Vec::new();
        for method_row in first..end {
            let Some(m) = meta.method_defs.get(method_row as usize - 1) else {
                continue;
            };
            let token = 0x0600_0000 | method_row;
            let signature = meta.blobs.get(m.signature).unwrap_or(&[]);
            let sig = MethodSig::parse(signature).ok();
            let parameters = sig
                .as_ref()
                .and_then(|s| render_parameters(s, &names).ok())
                .unwrap_or_else(|| "<unrenderable>".to_string());
            let (byref_like_signature, pointer_signature) = sig
                .as_ref()
                .map(|s| signature_kinds(s, &names, &attributes))
                .unwrap_or((false, false));
            let il = (m.rva != 0).then(|| il_shape(&image, m.rva)).flatten();
            methods.push(SelectedMethod {
                token,
                name: string(m.name),
                parameters,
                flags: m.flags,
                generic: is_generic(clrmeta::TableId::MethodDef, method_row),
                il,
                async_kickoff: attributes.has(
                    token,
                    "System.Runtime.CompilerServices.AsyncStateMachineAttribute",
                ) || attributes.has(
                    token,
                    "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute",
                ),
                iterator_kickoff: attributes.has(
                    token,
                    "System.Runtime.CompilerServices.IteratorStateMachineAttribute",
                ),
                byref_like_signature,
                pointer_signature,
            });
        }
        types.push(SelectedType {
            name,
            flags: t.flags,
            value_type,
            byref_like,
            generic,
            methods,
        });
    }
    Ok(Selection { assembly, types })
}

/// Whether a signature mentions a byref-like type, and a pointer type.
fn signature_kinds(sig: &MethodSig, names: &Names, attributes: &Attributes) -> (bool, bool) {
    let (mut byref_like, mut pointer) = (false, false);
    let mut visit = |ty: &TypeSig| {
        let mut stack = vec![ty];
        while let Some(ty) = stack.pop() {
            match ty {
                TypeSig::Ptr(_) | TypeSig::FnPtr(_) => pointer = true,
                TypeSig::Primitive(Primitive::TypedByRef) => byref_like = true,
                TypeSig::ValueType(token) => {
                    let name = names.type_name(*token).unwrap_or_default();
                    byref_like |= KNOWN_BYREF_LIKE.contains(&name.as_str())
                        || attributes.has(*token, IS_BYREF_LIKE);
                }
                TypeSig::GenericInst { base, args, .. } => {
                    let name = names.type_name(*base).unwrap_or_default();
                    byref_like |= KNOWN_BYREF_LIKE.contains(&name.as_str());
                    stack.extend(args.iter());
                }
                TypeSig::ByRef(inner) | TypeSig::Pinned(inner) => stack.push(inner),
                TypeSig::Modified { inner, .. } => stack.push(inner),
                _ => {}
            }
        }
    };
    visit(&sig.ret);
    for p in &sig.params {
        visit(p);
    }
    (byref_like, pointer)
}

fn il_shape(image: &Image, rva: u32) -> Option<IlShape> {
    let (offset, limit) = image.rva_to_file(rva)?;
    let bytes = image.data.get(offset..limit.min(image.data.len()))?;
    let body = MethodBody::decode(bytes).ok()?;
    let code_size = body.decoded_size().unwrap_or(0).saturating_sub(
        if body.header.form == NewRelicProfiler::il::HeaderForm::Tiny {
            1
        } else {
            12
        },
    );
    let pinned_locals = pinned(image, body.header.local_var_sig_token);
    Some(IlShape {
        code_size,
        tail_calls: body.count(OpCode::Tail),
        jmp: body.count(OpCode::Jmp),
        localloc: body.count(OpCode::Localloc),
        pinned_locals,
        filters: body
            .clauses()
            .iter()
            .filter(|c| matches!(c.handler, Handler::Filter(_)))
            .count(),
        clauses: body.clauses().len(),
        constrained_calls: body.count(OpCode::Constrained),
    })
}

/// Whether the local signature has an `ELEMENT_TYPE_PINNED` local (`fixed`).
fn pinned(image: &Image, token: u32) -> bool {
    let row = token & 0x00FF_FFFF;
    if token >> 24 != 0x11 || row == 0 {
        return false;
    }
    let Some(sig) = image.meta.stand_alone_sigs.get(row as usize - 1) else {
        return false;
    };
    let blob = image.meta.blobs.get(sig.signature).unwrap_or(&[]);
    match NewRelicProfiler::il::Signature::parse(blob) {
        Ok(NewRelicProfiler::il::Signature::Locals(locals)) => locals.locals.iter().any(is_pinned),
        _ => false,
    }
}

fn is_pinned(ty: &TypeSig) -> bool {
    match ty {
        TypeSig::Pinned(_) => true,
        TypeSig::Modified { inner, .. } => is_pinned(inner),
        _ => false,
    }
}

/// TypeDef and TypeRef names as the profiler's signature renderer sees them.
struct Names {
    type_defs: Vec<String>,
    type_refs: Vec<String>,
}

impl Names {
    fn new(meta: &clrmeta::Metadata) -> Names {
        let name = |ns: u32, n: u32| {
            let ns = meta.strings.get(ns).unwrap_or("");
            let n = meta.strings.get(n).unwrap_or("");
            if ns.is_empty() {
                n.to_string()
            } else {
                format!("{ns}.{n}")
            }
        };
        Names {
            type_defs: meta
                .type_defs
                .iter()
                .map(|t| name(t.type_namespace, t.type_name))
                .collect(),
            type_refs: meta
                .type_refs
                .iter()
                .map(|t| name(t.type_namespace, t.type_name))
                .collect(),
        }
    }

    fn type_def(&self, row: u32) -> String {
        self.type_defs
            .get(row as usize - 1)
            .cloned()
            .unwrap_or_default()
    }

    fn coded(&self, index: &clrmeta::CodedIndex) -> String {
        let row = index.row as usize;
        match index.table {
            Some(clrmeta::TableId::TypeDef) if row > 0 => self.type_defs.get(row - 1),
            Some(clrmeta::TableId::TypeRef) if row > 0 => self.type_refs.get(row - 1),
            _ => None,
        }
        .cloned()
        .unwrap_or_default()
    }
}

impl TypeNameResolver for Names {
    fn type_name(&self, token: u32) -> Option<String> {
        let row = (token & 0x00FF_FFFF) as usize;
        match token >> 24 {
            0x02 if row > 0 => self.type_defs.get(row - 1).cloned(),
            0x01 if row > 0 => self.type_refs.get(row - 1).cloned(),
            _ => None,
        }
    }
}

/// Custom attribute type names by owner token.
struct Attributes {
    by_owner: HashMap<u32, Vec<String>>,
}

impl Attributes {
    fn new(meta: &clrmeta::Metadata, names: &Names) -> Attributes {
        let mut by_owner: HashMap<u32, Vec<String>> = HashMap::new();
        for a in &meta.custom_attributes {
            let owner = match a.parent.table {
                Some(clrmeta::TableId::MethodDef) => 0x0600_0000 | a.parent.row,
                Some(clrmeta::TableId::TypeDef) => 0x0200_0000 | a.parent.row,
                _ => continue,
            };
            let type_name = match a.attr_type.table {
                Some(clrmeta::TableId::MemberRef) => meta
                    .member_refs
                    .get(a.attr_type.row as usize - 1)
                    .map(|m| names.coded(&m.class)),
                Some(clrmeta::TableId::MethodDef) => {
                    let row = a.attr_type.row;
                    let index = meta
                        .type_defs
                        .iter()
                        .rposition(|t| t.method_list != 0 && t.method_list <= row);
                    index.map(|i| names.type_def(i as u32 + 1))
                }
                _ => None,
            };
            if let Some(type_name) = type_name {
                by_owner.entry(owner).or_default().push(type_name);
            }
        }
        Attributes { by_owner }
    }

    fn has(&self, owner: u32, type_name: &str) -> bool {
        self.by_owner
            .get(&owner)
            .is_some_and(|names| names.iter().any(|n| n == type_name))
    }
}

/// The extension XML selecting everything in `selections`, plus `extra`
/// `(assembly, class, methods)` triples for assemblies not on disk yet.
pub fn extension_xml(selections: &[&Selection], extra: &[(&str, &str, &[&str])]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <!-- Generated by tests/support/select_all.rs: every method of every type. -->\n\
         <extension xmlns=\"urn:newrelic-extension\">\n  <instrumentation>\n",
    );
    let mut matches: Vec<Match> = Vec::new();
    for s in selections {
        for t in &s.types {
            let mut methods: Vec<String> = t.methods.iter().map(|m| m.name.clone()).collect();
            methods.sort();
            methods.dedup();
            matches.push((s.assembly.clone(), t.name.clone(), methods));
        }
    }
    for (assembly, class, methods) in extra {
        matches.push((
            assembly.to_string(),
            class.to_string(),
            methods.iter().map(|m| m.to_string()).collect(),
        ));
    }
    let mut by_assembly: BTreeMap<&str, Vec<&Match>> = BTreeMap::new();
    for m in &matches {
        by_assembly.entry(m.0.as_str()).or_default().push(m);
    }
    for (_, group) in by_assembly {
        xml.push_str("    <tracerFactory>\n");
        for (assembly, class, methods) in group {
            let _ = writeln!(
                xml,
                "      <match assemblyName=\"{}\" className=\"{}\">",
                escape(assembly),
                escape(class)
            );
            for method in methods {
                let _ = writeln!(
                    xml,
                    "        <exactMethodMatcher methodName=\"{}\" />",
                    escape(method)
                );
            }
            xml.push_str("      </match>\n");
        }
        xml.push_str("    </tracerFactory>\n");
    }
    xml.push_str("  </instrumentation>\n</extension>\n");
    xml
}

/// `(assembly, class, method names)` of one `<match>`.
type Match = (String, String, Vec<String>);

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
