//! Target `il_body`: `MethodBody::decode` on arbitrary bytes, then every
//! writer and editor on whatever decodes.
//!
//! Invariants (docs/il.md): an unedited decode → encode reproduces the
//! decoded bytes exactly, except the alignment padding between the code
//! and the extra sections, which the encoder always writes as zeros (the
//! runtime never reads it; compilers write zeros); every encoding (plain, forced fat header and EH
//! table, shrunk branches, after edits) decodes again to a body that
//! encodes to the same bytes; the stack analysis never fails on a decoded
//! body.

use NewRelicProfiler::il::{
    EncodeOptions, Handler, Instruction, MethodBody, NoCallResolver, OpCode,
};

pub fn run(data: &[u8]) {
    let Ok(body) = MethodBody::decode(data) else {
        return;
    };
    let size = body.decoded_size().expect("a decoded body knows its size");
    assert!(size <= data.len());
    let encoded = body.encode().expect("an unedited body encodes");
    let mut original = data.get(..size).unwrap_or_default().to_vec();
    zero_section_padding(&mut original);
    assert!(original == encoded, "unedited round trip differs");
    for options in [
        EncodeOptions {
            force_fat_header: true,
            force_fat_eh: true,
            shrink_branches: true,
        },
        EncodeOptions {
            force_fat_header: false,
            force_fat_eh: false,
            shrink_branches: true,
        },
    ] {
        let bytes = body.encode_with(&options).expect("re-encoding succeeds");
        assert_stable(&bytes);
    }
    body.analyze_stack(&NoCallResolver)
        .expect("stack analysis of a decoded body");
    edit(body);
}

/// Zeroes the 0–3 alignment bytes before each extra section (between
/// the code and the first section, and between sections; ECMA-335
/// II.25.4.5), when the header announces sections.
fn zero_section_padding(body: &mut [u8]) {
    let Some(&first) = body.first() else {
        return;
    };
    if first & 0x3 != 0x3 || first & 0x8 == 0 {
        return; // tiny header, or fat without MoreSects
    }
    let code_size = body
        .get(4..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes);
    let Some(mut end) = usize::try_from(code_size)
        .ok()
        .and_then(|n| n.checked_add(12))
    else {
        return;
    };
    loop {
        let start = end.next_multiple_of(4);
        for byte in body.iter_mut().take(start).skip(end) {
            *byte = 0;
        }
        let Some(&kind) = body.get(start) else {
            return;
        };
        let size = if kind & 0x40 != 0 {
            body.get(start + 1..start + 4).map_or(0, |b| {
                b.iter()
                    .rev()
                    .fold(0usize, |a, &x| (a << 8) | usize::from(x))
            })
        } else {
            body.get(start + 1).map_or(0, |&b| usize::from(b))
        };
        if kind & 0x80 == 0 || size < 4 {
            return;
        }
        end = start + size;
    }
}

/// Decodes `bytes` (an encoder's output) and checks it is a fixed point.
pub fn assert_stable(bytes: &[u8]) -> MethodBody {
    let again = MethodBody::decode(bytes).unwrap_or_else(|e| panic!("re-decode: {e}"));
    assert_eq!(again.decoded_size(), Some(bytes.len()), "re-decoded size");
    let re = again.encode().unwrap_or_else(|e| panic!("re-encode: {e}"));
    assert!(re == bytes, "re-encoding is not stable");
    again
}

/// The rewriter's edits: every `ret` to one exit, the whole body in a
/// try/finally, a prologue and an epilogue; the result must encode to a
/// stable body (edits may be refused, never panic).
fn edit(mut body: MethodBody) {
    if body.retarget_returns().is_err() {
        return;
    }
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return;
    };
    let after = body.create(Instruction::simple(OpCode::Nop));
    let handler = body.create(Instruction::simple(OpCode::Endfinally));
    if body
        .wrap_range(first, last, Handler::Finally, &[handler], after)
        .is_err()
    {
        return;
    }
    let prologue = body.create(Instruction::ldc_i4(i32::MAX));
    let pop = body.create(Instruction::simple(OpCode::Pop));
    if body.push_front(&[prologue, pop]).is_err() {
        return;
    }
    let ret = body.create(Instruction::simple(OpCode::Ret));
    if body.push_back(&[ret]).is_err() {
        return;
    }
    let Ok(max) = body.compute_max_stack(&NoCallResolver) else {
        return;
    };
    body.header.max_stack = max;
    if let Ok(bytes) = body.encode_with(&EncodeOptions {
        force_fat_header: true,
        force_fat_eh: false,
        shrink_branches: false,
    }) {
        assert_stable(&bytes);
    }
}
