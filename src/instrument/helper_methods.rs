//! The six helper methods the original injects into mscorlib on .NET
//! Framework (reference-profiler §5.5): their names, signatures, attributes
//! and declarative security, and their bodies — written as tiny methods at
//! their first JIT (§5.1 HelperInstrumentor) and checked by the same stack
//! simulation as every other rewrite.
//!
//! They live on `System.CannotUnloadAppDomainException`, a public type
//! nobody calls, so code in any assembly can reach them; on .NET Framework
//! they let security-transparent code use the security-critical
//! `AppDomain.GetData`/`SetData` (the Assert). Instrumented code then finds
//! the agent method once per AppDomain and only invokes it afterwards
//! (§5.4.1).
//!
//! ```text
//! LoadAssemblyOrThrow(path)              Assembly.LoadFrom(path) ?? throw
//! GetTypeViaReflectionOrThrow(path, t)   LoadAssemblyOrThrow(path).GetType(t) ?? throw
//! GetMethodViaReflectionOrThrow(path, t, m, types)
//!                                        GetType…(path, t).GetMethod(m[, types]) ?? throw
//! StoreMethodInAppDomainStorageOrThrow(method, key)
//!                                        (AppDomain.CurrentDomain ?? throw).SetData(key, method)
//! GetMethodFromAppDomainStorage(key)     (MethodInfo)(AppDomain.CurrentDomain ?? throw).GetData(key)
//! GetMethodFromAppDomainStorageOrReflectionOrThrow(key, path, t, m, types)
//!                                        cached, else GetMethodVia…(…) stored under key
//! ```

use super::rewrite_error::RewriteError;
use super::tokens::TokenResult;
use crate::il::signature::{MethodSigBuilder, Primitive, TypeSig};
use crate::il::{
    CallResolver, CallShape, EncodeOptions, Header, Instruction, Label, MethodBody, OpCode,
};
use std::collections::HashMap;

/// The type that carries the helpers.
pub const HELPER_CLASS: &str = "System.CannotUnloadAppDomainException";

/// `mdPublic | mdStatic | mdHideBySig` (corhdr.h `CorMethodAttr`).
pub const HELPER_ATTRIBUTES: u32 = 0x0006 | 0x0010 | 0x0080;
/// `miIL` (0) `| miNoInlining` (corhdr.h `CorMethodImpl`).
pub const HELPER_IMPL_FLAGS: u32 = 0x0008;
/// The two custom attributes each helper carries, by type (their default
/// constructors, blob "prolog 0x0001, no arguments, no named arguments").
pub const HELPER_CUSTOM_ATTRIBUTES: [&str; 2] = [
    "System.Security.SecuritySafeCriticalAttribute",
    "System.Security.SuppressUnmanagedCodeSecurityAttribute",
];
pub const CUSTOM_ATTRIBUTE_BLOB: [u8; 4] = [0x01, 0x00, 0x00, 0x00];

/// The names HelperInstrumentor recognises on the helper class (§5.1): the
/// six below, and four for which no body exists (an Error line).
pub const RECOGNISED_NAMES: [&str; 10] = [
    "GetThreadLocalBoolean",
    "SetThreadLocalBoolean",
    "GetAppDomainBoolean",
    "SetAppDomainBoolean",
    "LoadAssemblyOrThrow",
    "GetTypeViaReflectionOrThrow",
    "GetMethodViaReflectionOrThrow",
    "GetMethodFromAppDomainStorage",
    "GetMethodFromAppDomainStorageOrReflectionOrThrow",
    "StoreMethodInAppDomainStorageOrThrow",
];

/// The Error line for a recognised name without a body (§5.1).
pub const UNKNOWN_HELPER_LINE: &str =
    "Attempted to instrument an unknown helper method in mscorlib.";

