//! Hand-built examples of the engine's documented behaviour (the corpus and
//! property tests under `tests/il_*.rs` cover scale).

use super::signature::{
    append_locals, render_parameters, ArrayShape, MethodSig, Primitive, TypeSig,
};
use super::*;

fn ops(b: &MethodBody) -> Vec<OpCode> {
    b.instructions().map(|(_, i)| i.opcode).collect()
}

#[test]
fn tiny_header_round_trips_and_grows_to_fat() {
    // Tiny: code size 2 (ldc.i4.0; ret).
    let bytes = [0x0A, 0x16, 0x2A];
    let mut b = MethodBody::decode(&bytes).unwrap();
    assert_eq!(b.header.form, HeaderForm::Tiny);
    assert_eq!(b.header.max_stack, 8);
    assert_eq!(b.encode().unwrap(), bytes);
    // 62 more bytes of nops: 64 > 63, so the header must become fat.
    let first = b.first().unwrap();
    let nops: Vec<Label> = (0..62)
        .map(|_| b.create(Instruction::simple(OpCode::Nop)))
        .collect();
    b.insert_before(first, &nops).unwrap();
    let out = b.encode().unwrap();
    assert_eq!(out.len(), 12 + 64);
    assert_eq!(u16::from_le_bytes([out[0], out[1]]), 0x3003);
    assert_eq!(u16::from_le_bytes([out[2], out[3]]), 8);
    let forced = b
        .encode_with(&EncodeOptions {
            force_fat_header: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(forced, out);
}

#[test]
fn truncated_and_bad_headers_are_errors() {
    assert!(MethodBody::decode(&[]).is_err());
    assert!(MethodBody::decode(&[0x0E, 0x16]).is_err()); // tiny, 3 bytes announced, 1 present
    assert!(MethodBody::decode(&[0x00]).is_err());
    assert!(MethodBody::decode(&[0x13, 0x30, 8, 0, 1, 0, 0, 0]).is_err()); // fat, truncated
                                                                           // Branch into the middle of an instruction.
    assert!(matches!(
        MethodBody::decode(&[0x1E, 0x20, 1, 0, 0, 0, 0x2B, 0xFA, 0x2A]),
        Err(IlError::BadBranchTarget { .. })
    ));
    assert!(matches!(
        MethodBody::decode(&[0x06, 0x24]),
        Err(IlError::UnknownOpcode { code: 0x24, .. })
    ));
}

/// try { nop; leave.s END } finally { endfinally } END: ret
fn try_finally() -> MethodBody {
    let mut b = MethodBody::new(Header::fat(0x10, 1, 0));
    let end = b.create(Instruction::simple(OpCode::Ret));
    let l = b
        .append(vec![
            Instruction::simple(OpCode::Nop),
            Instruction::branch(OpCode::Leave_S, end),
            Instruction::simple(OpCode::Endfinally),
        ])
        .unwrap();
    b.push_back(&[end]).unwrap();
    b.add_clause(ExceptionClause::new(
        Handler::Finally,
        l[0],
        l[1],
        l[2],
        l[2],
    ));
    b
}

#[test]
fn small_and_fat_eh_sections() {
    let b = try_finally();
    let out = b.encode().unwrap();
    // Header: fat, MoreSects | InitLocals, code size 5, then padding to 8 + 12 = 20.
    assert_eq!(u16::from_le_bytes([out[0], out[1]]), 0x301B);
    assert_eq!(&out[12..17], &[0x00, 0xDE, 0x01, 0xDC, 0x2A]);
    assert_eq!(&out[17..20], &[0, 0, 0]);
    // Small EH section: kind 0x01, size 16, reserved, one 12-byte clause.
    assert_eq!(&out[20..24], &[0x01, 16, 0, 0]);
    assert_eq!(&out[24..36], &[2, 0, 0, 0, 3, 3, 0, 1, 0, 0, 0, 0]);
    assert_eq!(MethodBody::decode(&out).unwrap().encode().unwrap(), out);
    let fat = b
        .encode_with(&EncodeOptions {
            force_fat_eh: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(&fat[20..24], &[0x41, 28, 0, 0]);
    let d = MethodBody::decode(&fat).unwrap();
    assert_eq!(d.clauses().len(), 1);
    assert_eq!(d.encode().unwrap(), fat);
}

#[test]
fn clause_inside_a_handler_is_written_first() {
    // try { nop; leave END } catch { try { pop; leave H } catch { pop; leave H } H: leave END } END: ret
    let mut b = MethodBody::new(Header::fat(0, 2, 0));
    let end = b.create(Instruction::simple(OpCode::Ret));
    let h = b.create(Instruction::branch(OpCode::Leave_S, end));
    let l = b
        .append(vec![
            Instruction::simple(OpCode::Nop),
            Instruction::branch(OpCode::Leave_S, end),
            Instruction::simple(OpCode::Pop),
            Instruction::branch(OpCode::Leave_S, h),
            Instruction::simple(OpCode::Pop),
            Instruction::branch(OpCode::Leave_S, h),
        ])
        .unwrap();
    b.push_back(&[h, end]).unwrap();
    b.add_clause(ExceptionClause::new(
        Handler::Catch(0x0100_0001),
        l[0],
        l[1],
        l[2],
        h,
    ));
    b.add_clause(ExceptionClause::new(
        Handler::Catch(0x0100_0002),
        l[2],
        l[3],
        l[4],
        l[5],
    ));
    let d = MethodBody::decode(&b.encode().unwrap()).unwrap();
    let tokens: Vec<_> = d.clauses().iter().map(|c| c.handler).collect();
    assert_eq!(
        tokens,
        [Handler::Catch(0x0100_0002), Handler::Catch(0x0100_0001)]
    );
    let report = d.analyze_stack(&NoCallResolver).unwrap();
    assert_eq!(
        (
            report.inconsistent_joins,
            report.underflows,
            report.max_stack
        ),
        (0, 0, 1)
    );
}

#[test]
fn returns_go_to_one_exit() {
    // ldarg.0; brtrue.s L; ldc.i4.0; ret; L: ldc.i4.1; ret
    let bytes = [0x1E, 0x02, 0x2D, 0x02, 0x16, 0x2A, 0x17, 0x2A];
    let mut b = MethodBody::decode(&bytes).unwrap();
    let exit = b.retarget_returns().unwrap();
    assert_eq!(b.last(), Some(exit));
    assert_eq!(
        ops(&b),
        [
            OpCode::Ldarg_0,
            OpCode::Brtrue_S,
            OpCode::Ldc_I4_0,
            OpCode::Br_S,
            OpCode::Ldc_I4_1,
            OpCode::Nop
        ]
    );
    let out = b.encode().unwrap();
    assert_eq!(out, [0x22, 0x02, 0x2D, 0x03, 0x16, 0x2B, 0x01, 0x17, 0x00]);
    let report = b.analyze_stack(&NoCallResolver).unwrap();
    assert_eq!((report.max_stack, report.inconsistent_joins), (1, 0));
}

#[test]
fn prefixes_stay_attached() {
    // constrained. T callvirt M; ret
    let mut b = MethodBody::new(Header::fat(0, 1, 0));
    let l = b
        .append(vec![
            Instruction::token(OpCode::Constrained, 0x1B00_0001),
            Instruction::token(OpCode::Callvirt, 0x0A00_0001),
            Instruction::simple(OpCode::Ret),
        ])
        .unwrap();
    let n = b.create(Instruction::simple(OpCode::Nop));
    assert_eq!(
        b.insert_before(l[1], &[n]),
        Err(IlError::SplitsPrefix(l[0]))
    );
    assert_eq!(b.insert_after(l[0], &[n]), Err(IlError::SplitsPrefix(l[0])));
    b.insert_before(l[0], &[n]).unwrap();
    assert_eq!(b.insert_before(l[0], &[n]), Err(IlError::UnknownLabel(n)));
}

#[test]
fn short_branch_widens_when_code_grows() {
    // br.s over a growing block.
    let mut b = MethodBody::new(Header::fat(0, 0, 0));
    let end = b.create(Instruction::simple(OpCode::Ret));
    let br = b
        .append(vec![Instruction::branch(OpCode::Br_S, end)])
        .unwrap();
    let fill: Vec<Label> = (0..200)
        .map(|_| b.create(Instruction::simple(OpCode::Nop)))
        .collect();
    b.push_back(&fill).unwrap();
    b.push_back(&[end]).unwrap();
    let out = b.encode().unwrap();
    assert_eq!(&out[12..17], &[0x38, 200, 0, 0, 0]);
    assert_eq!(b.get(br[0]).unwrap().opcode, OpCode::Br_S); // the model is not changed
}

#[test]
fn local_count_limits() {
    let mut sig = vec![0x07];
    super::compressed::write_compressed_u32(0xFFFE, &mut sig).unwrap();
    let err = append_locals(Some(&sig), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Extracted local count (0xfffe) is too big to add locals to (>= 0xfffe)"
    );
    let fresh = append_locals(None, &[TypeSig::Primitive(Primitive::Object)]).unwrap();
    assert_eq!(
        (fresh.blob.as_slice(), fresh.first_index),
        (&[0x07, 0x01, 0x1C][..], 0)
    );
    let two = append_locals(Some(&[0x07, 0x01, 0x08]), &[TypeSig::Class(0x0100_0002)]).unwrap();
    assert_eq!(
        (two.blob.as_slice(), two.first_index),
        (&[0x07, 0x02, 0x08, 0x12, 0x09][..], 1)
    );
}

#[test]
fn parameter_lists_render_like_the_reference() {
    let names = |t: u32| match t {
        0x0200_0001 => Some("Outer.Name`2".to_string()),
        0x0100_0001 => Some("System.String".to_string()),
        _ => None,
    };
    let array = TypeSig::Array(
        Box::new(TypeSig::Primitive(Primitive::I4)),
        ArrayShape {
            rank: 6,
            sizes: vec![4, 3],
            lower_bounds: vec![],
        },
    );
    let sig = MethodSig {
        calling_convention: 0x20,
        generic_params: 0,
        ret: TypeSig::Primitive(Primitive::Void),
        params: vec![
            TypeSig::Primitive(Primitive::Boolean),
            TypeSig::Var(0),
            TypeSig::MVar(0),
            TypeSig::SzArray(Box::new(TypeSig::Var(0))),
            TypeSig::ByRef(Box::new(TypeSig::MVar(1))),
            TypeSig::GenericInst {
                value_type: false,
                base: 0x0200_0001,
                args: vec![
                    TypeSig::Class(0x0100_0001),
                    TypeSig::Primitive(Primitive::Object),
                ],
            },
            array,
            TypeSig::Ptr(Box::new(TypeSig::Primitive(Primitive::Void))),
        ],
        sentinel: None,
    };
    assert_eq!(
        render_parameters(&sig, &names).unwrap(),
        "System.Boolean,!0,!!0,!0[],!!1&,Outer.Name`2[System.String,System.Object],System.Int32[0...3,0...2,,,,],void*"
    );
    let spec = MethodSig {
        params: vec![TypeSig::Class(0x1B00_0001)],
        ..sig
    };
    assert_eq!(
        render_parameters(&spec, &names).unwrap_err().to_string(),
        "TypeSpec parameters not supported."
    );
}

#[test]
fn max_stack_falls_back_on_unresolved_calls() {
    // ldc.i4.1; ldc.i4.2; call M; pop; ret  -> resolved as (2 params, returns): max 2
    struct Two;
    impl CallResolver for Two {
        fn call_shape(&self, _token: u32) -> Option<CallShape> {
            Some(CallShape {
                params: 2,
                implicit_this: false,
                returns_value: true,
            })
        }
    }
    let bytes = [0x26, 0x17, 0x18, 0x28, 1, 0, 0, 0x0A, 0x26, 0x2A];
    let b = MethodBody::decode(&bytes).unwrap();
    assert_eq!(b.compute_max_stack(&Two).unwrap(), 2);
    let r = b.analyze_stack(&NoCallResolver).unwrap();
    assert_eq!((r.max_stack, r.unresolved_calls), (3, 1));
}

// Fuzzing findings (docs/reliability-fuzzing.md); the inputs themselves are
// replayed by tests/fuzz_regressions.rs.

#[test]
fn field_signature_keeps_flag_bits_of_its_calling_convention() {
    use super::signature::{FieldSig, Signature};
    let blob = [0x26, 0x08]; // FIELD | 0x20, int32
    let field = FieldSig::parse(&blob).unwrap();
    assert_eq!(field.calling_convention, 0x26);
    assert_eq!(Signature::Field(field).to_bytes().unwrap(), blob);
}

#[test]
fn coded_type_index_with_a_row_past_24_bits_is_rejected() {
    // CLASS, coded index 0x0B1F26AD: TypeRef row 0x02C7C9AB, which would
    // spill into the table byte.
    assert!(TypeSig::parse(&[0x12, 0xCB, 0x1F, 0x26, 0xAD]).is_err());
    // The largest row a token can hold still parses.
    let coded: u32 = (0x00FF_FFFF << 2) | 1;
    let mut blob = vec![0x12];
    blob.extend_from_slice(&(0xC000_0000 | coded).to_be_bytes());
    assert_eq!(TypeSig::parse(&blob).unwrap(), TypeSig::Class(0x01FF_FFFF));
}

#[test]
fn array_rank_is_limited_to_the_runtimes_32() {
    // ARRAY int32, rank, no sizes, no lower bounds.
    let array = |rank: u8| [0x14, 0x08, rank, 0x00, 0x00];
    let max = TypeSig::parse(&array(32)).unwrap();
    let text = super::render_type(&max, &|_: u32| -> Option<String> { None }).unwrap();
    assert_eq!(text.matches(',').count(), 31);
    assert!(TypeSig::parse(&array(33)).is_err());
    // 0x1FFFFFFF dimensions used to render as half a billion commas.
    assert!(TypeSig::parse(&[0x14, 0x08, 0xDF, 0xFF, 0xFF, 0xFF, 0x00, 0x00]).is_err());
}

#[test]
fn empty_exception_table_survives_an_unedited_round_trip() {
    // Fat header with MoreSects, code `ret`, then a small EH section with
    // no clauses (size 4) and a non-zero reserved field.
    let mut bytes = vec![
        0x0B, 0x30, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x2A,
    ];
    bytes.extend_from_slice(&[0, 0, 0]); // padding to 4
    bytes.extend_from_slice(&[0x01, 0x04, 0x00, 0x11]);
    let body = MethodBody::decode(&bytes).unwrap();
    assert!(body.clauses().is_empty());
    assert_eq!(body.encode().unwrap(), bytes);
}
