//! The helper definitions and bodies against fake host tokens (§5.5).

use super::*;
use crate::il::Operand;

/// Distinct tokens per request, remembered for the assertions.
#[derive(Default)]
struct FakeHost {
    next: u32,
    names: HashMap<u32, String>,
}

impl FakeHost {
    fn fresh(&mut self, table: u32, name: String) -> u32 {
        self.next += 1;
        let token = (table << 24) | self.next;
        self.names.insert(token, name);
        token
    }
    fn name(&self, operand: &Operand) -> String {
        match operand {
            Operand::Token(t) => self.names.get(t).cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

impl HelperTokens for FakeHost {
    fn host_method(&mut self, method: HostMethod) -> TokenResult<u32> {
        let (owner, name) = method.owner_and_name();
        Ok(self.fresh(0x06, format!("{owner}::{name}")))
    }
    fn class(&mut self, class: SignatureClass) -> TokenResult<u32> {
        Ok(self.fresh(0x02, class.name().to_string()))
    }
    fn helper(&mut self, helper: Helper) -> TokenResult<u32> {
        Ok(self.fresh(0x06, helper.name().to_string()))
    }
    fn user_string(&mut self, text: &str) -> TokenResult<u32> {
        Ok(self.fresh(0x70, text.to_string()))
    }
}

/// `(opcode, what the operand names)` of a built body.
fn listing(helper: Helper) -> (Vec<u8>, Vec<(OpCode, String)>) {
    let mut host = FakeHost::default();
    let bytes = build_helper_body(helper, &mut host).unwrap();
    let body = MethodBody::decode(&bytes).unwrap();
    let ops = body
        .instructions()
        .map(|(_, i)| (i.opcode, host.name(&i.operand)))
        .collect();
    (bytes, ops)
}

#[test]
fn every_helper_body_is_a_tiny_method_that_passes_the_stack_check() {
    for helper in Helper::ALL {
        let (bytes, _) = listing(helper);
        assert_eq!(bytes[0] & 0x3, 0x2, "{helper:?}: tiny header");
        assert_eq!(
            usize::from(bytes[0] >> 2),
            bytes.len() - 1,
            "{helper:?}: the header gives the code size"
        );
        assert!(bytes.len() - 1 <= 63, "{helper:?}");
    }
}

#[test]
fn load_assembly_throws_when_load_from_returns_null() {
    let (_, ops) = listing(Helper::LoadAssemblyOrThrow);
    let ops: Vec<(OpCode, &str)> = ops.iter().map(|(o, n)| (*o, n.as_str())).collect();
    assert_eq!(
        ops,
        [
            (OpCode::Ldarg_0, ""),
            (OpCode::Call, "System.Reflection.Assembly::LoadFrom"),
            (OpCode::Dup, ""),
            (OpCode::Brtrue_S, ""),
            (OpCode::Ldstr, "Failed to load assembly."),
            (OpCode::Newobj, "System.Exception::.ctor"),
            (OpCode::Throw, ""),
            (OpCode::Ret, ""),
        ]
    );
}

#[test]
fn get_method_chooses_the_overload_by_the_type_array() {
    let (_, ops) = listing(Helper::GetMethodViaReflectionOrThrow);
    let names: Vec<&str> = ops.iter().map(|(_, n)| n.as_str()).collect();
    assert!(names.contains(&"GetTypeViaReflectionOrThrow"));
    assert_eq!(
        names
            .iter()
            .filter(|n| **n == "System.Type::GetMethod")
            .count(),
        2
    );
    assert!(names.contains(&"Failed to load method from type via reflection."));
    assert_eq!(ops[4].0, OpCode::Ldarg_3);
    assert_eq!(ops[5].0, OpCode::Brfalse_S);
}

#[test]
fn the_storage_helpers_use_the_current_app_domain() {
    let (_, ops) = listing(Helper::StoreMethodInAppDomainStorageOrThrow);
    let names: Vec<&str> = ops.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names[0], "System.AppDomain::get_CurrentDomain");
    assert!(names.contains(&"System.AppDomain.CurrentDomain == null."));
    // SetData(key, method): argument 1 first.
    let set = ops
        .iter()
        .position(|(_, n)| n == "System.AppDomain::SetData")
        .unwrap();
    assert_eq!(
        (ops[set - 2].0, ops[set - 1].0, ops[set].0),
        (OpCode::Ldarg_1, OpCode::Ldarg_0, OpCode::Callvirt)
    );

    let (_, ops) = listing(Helper::GetMethodFromAppDomainStorage);
    let tail: Vec<(OpCode, &str)> = ops[ops.len() - 3..]
        .iter()
        .map(|(o, n)| (*o, n.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            (OpCode::Callvirt, "System.AppDomain::GetData"),
            (OpCode::Castclass, "System.Reflection.MethodInfo"),
            (OpCode::Ret, ""),
        ]
    );
}

#[test]
fn the_cached_value_is_returned_before_any_reflection() {
    let (_, ops) = listing(Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow);
    let ops: Vec<(OpCode, &str)> = ops.iter().map(|(o, n)| (*o, n.as_str())).collect();
    assert_eq!(
        ops,
        [
            (OpCode::Ldarg_0, ""),
            (OpCode::Call, "GetMethodFromAppDomainStorage"),
            (OpCode::Dup, ""),
            (OpCode::Brtrue_S, ""),
            (OpCode::Pop, ""),
            (OpCode::Ldarg_1, ""),
            (OpCode::Ldarg_2, ""),
            (OpCode::Ldarg_3, ""),
            (OpCode::Ldarg_S, ""),
            (OpCode::Call, "GetMethodViaReflectionOrThrow"),
            (OpCode::Dup, ""),
            (OpCode::Ldarg_0, ""),
            (OpCode::Call, "StoreMethodInAppDomainStorageOrThrow"),
            (OpCode::Ret, ""),
        ]
    );
}

#[test]
fn signatures_name_the_framework_classes() {
    let tokens = |c: SignatureClass| -> TokenResult<u32> {
        Ok(match c {
            SignatureClass::Assembly => 0x0100_0001,
            SignatureClass::Type => 0x0100_0002,
            SignatureClass::MethodInfo => 0x0100_0003,
        })
    };
    let sig = Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow
        .signature(&mut |c| tokens(c))
        .unwrap();
    // DEFAULT, 5 parameters, class MethodInfo (TypeRef 3 → coded 0x0D),
    // four strings, szarray of class Type (TypeRef 2 → coded 0x09).
    assert_eq!(
        sig,
        [0x00, 0x05, 0x12, 0x0D, 0x0E, 0x0E, 0x0E, 0x0E, 0x1D, 0x12, 0x09]
    );
    let sig = Helper::StoreMethodInAppDomainStorageOrThrow
        .signature(&mut |c| tokens(c))
        .unwrap();
    assert_eq!(sig, [0x00, 0x02, 0x01, 0x12, 0x0D, 0x0E]);
    assert_eq!(
        Helper::GetMethodFromAppDomainStorageOrReflectionOrThrow.shape(),
        CallShape {
            params: 5,
            implicit_this: false,
            returns_value: true
        }
    );
}

#[test]
fn the_textual_signatures_are_the_originals() {
    assert_eq!(
        Helper::LoadAssemblyOrThrow.text(true),
        "class System.Reflection.Assembly System.CannotUnloadAppDomainException::LoadAssemblyOrThrow(string)"
    );
    assert_eq!(
        Helper::StoreMethodInAppDomainStorageOrThrow.text(false),
        "void [mscorlib]System.CannotUnloadAppDomainException::StoreMethodInAppDomainStorageOrThrow(class [mscorlib]System.Reflection.MethodInfo,string)"
    );
    assert_eq!(
        Helper::GetMethodViaReflectionOrThrow.text(false),
        "class [mscorlib]System.Reflection.MethodInfo [mscorlib]System.CannotUnloadAppDomainException::GetMethodViaReflectionOrThrow(string,string,string,class [mscorlib]System.Type[])"
    );
}

#[test]
fn the_assert_is_one_security_permission_with_unmanaged_code() {
    let blob = permission_blob();
    let name = b"System.Security.Permissions.SecurityPermissionAttribute, mscorlib, Version=2.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089";
    assert_eq!(name.len(), 132, "a two-byte compressed length");
    let mut expected = vec![b'.', 0x01, 0x80, 0x84];
    expected.extend_from_slice(name);
    expected.extend_from_slice(&[0x12, 0x01, 0x54, 0x02, 0x0D]);
    expected.extend_from_slice(b"UnmanagedCode");
    expected.push(0x01);
    assert_eq!(blob, expected);
}

#[test]
fn helper_instrumentor_recognises_ten_names_and_builds_six() {
    for helper in Helper::ALL {
        assert_eq!(
            dispatch(HELPER_CLASS, helper.name()),
            HelperDispatch::Build(helper)
        );
    }
    for name in [
        "GetThreadLocalBoolean",
        "SetThreadLocalBoolean",
        "GetAppDomainBoolean",
        "SetAppDomainBoolean",
    ] {
        assert_eq!(dispatch(HELPER_CLASS, name), HelperDispatch::Unknown);
    }
    assert_eq!(dispatch(HELPER_CLASS, ".ctor"), HelperDispatch::NotAHelper);
    assert_eq!(
        dispatch("System.Exception", "LoadAssemblyOrThrow"),
        HelperDispatch::NotAHelper
    );
    assert_eq!(
        UNKNOWN_HELPER_LINE,
        "Attempted to instrument an unknown helper method in mscorlib."
    );
    assert_eq!(HELPER_ATTRIBUTES, 0x0096, "public static hidebysig");
    assert_eq!(HELPER_IMPL_FLAGS, 0x0008, "IL, NoInlining");
}