/// One of the six injected methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Helper {
    LoadAssemblyOrThrow,
    GetTypeViaReflectionOrThrow,
    GetMethodViaReflectionOrThrow,
    GetMethodFromAppDomainStorage,
    GetMethodFromAppDomainStorageOrReflectionOrThrow,
    StoreMethodInAppDomainStorageOrThrow,
}

/// The framework classes the helper signatures name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureClass {
    Assembly,
    Type,
    MethodInfo,
}

impl SignatureClass {
    pub fn name(self) -> &'static str {
        match self {
            SignatureClass::Assembly => "System.Reflection.Assembly",
            SignatureClass::Type => "System.Type",
            SignatureClass::MethodInfo => "System.Reflection.MethodInfo",
        }
    }
}

/// What HelperInstrumentor does with a method of the helper host (§5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelperDispatch {
    /// Write this helper's body.
    Build(Helper),
    /// A recognised name without a body: Error [`UNKNOWN_HELPER_LINE`].
    Unknown,
    /// Not a helper: left to the other instrumentors.
    NotAHelper,
}

/// HelperInstrumentor's choice for `type_name.method_name` of the host.
pub fn dispatch(type_name: &str, method_name: &str) -> HelperDispatch {
    if type_name != HELPER_CLASS || !RECOGNISED_NAMES.contains(&method_name) {
        return HelperDispatch::NotAHelper;
    }
    Helper::ALL
        .iter()
        .find(|h| h.name() == method_name)
        .map_or(HelperDispatch::Unknown, |h| HelperDispatch::Build(*h))
}

impl Helper {
    /// In the order the original defines them.
    pub const ALL: [Helper; 6] = [
        Helper::LoadAssemblyOrThrow,
        Helper::GetTypeViaReflectionOrThrow,
        Helper::GetMethodViaReflectionOrThrow,
        Helper::GetMethodFromAppDomainStorage,
        Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow,
        Helper::StoreMethodInAppDomainStorageOrThrow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Helper::LoadAssemblyOrThrow => "LoadAssemblyOrThrow",
            Helper::GetTypeViaReflectionOrThrow => "GetTypeViaReflectionOrThrow",
            Helper::GetMethodViaReflectionOrThrow => "GetMethodViaReflectionOrThrow",
            Helper::GetMethodFromAppDomainStorage => "GetMethodFromAppDomainStorage",
            Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow => {
                "GetMethodFromAppDomainStorageOrReflectionOrThrow"
            }
            Helper::StoreMethodInAppDomainStorageOrThrow => "StoreMethodInAppDomainStorageOrThrow",
        }
    }

    /// Return type and parameters: `None` is `void`/`string`, by position.
    fn shape_types(self) -> (Option<SignatureClass>, Vec<Param>) {
        use Param::{Class, Str, TypeArray};
        use SignatureClass::{Assembly, MethodInfo, Type};
        match self {
            Helper::LoadAssemblyOrThrow => (Some(Assembly), vec![Str]),
            Helper::GetTypeViaReflectionOrThrow => (Some(Type), vec![Str, Str]),
            Helper::GetMethodViaReflectionOrThrow => {
                (Some(MethodInfo), vec![Str, Str, Str, TypeArray])
            }
            Helper::GetMethodFromAppDomainStorage => (Some(MethodInfo), vec![Str]),
            Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow => {
                (Some(MethodInfo), vec![Str, Str, Str, Str, TypeArray])
            }
            Helper::StoreMethodInAppDomainStorageOrThrow => (None, vec![Class(MethodInfo), Str]),
        }
    }

    /// The method signature blob, with `class` giving the token (a TypeDef
    /// in the host, a TypeRef under `[mscorlib]` elsewhere) of each class.
    pub fn signature(
        self,
        class: &mut dyn FnMut(SignatureClass) -> TokenResult<u32>,
    ) -> TokenResult<Vec<u8>> {
        let (ret, params) = self.shape_types();
        let mut builder = MethodSigBuilder::new();
        if let Some(ret) = ret {
            builder = builder.returns(TypeSig::Class(class(ret)?));
        }
        for param in params {
            builder = builder.param(match param {
                Param::Str => TypeSig::Primitive(Primitive::String),
                Param::Class(c) => TypeSig::Class(class(c)?),
                Param::TypeArray => {
                    TypeSig::SzArray(Box::new(TypeSig::Class(class(SignatureClass::Type)?)))
                }
            });
        }
        Ok(builder.build().to_bytes()?)
    }

    /// The stack effect of calling it.
    pub fn shape(self) -> CallShape {
        let (ret, params) = self.shape_types();
        CallShape {
            params: params.len() as u32,
            implicit_this: false,
            returns_value: ret.is_some(),
        }
    }

    /// The original's textual signature (its log lines quote it): local
    /// names in the host, `[mscorlib]`-qualified elsewhere.
    pub fn text(self, in_host: bool) -> String {
        let scope = if in_host { "" } else { "[mscorlib]" };
        let class = |c: SignatureClass| format!("class {scope}{}", c.name());
        let (ret, params) = self.shape_types();
        let ret = ret.map_or("void".to_string(), class);
        let params: Vec<String> = params
            .into_iter()
            .map(|p| match p {
                Param::Str => "string".to_string(),
                Param::Class(c) => class(c),
                Param::TypeArray => format!("{}[]", class(SignatureClass::Type)),
            })
            .collect();
        format!(
            "{ret} {scope}{HELPER_CLASS}::{}({})",
            self.name(),
            params.join(",")
        )
    }
}

