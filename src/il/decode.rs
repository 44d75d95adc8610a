//! Decoding a method body as `GetILFunctionBody` returns it (header, code,
//! extra sections; ECMA-335 II.25.4; reference-profiler §5.2) into the
//! label-based model. Every branch and switch target and every clause
//! boundary must fall on an instruction boundary, or decoding fails.

use super::body::{
    Header, HeaderForm, MethodBody, FLAG_FAT_FORMAT, FLAG_MORE_SECTS, FLAG_TINY_FORMAT,
};
use super::compressed::Reader;
use super::eh::{parse_sections, ExceptionClause, Handler, RawClause};
use super::error::{IlError, Result};
use super::instruction::{Instruction, Label, Operand};
use super::opcodes::{OpCode, OperandKind, TWO_BYTE_PREFIX};

const NO_INSTR: u32 = u32::MAX;

impl MethodBody {
    /// Decodes a method body from `bytes`, which start at the method header
    /// and may extend past the body (the decoder finds the end itself; see
    /// [`MethodBody::decoded_size`]).
    pub fn decode(bytes: &[u8]) -> Result<MethodBody> {
        let first = *bytes.first().ok_or(IlError::Truncated {
            what: "method header",
            offset: 0,
        })?;
        let (header, code_start, code_size, more_sects) = match first & 0x3 {
            0x2 => {
                debug_assert_eq!(first & 0x3, FLAG_TINY_FORMAT);
                (Header::tiny(), 1usize, usize::from(first >> 2), false)
            }
            0x3 => {
                let mut r = Reader::new(bytes);
                let flags_and_size = r.u16("fat header")?;
                let max_stack = r.u16("fat header")?;
                let code_size = r.u32("fat header")?;
                let token = r.u32("fat header")?;
                let size = (flags_and_size >> 12) as u8;
                if size != 3 {
                    return Err(IlError::UnsupportedHeaderSize(size));
                }
                let flags = flags_and_size & 0x0FFF;
                let header = Header {
                    form: HeaderForm::Fat,
                    flags: flags & !(FLAG_FAT_FORMAT | FLAG_MORE_SECTS),
                    max_stack,
                    local_var_sig_token: token,
                };
                (header, 12, code_size as usize, flags & FLAG_MORE_SECTS != 0)
            }
            _ => return Err(IlError::InvalidHeader(first)),
        };
        let code_end = code_start
            .checked_add(code_size)
            .filter(|&end| end <= bytes.len())
            .ok_or(IlError::Truncated {
                what: "code",
                offset: code_start,
            })?;
        let code = bytes.get(code_start..code_end).unwrap_or(&[]);

        let (arena, offsets) = decode_code(code)?;
        let mut body = MethodBody::new(header);
        body.order = (0..arena.len() as u32).map(Label).collect();
        body.placed = vec![true; arena.len()];
        body.arena = arena;

        let mut end = code_end;
        if more_sects {
            let sections = parse_sections(bytes, code_end)?;
            end = sections.end;
            body.clauses = sections
                .clauses
                .iter()
                .enumerate()
                .map(|(i, c)| resolve_clause(i, c, &offsets, code_size))
                .collect::<Result<_>>()?;
            body.raw_sections = sections.raw;
            body.shapes = Some(sections.shapes);
        }
        body.decoded_size = Some(end);
        Ok(body)
    }
}

/// Offset → instruction index for every byte of the code plus the end
/// (`NO_INSTR` inside an instruction; the instruction count at the end).
type OffsetMap = Vec<u32>;

