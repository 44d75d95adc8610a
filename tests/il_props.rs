//! Property tests (proptest) for branch relaxation, switch tables,
//! exception-clause remapping under edits, and signature round trips.

mod support;

use proptest::prelude::*;
use NewRelicProfiler::il::signature::{
    ArrayShape, LocalSig, MethodSig, MethodSpecSig, Primitive, Signature, TypeSig,
};
use NewRelicProfiler::il::{
    EncodeOptions, ExceptionClause, Handler, Header, Instruction, Label, MethodBody, OpCode,
    Operand,
};

/// One generated instruction: a filler of some size, a branch or a switch
/// (targets as instruction indices).
#[derive(Clone, Debug)]
enum Gen {
    Fill(u8),
    Branch(u8, usize),
    Switch(Vec<usize>),
}

const BRANCHES: [OpCode; 4] = [
    OpCode::Br_S,
    OpCode::Brtrue_S,
    OpCode::Beq_S,
    OpCode::Leave_S,
];

fn gen_code() -> impl Strategy<Value = Vec<Gen>> {
    (2usize..160).prop_flat_map(|n| {
        let item = prop_oneof![
            4 => (0u8..3).prop_map(Gen::Fill),
            3 => (0u8..4, 0..n).prop_map(|(k, t)| Gen::Branch(k, t)),
            1 => proptest::collection::vec(0..n, 0..6).prop_map(Gen::Switch),
        ];
        proptest::collection::vec(item, n)
    })
}

/// Builds a body whose instructions are tagged: fillers carry their index
/// so the decoded body can be matched instruction by instruction.
fn build(code: &[Gen]) -> (MethodBody, Vec<Label>) {
    let mut b = MethodBody::new(Header::fat(0, 8, 0));
    let labels: Vec<Label> = code
        .iter()
        .map(|_| b.create(Instruction::simple(OpCode::Nop)))
        .collect();
    for (i, g) in code.iter().enumerate() {
        let at = |t: usize| labels.get(t).copied().unwrap_or(labels[0]);
        let instr = match g {
            Gen::Fill(0) => Instruction::simple(OpCode::Nop),
            Gen::Fill(1) => Instruction::ldc_i4(i as i32),
            Gen::Fill(_) => Instruction {
                opcode: OpCode::Ldc_R8,
                operand: Operand::Float64(i as u64),
            },
            Gen::Branch(k, t) => Instruction::branch(BRANCHES[*k as usize % 4], at(*t)),
            Gen::Switch(ts) => Instruction::switch(ts.iter().map(|&t| at(t)).collect()),
        };
        b.replace(labels[i], instr).unwrap();
    }
    b.push_back(&labels).unwrap();
    (b, labels)
}