#[derive(Clone, Copy)]
enum Param {
    Str,
    Class(SignatureClass),
    TypeArray,
}

/// The declarative security blob of the helpers' `Assert` (ECMA-335
/// II.23.1.3): one `SecurityPermissionAttribute` with the named property
/// `UnmanagedCode = true`, exactly the permission the original asserts.
pub fn permission_blob() -> Vec<u8> {
    const ATTRIBUTE: &str = "System.Security.Permissions.SecurityPermissionAttribute, mscorlib, Version=2.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089";
    const PROPERTY: &str = "UnmanagedCode";
    // Named arguments: count, then PROPERTY (0x54), BOOLEAN (0x02), name, value.
    let mut named = vec![0x01, 0x54, 0x02];
    push_compressed(&mut named, PROPERTY.len() as u32);
    named.extend_from_slice(PROPERTY.as_bytes());
    named.push(0x01);
    let mut blob = vec![b'.'];
    push_compressed(&mut blob, 1);
    push_compressed(&mut blob, ATTRIBUTE.len() as u32);
    blob.extend_from_slice(ATTRIBUTE.as_bytes());
    push_compressed(&mut blob, named.len() as u32);
    blob.extend_from_slice(&named);
    blob
}

fn push_compressed(out: &mut Vec<u8>, value: u32) {
    // Lengths here are far below the 29-bit limit, so this cannot fail.
    let _ = crate::il::compressed::write_compressed_u32(value, out);
}

/// The framework methods the helper bodies call, on local TypeDefs of the
/// host (or references to them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HostMethod {
    AssemblyLoadFrom,
    AssemblyGetType,
    TypeGetMethod,
    TypeGetMethodWithTypes,
    ExceptionConstructor,
    AppDomainCurrentDomain,
    AppDomainSetData,
    AppDomainGetData,
}

impl HostMethod {
    /// `(declaring type, name)`.
    pub fn owner_and_name(self) -> (&'static str, &'static str) {
        match self {
            HostMethod::AssemblyLoadFrom => ("System.Reflection.Assembly", "LoadFrom"),
            HostMethod::AssemblyGetType => ("System.Reflection.Assembly", "GetType"),
            HostMethod::TypeGetMethod | HostMethod::TypeGetMethodWithTypes => {
                ("System.Type", "GetMethod")
            }
            HostMethod::ExceptionConstructor => ("System.Exception", ".ctor"),
            HostMethod::AppDomainCurrentDomain => ("System.AppDomain", "get_CurrentDomain"),
            HostMethod::AppDomainSetData => ("System.AppDomain", "SetData"),
            HostMethod::AppDomainGetData => ("System.AppDomain", "GetData"),
        }
    }

