//! The metadata tokens injected code refers to (reference-profiler §5.7):
//! assembly and type references to the framework types the wrapper uses,
//! member references to the reflection methods it calls, type specs, and
//! user strings — found when the module already has them, defined
//! otherwise, and cached per module.

use crate::clr::assembly_metadata::Version4;
use crate::clr::info_module::ModuleMetadata;
use crate::clr::ClrResult;
use crate::clr::HResult;
use crate::il::signature::{MethodSigBuilder, Primitive, TypeSig};
use crate::il::CallShape;
use crate::runtime::RuntimeKind;
use parking_lot::Mutex;
use std::collections::HashMap;
use thiserror::Error;

/// Why a token could not be produced.
#[derive(Debug, Error)]
pub enum TokenError {
    #[error("metadata call failed: HRESULT {0}")]
    Metadata(#[from] HResult),
    #[error("{0}")]
    Signature(#[from] crate::il::IlError),
    /// Framework modules must reference mscorlib (or a facade) (§5.7).
    #[error("Unable to locate mscorlib assembly reference in module.")]
    NoMscorlib,
}

pub type TokenResult<T> = Result<T, TokenError>;

/// The reflection methods the wrapper calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KnownMethod {
    /// `static Assembly Assembly.LoadFrom(string)`.
    AssemblyLoadFrom,
    /// `instance Type Assembly.GetType(string)`.
    AssemblyGetType,
    /// `instance MethodInfo Type.GetMethod(string)`.
    TypeGetMethod,
    /// `instance MethodInfo Type.GetMethod(string, Type[])`.
    TypeGetMethodWithTypes,
    /// `instance object MethodBase.Invoke(object, object[])`.
    MethodBaseInvoke,
    /// `static Type Type.GetTypeFromHandle(RuntimeTypeHandle)`.
    TypeGetTypeFromHandle,
    /// `instance void Action<object, Exception>.Invoke(!0, !1)`.
    ActionInvoke,
    /// `static object AppContext.GetData(string)`.
    AppContextGetData,
    /// `static void AppContext.SetData(string, object)` (public since .NET 5).
    AppContextSetData,
    /// `instance Delegate MethodInfo.CreateDelegate(Type)`.
    MethodInfoCreateDelegate,
    /// `instance !11 Func<…12 type arguments…>.Invoke(!0, …, !10)`: the typed
    /// delegate over `AgentShim.GetFinishTracerDelegate` (see
    /// [`Tokenizer::finish_tracer_func`]).
    FinishTracerFuncInvoke,
    /// `static MethodInfo [mscorlib]System.CannotUnloadAppDomainException::
    /// GetMethodFromAppDomainStorageOrReflectionOrThrow(string, string,
    /// string, string, Type[])`: the helper the .NET Framework wrappers call
    /// (§5.4.1, §5.5; `instrument/helper_methods.rs`).
    HelperGetMethodFromStorageOrReflection,
}

impl KnownMethod {
    /// The stack effect of calling it.
    pub fn shape(self) -> CallShape {
        let (params, implicit_this, returns_value) = match self {
            KnownMethod::AssemblyLoadFrom => (1, false, true),
            KnownMethod::AssemblyGetType => (1, true, true),
            KnownMethod::TypeGetMethod => (1, true, true),
            KnownMethod::TypeGetMethodWithTypes => (2, true, true),
            KnownMethod::MethodBaseInvoke => (2, true, true),
            KnownMethod::TypeGetTypeFromHandle => (1, false, true),
            KnownMethod::ActionInvoke => (2, true, false),
            KnownMethod::AppContextGetData => (1, false, true),
            KnownMethod::AppContextSetData => (2, false, false),
            KnownMethod::MethodInfoCreateDelegate => (1, true, true),
            KnownMethod::FinishTracerFuncInvoke => (11, true, true),
            KnownMethod::HelperGetMethodFromStorageOrReflection => (5, false, true),
        };
        CallShape {
            params,
            implicit_this,
            returns_value,
        }
    }
}

/// Where a framework type is referenced from on CoreCLR (§5.7): `mscorlib`
/// becomes `System.Runtime`, with a few types redirected.
pub fn core_assembly_of(type_name: &str) -> &'static str {
    match type_name {
        "System.Reflection.Assembly"
        | "System.Reflection.MethodInfo"
        | "System.Reflection.MethodBase" => "System.Reflection",
        "System.Action`2" => "System.Core",
        "System.Console" => "System.Console",
        _ => "System.Runtime",
    }
}