/// Target positions of every instruction, in code order.
fn shape(b: &MethodBody) -> Vec<(OpCode, Vec<usize>)> {
    let pos: std::collections::HashMap<Label, usize> = b
        .labels()
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i))
        .collect();
    b.instructions()
        .map(|(_, i)| {
            (
                i.opcode.long_form(),
                i.targets().iter().map(|t| pos[t]).collect(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Encoding keeps every branch and switch target on the same
    /// instruction; with `shrink_branches` every branch that stayed long
    /// really does not fit a short displacement.
    #[test]
    fn branch_relaxation_and_switch_tables(code in gen_code(), pad in 0usize..300) {
        let (mut b, labels) = build(&code);
        // Grow the distance across the middle so some short branches overflow.
        let fill: Vec<Label> = (0..pad).map(|_| b.create(Instruction::simple(OpCode::Nop))).collect();
        b.insert_after(labels[labels.len() / 2], &fill).unwrap();
        for shrink in [false, true] {
            let opts = EncodeOptions { shrink_branches: shrink, ..Default::default() };
            let bytes = b.encode_with(&opts).unwrap();
            let d = MethodBody::decode(&bytes).unwrap();
            prop_assert_eq!(shape(&d), shape(&b));
            prop_assert_eq!(d.encode().unwrap(), bytes.clone());
            let layout = d.layout(&EncodeOptions::default()).unwrap();
            for (p, (_, i)) in d.instructions().enumerate() {
                if !i.opcode.is_branch() { continue; }
                let t = d.labels().iter().position(|l| *l == i.targets()[0]).unwrap();
                let next = layout.offsets.get(p + 1).copied().unwrap_or(layout.code_size);
                let disp = i64::from(layout.offsets[t]) - i64::from(next);
                let short = i.opcode.short_form() == i.opcode;
                if short { prop_assert!((-128..=127).contains(&disp)); }
                // A widened branch (long here) needed it when shrinking; the
                // long form is 3 bytes longer, so compare the short-form distance.
                if shrink && !short {
                    let short_disp = if disp >= 0 { disp } else { disp + 3 };
                    prop_assert!(!(-128..=127).contains(&short_disp), "needlessly long: {}", short_disp);
                }
            }
        }
    }

    /// Clauses keep naming the same instructions after random insertions,
    /// are written inner-first, and stay small only when they fit.
    #[test]
    fn eh_clauses_remap_under_edits(
        n in 12usize..60,
        inserts in proptest::collection::vec((0usize..60, 1usize..40, any::<bool>()), 0..8),
    ) {
        let code: Vec<Gen> = (0..n).map(|_| Gen::Fill(1)).collect();
        let (mut b, labels) = build(&code);
        // Nested regions: outer try [1, n-4] finally [n-3, n-3]; inner try
        // [2, n/2] catch [n/2+1, n/2+1]; a try inside the inner handler is
        // not possible with one-instruction handlers, so nest one in the
        // finally's try instead: [3, 3] fault [4, 4].
        let l = |i: usize| labels[i.min(n - 1)];
        let clauses = vec![
            ExceptionClause::new(Handler::Finally, l(1), l(n - 4), l(n - 3), l(n - 3)),
            ExceptionClause::new(Handler::Catch(0x0100_0001), l(2), l(n / 2), l(n / 2 + 1), l(n / 2 + 1)),
            ExceptionClause::new(Handler::Fault, l(3), l(3), l(4), l(4)),
        ];
        for c in &clauses { b.add_clause(*c); }
        for (at, count, after) in inserts {
            let new: Vec<Label> = (0..count).map(|_| b.create(Instruction::simple(OpCode::Nop))).collect();
            if after { b.insert_after(l(at), &new).unwrap(); } else { b.insert_before(l(at), &new).unwrap(); }
        }
        let bytes = b.encode().unwrap();
        let d = MethodBody::decode(&bytes).unwrap();
        // Instructions are identified by their ldc.i4 tag.
        let tag = |body: &MethodBody, l: Label| match body.get(l).map(|i| &i.operand) {
            Some(Operand::Int32(v)) => *v,
            _ => -1,
        };
        let mut expected: Vec<_> = clauses.iter().map(|c| (tag(&b, c.try_first), tag(&b, c.try_last), tag(&b, c.handler_first), tag(&b, c.handler_last))).collect();
        let mut got: Vec<_> = d.clauses().iter().map(|c| (tag(&d, c.try_first), tag(&d, c.try_last), tag(&d, c.handler_first), tag(&d, c.handler_last))).collect();
        // Written order: the fault (innermost) and the catch before the finally.
        prop_assert_eq!(got.last().copied(), expected.first().copied());
        expected.sort();
        got.sort();
        prop_assert_eq!(got, expected);
    }
}

fn type_sig() -> impl Strategy<Value = TypeSig> {
    let token = prop_oneof![
        (1u32..0x3F_FFFF).prop_map(|r| 0x0100_0000 | r),
        (1u32..0x3F_FFFF).prop_map(|r| 0x0200_0000 | r),
        (1u32..0x3F_FFFF).prop_map(|r| 0x1B00_0000 | r),
    ];
    let leaf = prop_oneof![
        (0usize..17).prop_map(|i| TypeSig::Primitive(
            [
                Primitive::Boolean,
                Primitive::Char,
                Primitive::I1,
                Primitive::U1,
                Primitive::I2,
                Primitive::U2,
                Primitive::I4,
                Primitive::U4,
                Primitive::I8,
                Primitive::U8,
                Primitive::R4,
                Primitive::R8,
                Primitive::I,
                Primitive::U,
                Primitive::String,
                Primitive::Object,
                Primitive::TypedByRef
            ][i]
        )),
        token.clone().prop_map(TypeSig::Class),
        token.clone().prop_map(TypeSig::ValueType),
        (0u32..0x1FFF_FFFF).prop_map(TypeSig::Var),
        (0u32..300).prop_map(TypeSig::MVar),
    ];
    leaf.prop_recursive(5, 48, 4, move |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| TypeSig::Ptr(Box::new(t))),
            inner.clone().prop_map(|t| TypeSig::ByRef(Box::new(t))),
            inner.clone().prop_map(|t| TypeSig::SzArray(Box::new(t))),
            inner.clone().prop_map(|t| TypeSig::Pinned(Box::new(t))),
            (
                inner.clone(),
                1u32..8,
                proptest::collection::vec(0u32..100_000, 0..3),
                proptest::collection::vec(-0x0FFF_FFFFi32..0x0FFF_FFFF, 0..3)
            )
                .prop_map(|(t, rank, sizes, lower_bounds)| TypeSig::Array(
                    Box::new(t),
                    ArrayShape {
                        rank,
                        sizes,
                        lower_bounds
                    }
                )),
            (
                any::<bool>(),
                token.clone(),
                proptest::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(value_type, base, args)| TypeSig::GenericInst {
                    value_type,
                    base,
                    args
                }),
            (any::<bool>(), token.clone(), inner.clone()).prop_map(|(required, token, t)| {
                TypeSig::Modified {
                    required,
                    token,
                    inner: Box::new(t),
                }
            }),
            (
                inner.clone(),
                proptest::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(ret, params)| TypeSig::FnPtr(Box::new(MethodSig {
                    calling_convention: 0,
                    generic_params: 0,
                    ret,
                    params,
                    sentinel: None
                }))),
        ]
    })
}