    /// The signature blob, with `class` resolving class names to tokens.
    pub fn signature(
        self,
        class: &mut dyn FnMut(&str) -> TokenResult<u32>,
    ) -> TokenResult<Vec<u8>> {
        let string = || TypeSig::Primitive(Primitive::String);
        let object = TypeSig::Primitive(Primitive::Object);
        let mut of = |name: &str| -> TokenResult<TypeSig> { Ok(TypeSig::Class(class(name)?)) };
        let sig = match self {
            HostMethod::AssemblyLoadFrom => MethodSigBuilder::new()
                .returns(of("System.Reflection.Assembly")?)
                .param(string()),
            HostMethod::AssemblyGetType => MethodSigBuilder::new()
                .instance()
                .returns(of("System.Type")?)
                .param(string()),
            HostMethod::TypeGetMethod => MethodSigBuilder::new()
                .instance()
                .returns(of("System.Reflection.MethodInfo")?)
                .param(string()),
            HostMethod::TypeGetMethodWithTypes => {
                let types = TypeSig::SzArray(Box::new(of("System.Type")?));
                MethodSigBuilder::new()
                    .instance()
                    .returns(of("System.Reflection.MethodInfo")?)
                    .param(string())
                    .param(types)
            }
            HostMethod::ExceptionConstructor => MethodSigBuilder::new().instance().param(string()),
            HostMethod::AppDomainCurrentDomain => {
                MethodSigBuilder::new().returns(of("System.AppDomain")?)
            }
            HostMethod::AppDomainSetData => MethodSigBuilder::new()
                .instance()
                .param(string())
                .param(object),
            HostMethod::AppDomainGetData => MethodSigBuilder::new()
                .instance()
                .returns(object)
                .param(string()),
        };
        Ok(sig.build().to_bytes()?)
    }

    fn shape(self) -> CallShape {
        let (params, implicit_this, returns_value) = match self {
            HostMethod::AssemblyLoadFrom => (1, false, true),
            HostMethod::AssemblyGetType | HostMethod::TypeGetMethod => (1, true, true),
            HostMethod::TypeGetMethodWithTypes => (2, true, true),
            // `newobj`: the constructor's parameters in, the object out.
            HostMethod::ExceptionConstructor => (1, true, false),
            HostMethod::AppDomainCurrentDomain => (0, false, true),
            HostMethod::AppDomainSetData => (2, true, false),
            HostMethod::AppDomainGetData => (1, true, true),
        };
        CallShape {
            params,
            implicit_this,
            returns_value,
        }
    }
}

/// Tokens in the host module for the helper bodies.
pub trait HelperTokens {
    fn host_method(&mut self, method: HostMethod) -> TokenResult<u32>;
    /// The TypeDef (or reference) of a framework class, for `castclass`.
    fn class(&mut self, class: SignatureClass) -> TokenResult<u32>;
    /// The MethodDef of one of the six helpers.
    fn helper(&mut self, helper: Helper) -> TokenResult<u32>;
    fn user_string(&mut self, text: &str) -> TokenResult<u32>;
}

/// The largest body a tiny header can carry (ECMA-335 II.25.4.2).
const TINY_MAX_CODE: usize = 63;
const TINY_MAX_STACK: u16 = 8;

