//! Target `signature`: every signature parser on the same bytes (any
//! signature, method, field, property, locals, method spec, type spec),
//! the writers, `append_locals` and the §8.1 renderer that produces the
//! `parameters` text matched against the extension XML.
//!
//! Invariants: a parsed signature writes back to the bytes it was parsed
//! from (or, when the input spelt a compressed integer in a longer form
//! than needed, to strictly fewer bytes) and parses again to the same
//! model; appending locals keeps
//! the existing ones byte for byte and counts the new ones; the renderer
//! returns text or an error, and renders a parsed method signature the same
//! way after a round trip.

use NewRelicProfiler::il::signature::{
    append_locals, render_parameters, render_type, FieldSig, LocalSig, MethodSig, MethodSpecSig,
    Primitive, PropertySig, Signature, TypeSig,
};

/// Names for tokens as the metadata would give them; some tokens unknown.
fn type_name(token: u32) -> Option<String> {
    match token % 5 {
        0 => None,
        1 => Some(String::new()),
        2 => Some(format!("Ns.Type{token:x}")),
        3 => Some(format!("Outer+Inner`{}", token % 3)),
        _ => Some("System.Collections.Generic.List`1".to_string()),
    }
}

pub fn run(data: &[u8]) {
    if let Ok(signature) = Signature::parse(data) {
        let bytes = signature.to_bytes().expect("a parsed signature writes");
        assert_round_trip(&bytes, data, "signature");
        assert_eq!(Signature::parse(&bytes).ok(), Some(signature));
    }
    if let Ok(method) = MethodSig::parse(data) {
        let bytes = method.to_bytes().expect("a parsed method signature writes");
        assert_round_trip(&bytes, data, "method signature");
        let rendered = render_parameters(&method, &type_name);
        let again = MethodSig::parse(&bytes).expect("written method signature parses");
        assert_eq!(again, method);
        assert_eq!(render_parameters(&again, &type_name).ok(), rendered.ok());
        let _ = method.call_shape();
        let _ = render_type(&method.ret, &type_name);
    }
    let _ = FieldSig::parse(data);
    let _ = PropertySig::parse(data);
    let _ = MethodSpecSig::parse(data);
    if let Ok(ty) = TypeSig::parse(data) {
        let bytes = ty.to_bytes().expect("a parsed type writes");
        assert_round_trip(&bytes, data, "type");
        assert_eq!(TypeSig::parse(&bytes).ok(), Some(ty.clone()));
        let _ = render_type(&ty, &type_name);
    }
    append(data);
}

/// Exact, or shorter: the writer spells every compressed integer in its
/// shortest form (ECMA-335 II.23.2), so a non-canonical input shrinks; it
/// must never change length otherwise or grow. The model equality checked
/// by the caller shows nothing else was lost.
fn assert_round_trip(written: &[u8], input: &[u8], what: &str) {
    assert!(
        written == input || written.len() < input.len(),
        "{what} round trip differs: {input:02x?} wrote {written:02x?}"
    );
}

fn append(data: &[u8]) {
    let Ok(original) = LocalSig::parse(data) else {
        let _ = append_locals(Some(data), &[TypeSig::Primitive(Primitive::Object)]);
        return;
    };
    let new = [
        TypeSig::Primitive(Primitive::Object),
        TypeSig::Class(0x0100_0001),
    ];
    match append_locals(Some(data), &new) {
        Ok(appended) => {
            let parsed = LocalSig::parse(&appended.blob).expect("appended locals parse");
            assert_eq!(usize::from(appended.first_index), original.locals.len());
            assert_eq!(parsed.locals.len(), original.locals.len() + new.len());
            assert!(parsed.locals.starts_with(&original.locals));
            assert!(parsed.locals.ends_with(&new));
        }
        Err(_) => assert!(original.locals.len() + new.len() > 0xFFFE),
    }
}