fn method_sig() -> impl Strategy<Value = MethodSig> {
    (
        prop_oneof![Just(0u8), Just(0x20), Just(0x30), Just(0x05), Just(0x60)],
        0u32..5,
        prop_oneof![Just(TypeSig::Primitive(Primitive::Void)), type_sig()],
        proptest::collection::vec(type_sig(), 0..6),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(cc, g, ret, params, idx)| {
            let sentinel =
                (cc & 0x0F == 0x05 && !params.is_empty()).then(|| idx.index(params.len()));
            MethodSig {
                calling_convention: cc,
                generic_params: if cc & 0x10 != 0 { g } else { 0 },
                ret,
                params,
                sentinel,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn type_signatures_round_trip(t in type_sig()) {
        let bytes = t.to_bytes().unwrap();
        prop_assert_eq!(TypeSig::parse(&bytes).unwrap(), t);
    }

    #[test]
    fn method_signatures_round_trip(m in method_sig()) {
        let bytes = m.to_bytes().unwrap();
        let parsed = MethodSig::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &m);
        prop_assert_eq!(Signature::parse(&bytes).unwrap(), Signature::Method(m));
    }

    #[test]
    fn local_and_method_spec_signatures_round_trip(ts in proptest::collection::vec(type_sig(), 0..8)) {
        let locals = Signature::Locals(LocalSig { locals: ts.clone() });
        let bytes = locals.to_bytes().unwrap();
        prop_assert_eq!(Signature::parse(&bytes).unwrap(), locals);
        let spec = Signature::MethodSpec(MethodSpecSig { args: ts });
        let bytes = spec.to_bytes().unwrap();
        prop_assert_eq!(Signature::parse(&bytes).unwrap(), spec);
    }

    #[test]
    fn appending_locals_keeps_the_old_ones(old in proptest::collection::vec(type_sig(), 0..6), new in proptest::collection::vec(type_sig(), 0..4)) {
        let blob = Signature::Locals(LocalSig { locals: old.clone() }).to_bytes().unwrap();
        let appended = NewRelicProfiler::il::append_locals(Some(&blob), &new).unwrap();
        prop_assert_eq!(usize::from(appended.first_index), old.len());
        let all: Vec<TypeSig> = old.into_iter().chain(new).collect();
        prop_assert_eq!(LocalSig::parse(&appended.blob).unwrap().locals, all);
    }

    #[test]
    fn compressed_integers_round_trip(u in 0u32..=0x1FFF_FFFF, i in -(1i32 << 28)..(1i32 << 28)) {
        use NewRelicProfiler::il::compressed::{write_compressed_i32, write_compressed_u32, Reader};
        let mut out = Vec::new();
        write_compressed_u32(u, &mut out).unwrap();
        write_compressed_i32(i, &mut out).unwrap();
        let mut r = Reader::new(&out);
        prop_assert_eq!(r.compressed_u32().unwrap(), u);
        prop_assert_eq!(r.compressed_i32().unwrap(), i);
        prop_assert!(r.is_empty());
    }
}