/// The `System.*` name of a primitive element type, for `box` (§5.4.2).
pub fn primitive_type_name(p: Primitive) -> Option<&'static str> {
    Some(match p {
        Primitive::Boolean => "System.Boolean",
        Primitive::Char => "System.Char",
        Primitive::I1 => "System.SByte",
        Primitive::U1 => "System.Byte",
        Primitive::I2 => "System.Int16",
        Primitive::U2 => "System.UInt16",
        Primitive::I4 => "System.Int32",
        Primitive::U4 => "System.UInt32",
        Primitive::I8 => "System.Int64",
        Primitive::U8 => "System.UInt64",
        Primitive::R4 => "System.Single",
        Primitive::R8 => "System.Double",
        Primitive::I => "System.IntPtr",
        Primitive::U => "System.UIntPtr",
        Primitive::String => "System.String",
        Primitive::Object => "System.Object",
        Primitive::TypedByRef => "System.TypedReference",
        Primitive::Void => return None,
    })
}

/// Tokens already produced for one module.
#[derive(Default)]
pub struct TokenCache {
    assembly_refs: HashMap<&'static str, u32>,
    type_refs: HashMap<String, u32>,
    methods: HashMap<KnownMethod, u32>,
    type_specs: HashMap<Vec<u8>, u32>,
    strings: HashMap<String, u32>,
}

/// Produces tokens in one module. The cache lock also serialises metadata
/// writes to the module from concurrent ReJIT threads.
pub struct Tokenizer<'a> {
    metadata: &'a ModuleMetadata,
    runtime: RuntimeKind,
    cache: parking_lot::MutexGuard<'a, TokenCache>,
}