/// Builds `helper`'s body as a tiny method; the IL is checked by the stack
/// simulation (no underflow, consistent joins, every call resolved, depth
/// within the tiny header's 8) before it is returned.
pub fn build_helper_body(
    helper: Helper,
    tokens: &mut dyn HelperTokens,
) -> Result<Vec<u8>, RewriteError> {
    let mut w = Writer {
        body: MethodBody::new(Header::tiny()),
        shapes: HashMap::new(),
        jumps: Vec::new(),
        landing: Vec::new(),
    };
    match helper {
        Helper::LoadAssemblyOrThrow => {
            w.op(Instruction::ldarg(0))?;
            w.call_host(tokens, OpCode::Call, HostMethod::AssemblyLoadFrom)?;
            w.throw_if_null(tokens, "Failed to load assembly.")?;
        }
        Helper::GetTypeViaReflectionOrThrow => {
            w.op(Instruction::ldarg(0))?;
            w.call_helper(tokens, Helper::LoadAssemblyOrThrow)?;
            w.op(Instruction::ldarg(1))?;
            w.call_host(tokens, OpCode::Callvirt, HostMethod::AssemblyGetType)?;
            w.throw_if_null(tokens, "Failed to load type from assembly via reflection.")?;
        }
        Helper::GetMethodViaReflectionOrThrow => {
            w.op(Instruction::ldarg(0))?;
            w.op(Instruction::ldarg(1))?;
            w.call_helper(tokens, Helper::GetTypeViaReflectionOrThrow)?;
            w.op(Instruction::ldarg(2))?;
            w.op(Instruction::ldarg(3))?;
            let without_types = w.jump(OpCode::Brfalse)?;
            w.op(Instruction::ldarg(3))?;
            w.call_host(tokens, OpCode::Callvirt, HostMethod::TypeGetMethodWithTypes)?;
            let after = w.jump(OpCode::Br)?;
            w.land(without_types);
            w.call_host(tokens, OpCode::Callvirt, HostMethod::TypeGetMethod)?;
            w.land(after);
            w.throw_if_null(tokens, "Failed to load method from type via reflection.")?;
        }
        Helper::StoreMethodInAppDomainStorageOrThrow => {
            w.call_host(tokens, OpCode::Call, HostMethod::AppDomainCurrentDomain)?;
            w.throw_if_null(tokens, "System.AppDomain.CurrentDomain == null.")?;
            w.op(Instruction::ldarg(1))?;
            w.op(Instruction::ldarg(0))?;
            w.call_host(tokens, OpCode::Callvirt, HostMethod::AppDomainSetData)?;
        }
        Helper::GetMethodFromAppDomainStorage => {
            w.call_host(tokens, OpCode::Call, HostMethod::AppDomainCurrentDomain)?;
            w.throw_if_null(tokens, "System.AppDomain.CurrentDomain == null.")?;
            w.op(Instruction::ldarg(0))?;
            w.call_host(tokens, OpCode::Callvirt, HostMethod::AppDomainGetData)?;
            let info = tokens.class(SignatureClass::MethodInfo)?;
            w.op(Instruction::token(OpCode::Castclass, info))?;
        }
        Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow => {
            w.op(Instruction::ldarg(0))?;
            w.call_helper(tokens, Helper::GetMethodFromAppDomainStorage)?;
            w.op(Instruction::simple(OpCode::Dup))?;
            let end = w.jump(OpCode::Brtrue)?;
            w.op(Instruction::simple(OpCode::Pop))?;
            for arg in 1..=4 {
                w.op(Instruction::ldarg(arg))?;
            }
            w.call_helper(tokens, Helper::GetMethodViaReflectionOrThrow)?;
            w.op(Instruction::simple(OpCode::Dup))?;
            w.op(Instruction::ldarg(0))?;
            w.call_helper(tokens, Helper::StoreMethodInAppDomainStorageOrThrow)?;
            w.land(end);
        }
    }
    w.op(Instruction::simple(OpCode::Ret))?;
    w.finish()
}

/// A body written front to back, remembering the shape of every call.
/// Forward branches are placed first and aimed when their target (the
/// next instruction written after [`Writer::land`]) exists.
struct Writer {
    body: MethodBody,
    shapes: HashMap<u32, CallShape>,
    /// Placed forward branches: the placeholder and the branch opcode.
    jumps: Vec<(Label, OpCode)>,
    /// Jumps that land on the next instruction written.
    landing: Vec<usize>,
}