/// Decodes the instruction stream. Branch operands are first kept as raw
/// target offsets and then resolved to labels once every boundary is known.
fn decode_code(code: &[u8]) -> Result<(Vec<Instruction>, OffsetMap)> {
    let mut map: OffsetMap = vec![NO_INSTR; code.len() + 1];
    let mut instrs: Vec<Instruction> = Vec::with_capacity(code.len() / 2 + 1);
    // (instruction index, offset of the instruction, target offsets)
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut raw_targets: Vec<i64> = Vec::new();
    let mut r = Reader::new(code);
    while !r.is_empty() {
        let offset = r.pos();
        if let Some(slot) = map.get_mut(offset) {
            *slot = instrs.len() as u32;
        }
        let b = r.u8("opcode")?;
        let opcode = if b == TWO_BYTE_PREFIX {
            let b2 = r.u8("opcode")?;
            OpCode::from_fe_byte(b2).ok_or(IlError::UnknownOpcode {
                code: 0xFE00 | u16::from(b2),
                offset,
            })?
        } else {
            OpCode::from_byte(b).ok_or(IlError::UnknownOpcode {
                code: u16::from(b),
                offset,
            })?
        };
        const W: &str = "operand";
        let operand = match opcode.operand_kind() {
            OperandKind::None => Operand::None,
            OperandKind::ShortVar => Operand::Var(u16::from(r.u8(W)?)),
            OperandKind::Var => Operand::Var(r.u16(W)?),
            OperandKind::ShortI => Operand::Int8(r.u8(W)? as i8),
            OperandKind::I => Operand::Int32(r.u32(W)? as i32),
            OperandKind::I8 => Operand::Int64(r.u64(W)? as i64),
            OperandKind::ShortR => Operand::Float32(r.u32(W)?),
            OperandKind::R => Operand::Float64(r.u64(W)?),
            OperandKind::Method
            | OperandKind::Field
            | OperandKind::Type
            | OperandKind::Tok
            | OperandKind::String
            | OperandKind::Sig => Operand::Token(r.u32(W)?),
            OperandKind::ShortBrTarget => {
                let disp = i64::from(r.u8(W)? as i8);
                pending.push((instrs.len(), offset));
                raw_targets.push(r.pos() as i64 + disp);
                Operand::Target(Label(0))
            }
            OperandKind::BrTarget => {
                let disp = i64::from(r.u32(W)? as i32);
                pending.push((instrs.len(), offset));
                raw_targets.push(r.pos() as i64 + disp);
                Operand::Target(Label(0))
            }
            OperandKind::Switch => {
                let n = r.u32(W)? as usize;
                if n.checked_mul(4).map_or(true, |bytes| bytes > r.remaining()) {
                    return Err(IlError::Truncated {
                        what: "switch table",
                        offset,
                    });
                }
                let mut disps = Vec::with_capacity(n);
                for _ in 0..n {
                    disps.push(i64::from(r.u32(W)? as i32));
                }
                let base = r.pos() as i64;
                pending.push((instrs.len(), offset));
                raw_targets.extend(disps.iter().map(|d| base + d));
                Operand::Switch(vec![Label(0); n])
            }
        };
        instrs.push(Instruction { opcode, operand });
    }
    if let Some(slot) = map.last_mut() {
        *slot = instrs.len() as u32;
    }

    // Resolve targets (same order as collected).
    let mut next_target = raw_targets.iter();
    for &(index, offset) in &pending {
        let Some(instr) = instrs.get_mut(index) else {
            continue;
        };
        for slot in instr.targets_mut() {
            let target = next_target.next().copied().unwrap_or(-1);
            let label = usize::try_from(target)
                .ok()
                .filter(|&t| t < code.len())
                .and_then(|t| map.get(t).copied())
                .filter(|&i| i != NO_INSTR)
                .ok_or(IlError::BadBranchTarget { offset, target })?;
            *slot = Label(label);
        }
    }
    Ok((instrs, map))
}

/// Resolves a stored clause to labels: each block must start on an
/// instruction and end on an instruction boundary (or the end of the code)
/// and be non-empty.
fn resolve_clause(
    index: usize,
    raw: &RawClause,
    map: &OffsetMap,
    code_size: usize,
) -> Result<ExceptionClause> {
    let kind = raw.kind_bits(index)?;
    let start = |what: &'static str, offset: u32| -> Result<Label> {
        let o = offset as usize;
        match map.get(o) {
            Some(&i) if i != NO_INSTR && o < code_size => Ok(Label(i)),
            _ => Err(IlError::BadClauseBoundary {
                index,
                what,
                offset: u64::from(offset),
            }),
        }
    };
    let last = |what: &'static str, offset: u32, length: u32| -> Result<Label> {
        let end = u64::from(offset) + u64::from(length);
        let bad = IlError::BadClauseBoundary {
            index,
            what,
            offset: end,
        };
        if length == 0 || end > code_size as u64 {
            return Err(bad);
        }
        match map.get(end as usize) {
            Some(&i) if i != NO_INSTR && i > 0 => Ok(Label(i - 1)),
            _ => Err(bad),
        }
    };
    let handler = match kind {
        0 => Handler::Catch(raw.data),
        1 => Handler::Filter(start("filter start", raw.data)?),
        2 => Handler::Finally,
        _ => Handler::Fault,
    };
    let unused_slot = match handler {
        Handler::Finally | Handler::Fault => raw.data,
        _ => 0,
    };
    Ok(ExceptionClause {
        handler,
        try_first: start("try start", raw.try_offset)?,
        try_last: last("try end", raw.try_offset, raw.try_length)?,
        handler_first: start("handler start", raw.handler_offset)?,
        handler_last: last("handler end", raw.handler_offset, raw.handler_length)?,
        extra_flags: raw.flags & !0x7,
        unused_slot,
    })
}