impl<'a> Tokenizer<'a> {
    pub fn new(
        metadata: &'a ModuleMetadata,
        runtime: RuntimeKind,
        cache: &'a Mutex<TokenCache>,
    ) -> Tokenizer<'a> {
        Tokenizer {
            metadata,
            runtime,
            cache: cache.lock(),
        }
    }

    /// The AssemblyRef for `name`: an existing reference whose name ends
    /// with `name` (case-sensitive, the original's QUIRK), else a new one
    /// with version 0.0.0.0, no public key and no culture (§5.7).
    fn core_assembly_ref(&mut self, name: &'static str) -> TokenResult<u32> {
        if let Some(token) = self.cache.assembly_refs.get(name) {
            return Ok(*token);
        }
        let token = match self.find_assembly_ref(|candidate| candidate.ends_with(name))? {
            Some(token) => token,
            None => self.metadata.assembly_emit.define_assembly_ref(
                name,
                Version4::default(),
                &[],
                0,
            )?,
        };
        self.cache.assembly_refs.insert(name, token);
        Ok(token)
    }

    /// Framework: the module's reference to mscorlib, else netstandard, else System.Runtime.
    fn framework_assembly_ref(&mut self) -> TokenResult<u32> {
        const KEY: &str = "mscorlib";
        if let Some(token) = self.cache.assembly_refs.get(KEY) {
            return Ok(*token);
        }
        for candidate in ["mscorlib", "netstandard", "System.Runtime"] {
            if let Some(token) = self.find_assembly_ref(|name| name.ends_with(candidate))? {
                self.cache.assembly_refs.insert(KEY, token);
                return Ok(token);
            }
        }
        Err(TokenError::NoMscorlib)
    }

    fn find_assembly_ref(&self, accept: impl Fn(&str) -> bool) -> ClrResult<Option<u32>> {
        for token in self.metadata.assembly_import.assembly_refs()? {
            let reference = self.metadata.assembly_import.assembly_ref(token)?;
            if accept(&reference.name) {
                return Ok(Some(token));
            }
        }
        Ok(None)
    }

    /// A TypeRef to a framework type (`System.Exception`, ``System.Action`2``, …).
    pub fn framework_type(&mut self, type_name: &str) -> TokenResult<u32> {
        if let Some(token) = self.cache.type_refs.get(type_name) {
            return Ok(*token);
        }
        let scope = match self.runtime {
            RuntimeKind::Core => self.core_assembly_ref(core_assembly_of(type_name))?,
            RuntimeKind::Framework => self.framework_assembly_ref()?,
        };
        let import = &self.metadata.import;
        let token = match import.find_type_ref(scope, type_name)? {
            Some(token) => token,
            None => self.metadata.emit.define_type_ref(scope, type_name)?,
        };
        self.cache.type_refs.insert(type_name.to_string(), token);
        Ok(token)
    }

    /// A TypeSpec for a signature type (arrays, generic instances, `!n`, `!!n`).
    pub fn type_spec(&mut self, ty: &TypeSig) -> TokenResult<u32> {
        let blob = ty.to_bytes()?;
        if let Some(token) = self.cache.type_specs.get(&blob) {
            return Ok(*token);
        }
        let token = self.metadata.emit.type_spec_token(&blob)?;
        self.cache.type_specs.insert(blob, token);
        Ok(token)
    }

    /// `ldstr` token for `text`.
    pub fn user_string(&mut self, text: &str) -> TokenResult<u32> {
        if let Some(token) = self.cache.strings.get(text) {
            return Ok(*token);
        }
        let token = self.metadata.emit.define_user_string(text)?;
        self.cache.strings.insert(text.to_string(), token);
        Ok(token)
    }

    /// The StandAloneSig token for a local variable signature.
    pub fn local_signature(&mut self, blob: &[u8]) -> TokenResult<u32> {
        Ok(self.metadata.emit.signature_token(blob)?)
    }

    /// A MemberRef to one of the reflection methods; an existing reference
    /// with the same parent, name and signature is reused (§5.7).
    pub fn method(&mut self, method: KnownMethod) -> TokenResult<u32> {
        if let Some(token) = self.cache.methods.get(&method) {
            return Ok(*token);
        }
        let class = |t: &mut Self, name: &str| -> TokenResult<TypeSig> {
            Ok(TypeSig::Class(t.framework_type(name)?))
        };
        let string = TypeSig::Primitive(Primitive::String);
        let object = TypeSig::Primitive(Primitive::Object);
        let (parent, name, sig) = match method {
            KnownMethod::AssemblyLoadFrom => {
                let assembly = class(self, "System.Reflection.Assembly")?;
                let parent = self.framework_type("System.Reflection.Assembly")?;
                (
                    parent,
                    "LoadFrom",
                    MethodSigBuilder::new()
                        .returns(assembly)
                        .param(string)
                        .build(),
                )
            }
            KnownMethod::AssemblyGetType => {
                let ty = class(self, "System.Type")?;
                let parent = self.framework_type("System.Reflection.Assembly")?;
                (
                    parent,
                    "GetType",
                    MethodSigBuilder::new()
                        .instance()
                        .returns(ty)
                        .param(string)
                        .build(),
                )
            }
            KnownMethod::TypeGetMethod => {
                let info = class(self, "System.Reflection.MethodInfo")?;
                let parent = self.framework_type("System.Type")?;
                (
                    parent,
                    "GetMethod",
                    MethodSigBuilder::new()
                        .instance()
                        .returns(info)
                        .param(string)
                        .build(),
                )
            }
            KnownMethod::TypeGetMethodWithTypes => {
                let info = class(self, "System.Reflection.MethodInfo")?;
                let types = TypeSig::SzArray(Box::new(class(self, "System.Type")?));
                let parent = self.framework_type("System.Type")?;
                let sig = MethodSigBuilder::new()
                    .instance()
                    .returns(info)
                    .param(string)
                    .param(types)
                    .build();
                (parent, "GetMethod", sig)
            }
            KnownMethod::MethodBaseInvoke => {
                let parent = self.framework_type("System.Reflection.MethodBase")?;
                let args = TypeSig::SzArray(Box::new(object.clone()));
                let sig = MethodSigBuilder::new()
                    .instance()
                    .returns(object.clone())
                    .param(object)
                    .param(args)
                    .build();
                (parent, "Invoke", sig)
            }
            KnownMethod::TypeGetTypeFromHandle => {
                let ty = class(self, "System.Type")?;
                let handle = TypeSig::ValueType(self.framework_type("System.RuntimeTypeHandle")?);
                let parent = self.framework_type("System.Type")?;
                (
                    parent,
                    "GetTypeFromHandle",
                    MethodSigBuilder::new().returns(ty).param(handle).build(),
                )
            }
            KnownMethod::ActionInvoke => {
                let parent = self.action_of_object_exception()?;
                let sig = MethodSigBuilder::new()
                    .instance()
                    .param(TypeSig::Var(0))
                    .param(TypeSig::Var(1))
                    .build();
                (parent, "Invoke", sig)
            }
            KnownMethod::AppContextGetData => {
                let parent = self.framework_type("System.AppContext")?;
                let sig = MethodSigBuilder::new()
                    .returns(object)
                    .param(string)
                    .build();
                (parent, "GetData", sig)
            }
            KnownMethod::AppContextSetData => {
                let parent = self.framework_type("System.AppContext")?;
                let sig = MethodSigBuilder::new().param(string).param(object).build();
                (parent, "SetData", sig)
            }
            KnownMethod::MethodInfoCreateDelegate => {
                let delegate = class(self, "System.Delegate")?;
                let ty = class(self, "System.Type")?;
                let parent = self.framework_type("System.Reflection.MethodInfo")?;
                let sig = MethodSigBuilder::new()
                    .instance()
                    .returns(delegate)
                    .param(ty)
                    .build();
                (parent, "CreateDelegate", sig)
            }
            KnownMethod::FinishTracerFuncInvoke => {
                let parent = self.finish_tracer_func()?;
                let mut builder = MethodSigBuilder::new().instance().returns(TypeSig::Var(11));
                for index in 0..11 {
                    builder = builder.param(TypeSig::Var(index));
                }
                (parent, "Invoke", builder.build())
            }
            KnownMethod::HelperGetMethodFromStorageOrReflection => {
                use super::helper_methods::{Helper, HELPER_CLASS};
                let helper = Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow;
                let parent = self.framework_type(HELPER_CLASS)?;
                let blob = helper.signature(&mut |c| self.framework_type(c.name()))?;
                let sig = crate::il::signature::MethodSig::parse(&blob)?;
                (parent, helper.name(), sig)
            }
        };
        let blob = sig.to_bytes()?;
        let token = match self.metadata.import.find_member_ref(parent, name, &blob)? {
            Some(token) => token,
            None => self.metadata.emit.define_member_ref(parent, name, &blob)?,
        };
        self.cache.methods.insert(method, token);
        Ok(token)
    }

    /// The MemberRef of one of the .NET Framework helper methods on
    /// `[mscorlib]System.CannotUnloadAppDomainException` (§5.5): found when
    /// the module has it, defined otherwise.
    pub fn helper_reference(&mut self, helper: super::helper_methods::Helper) -> TokenResult<u32> {
        let parent = self.framework_type(super::helper_methods::HELPER_CLASS)?;
        let blob = helper.signature(&mut |class| self.framework_type(class.name()))?;
        let name = helper.name();
        Ok(
            match self.metadata.import.find_member_ref(parent, name, &blob)? {
                Some(token) => token,
                None => self.metadata.emit.define_member_ref(parent, name, &blob)?,
            },
        )
    }

    /// The shape of a reflection method handed out by [`Tokenizer::method`].
    pub fn known_call_shape(&self, token: u32) -> Option<CallShape> {
        self.cache
            .methods
            .iter()
            .find(|(_, t)| **t == token)
            .map(|(method, _)| method.shape())
    }

    /// The TypeSpec of ``System.Action`2<object, System.Exception>``.
    pub fn action_of_object_exception(&mut self) -> TokenResult<u32> {
        let action = self.framework_type("System.Action`2")?;
        let exception = self.framework_type("System.Exception")?;
        self.type_spec(&TypeSig::GenericInst {
            value_type: false,
            base: action,
            args: vec![
                TypeSig::Primitive(Primitive::Object),
                TypeSig::Class(exception),
            ],
        })
    }

    /// The TypeSpec of the delegate type matching the agent's
    /// `GetFinishTracerDelegate` (§5.4.1):
    /// ``System.Func`12<string, uint, string, string, Type, string, string,
    /// string, object, object[], ulong, Action<object, Exception>>``.
    pub fn finish_tracer_func(&mut self) -> TokenResult<u32> {
        let func = self.framework_type("System.Func`12")?;
        let ty = TypeSig::Class(self.framework_type("System.Type")?);
        let action = self.framework_type("System.Action`2")?;
        let exception = self.framework_type("System.Exception")?;
        let string = || TypeSig::Primitive(Primitive::String);
        let object = || TypeSig::Primitive(Primitive::Object);
        let action_of = TypeSig::GenericInst {
            value_type: false,
            base: action,
            args: vec![object(), TypeSig::Class(exception)],
        };
        self.type_spec(&TypeSig::GenericInst {
            value_type: false,
            base: func,
            args: vec![
                string(),
                TypeSig::Primitive(Primitive::U4),
                string(),
                string(),
                ty,
                string(),
                string(),
                string(),
                object(),
                TypeSig::SzArray(Box::new(object())),
                TypeSig::Primitive(Primitive::U8),
                action_of,
            ],
        })
    }

    /// The token `box` takes for a value of type `ty`, or `None` when the
    /// original pushes `null` instead (by-ref and pointer types, §5.4.2).
    pub fn box_token(&mut self, ty: &TypeSig) -> TokenResult<Option<u32>> {
        Ok(match ty.unmodified() {
            TypeSig::ByRef(_) | TypeSig::Ptr(_) | TypeSig::FnPtr(_) => None,
            TypeSig::Primitive(p) => match primitive_type_name(*p) {
                Some(name) => Some(self.framework_type(name)?),
                None => None,
            },
            TypeSig::Class(token) | TypeSig::ValueType(token) => Some(*token),
            other => Some(self.type_spec(other)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coreclr_assembly_mapping() {
        assert_eq!(core_assembly_of("System.Exception"), "System.Runtime");
        assert_eq!(core_assembly_of("System.Type"), "System.Runtime");
        assert_eq!(core_assembly_of("System.Object"), "System.Runtime");
        assert_eq!(
            core_assembly_of("System.Reflection.Assembly"),
            "System.Reflection"
        );
        assert_eq!(
            core_assembly_of("System.Reflection.MethodInfo"),
            "System.Reflection"
        );
        assert_eq!(
            core_assembly_of("System.Reflection.MethodBase"),
            "System.Reflection"
        );
        assert_eq!(core_assembly_of("System.Action`2"), "System.Core");
        assert_eq!(core_assembly_of("System.Console"), "System.Console");
    }

    #[test]
    fn primitive_names() {
        assert_eq!(primitive_type_name(Primitive::I4), Some("System.Int32"));
        assert_eq!(primitive_type_name(Primitive::U), Some("System.UIntPtr"));
        assert_eq!(primitive_type_name(Primitive::Void), None);
    }
}