impl Writer {
    fn op(&mut self, instruction: Instruction) -> Result<(), RewriteError> {
        let label = self.body.create(instruction);
        self.body.push_back(&[label])?;
        for jump in std::mem::take(&mut self.landing) {
            if let Some(&(from, opcode)) = self.jumps.get(jump) {
                self.body
                    .replace(from, Instruction::branch(opcode, label))?;
            }
        }
        Ok(())
    }

    /// Places a forward branch whose target is given by [`Writer::land`].
    fn jump(&mut self, opcode: OpCode) -> Result<usize, RewriteError> {
        let placeholder = self.body.create(Instruction::simple(OpCode::Nop));
        self.body.push_back(&[placeholder])?;
        self.jumps.push((placeholder, opcode));
        Ok(self.jumps.len() - 1)
    }

    /// The next instruction written is the target of `jump`.
    fn land(&mut self, jump: usize) {
        self.landing.push(jump);
    }

    fn call_host(
        &mut self,
        tokens: &mut dyn HelperTokens,
        opcode: OpCode,
        method: HostMethod,
    ) -> Result<(), RewriteError> {
        let token = tokens.host_method(method)?;
        self.shapes.insert(token, method.shape());
        self.op(Instruction::token(opcode, token))
    }

    fn call_helper(
        &mut self,
        tokens: &mut dyn HelperTokens,
        helper: Helper,
    ) -> Result<(), RewriteError> {
        let token = tokens.helper(helper)?;
        self.shapes.insert(token, helper.shape());
        self.op(Instruction::token(OpCode::Call, token))
    }

    /// `dup; brtrue AFTER; ldstr message; newobj Exception(string); throw; AFTER:`
    fn throw_if_null(
        &mut self,
        tokens: &mut dyn HelperTokens,
        message: &str,
    ) -> Result<(), RewriteError> {
        self.op(Instruction::simple(OpCode::Dup))?;
        let after = self.jump(OpCode::Brtrue)?;
        let text = tokens.user_string(message)?;
        self.op(Instruction::token(OpCode::Ldstr, text))?;
        self.call_host(tokens, OpCode::Newobj, HostMethod::ExceptionConstructor)?;
        self.op(Instruction::simple(OpCode::Throw))?;
        self.land(after);
        Ok(())
    }

    fn finish(self) -> Result<Vec<u8>, RewriteError> {
        if !self.landing.is_empty() {
            return Err(RewriteError::InvalidMethod(
                "helper body has a dangling branch",
            ));
        }
        let report = self.body.analyze_stack(&Shapes(&self.shapes))?;
        if report.underflows > 0 || report.inconsistent_joins > 0 || report.unresolved_calls > 0 {
            return Err(RewriteError::InvalidMethod(
                "helper body failed the stack check",
            ));
        }
        if report.max_stack > TINY_MAX_STACK {
            return Err(RewriteError::Unsupported(
                "helper body needs more stack than a tiny header allows",
            ));
        }
        let bytes = self.body.encode_with(&EncodeOptions {
            force_fat_header: false,
            force_fat_eh: false,
            shrink_branches: true,
        })?;
        let tiny = bytes
            .first()
            .is_some_and(|b| b & 0x3 == 0x2 && usize::from(b >> 2) <= TINY_MAX_CODE);
        if !tiny {
            return Err(RewriteError::Unsupported(
                "helper body does not fit a tiny header",
            ));
        }
        Ok(bytes)
    }
}

struct Shapes<'a>(&'a HashMap<u32, CallShape>);

impl CallResolver for Shapes<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.0.get(&token).copied()
    }
}

#[cfg(test)]
#[path = "helper_methods_tests.rs"]
mod tests;
