//! Writing a body: layout (offsets exist only here), branch relaxation,
//! header choice, exception-clause ordering and the extra sections
//! (ECMA-335 II.25.4; prior-art §4.6–4.9).
//!
//! Branch forms are kept as they are in the model; a short branch whose
//! displacement no longer fits is widened and the whole layout recomputed,
//! until nothing changes (widening only grows the code, so this terminates).
//! An unedited body therefore encodes to its original bytes.

use super::body::{HeaderForm, MethodBody, FLAG_FAT_FORMAT, FLAG_MORE_SECTS};
use super::eh::{write_order, write_sections, ClauseSpan, Handler, RawClause};
use super::error::{IlError, Result};
use super::instruction::{Instruction, Label, Operand};
use super::opcodes::{OpCode, OperandKind};

/// Choices the encoder makes only when asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Always write a fat header, even if a tiny one would do.
    pub force_fat_header: bool,
    /// Always write fat exception tables.
    pub force_fat_eh: bool,
    /// Start every branch in its short form and widen only those that do not
    /// fit (smallest code); otherwise keep each branch's current form.
    pub shrink_branches: bool,
}

/// The computed layout of the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Offset of each placed instruction, in code order.
    pub offsets: Vec<u32>,
    /// The opcode each placed instruction is written with (branches possibly
    /// widened).
    pub opcodes: Vec<OpCode>,
    /// Code size in bytes.
    pub code_size: u32,
}

impl Layout {
    /// Offset just past the instruction at `position`.
    fn end_of(&self, position: usize, body: &MethodBody) -> u32 {
        let start = self.offsets.get(position).copied().unwrap_or(0);
        let size = match (self.opcodes.get(position), body.order.get(position)) {
            (Some(&op), Some(&l)) => body.arena.get(l.index()).map(|i| sized(op, i)).unwrap_or(0),
            _ => 0,
        };
        start.saturating_add(size as u32)
    }
}

fn sized(opcode: OpCode, instr: &Instruction) -> usize {
    let fixed = opcode.opcode_size() + opcode.operand_kind().size();
    match &instr.operand {
        Operand::Switch(t) => fixed + 4 * t.len(),
        _ => fixed,
    }
}

impl MethodBody {
    /// Encodes with default options (original forms kept where they fit).
    pub fn encode(&self) -> Result<Vec<u8>> {
        self.encode_with(&EncodeOptions::default())
    }

    /// Computes the code layout: checks that every operand matches its
    /// opcode and that every target is placed, then relaxes branches.
    pub fn layout(&self, options: &EncodeOptions) -> Result<Layout> {
        self.layout_at(options, &self.positions())
    }

    fn layout_at(&self, options: &EncodeOptions, pos: &[u32]) -> Result<Layout> {
        let n = self.order.len();
        let mut opcodes = Vec::with_capacity(n);
        let mut target_pos: Vec<u32> = Vec::with_capacity(n);
        for &l in &self.order {
            let instr = self.arena.get(l.index()).ok_or(IlError::UnknownLabel(l))?;
            if !instr.operand_matches() {
                return Err(IlError::OperandMismatch(instr.opcode));
            }
            for &t in instr.targets() {
                match pos.get(t.index()) {
                    Some(&p) if p != u32::MAX => target_pos.push(p),
                    _ => return Err(IlError::UnknownLabel(t)),
                }
            }
            let op = if options.shrink_branches && instr.opcode.is_branch() {
                instr.opcode.short_form()
            } else {
                instr.opcode
            };
            opcodes.push(op);
        }
        let mut offsets = vec![0u32; n];
        loop {
            let mut at: u64 = 0;
            for (i, (&l, &op)) in self.order.iter().zip(&opcodes).enumerate() {
                if let Some(slot) = offsets.get_mut(i) {
                    *slot = at as u32;
                }
                let size = self.arena.get(l.index()).map_or(0, |ins| sized(op, ins));
                at += size as u64;
                if at > u64::from(u32::MAX) {
                    return Err(IlError::TooLarge {
                        what: "code size",
                        value: at,
                    });
                }
            }
            let code_size = at as u32;
            let mut changed = false;
            let mut next_target = target_pos.iter();
            for (i, &l) in self.order.iter().enumerate() {
                let Some(instr) = self.arena.get(l.index()) else {
                    continue;
                };
                let count = instr.targets().len();
                if count == 0 {
                    continue;
                }
                let Some(op) = opcodes.get_mut(i) else {
                    continue;
                };
                if op.operand_kind() != OperandKind::ShortBrTarget {
                    next_target.nth(count - 1);
                    continue;
                }
                let target = next_target.next().copied().unwrap_or(0) as usize;
                let from =
                    i64::from(offsets.get(i).copied().unwrap_or(0)) + sized(*op, instr) as i64;
                let to = i64::from(offsets.get(target).copied().unwrap_or(code_size));
                if !(-128..=127).contains(&(to - from)) {
                    *op = op.long_form();
                    changed = true;
                }
            }
            if !changed {
                return Ok(Layout {
                    offsets,
                    opcodes,
                    code_size,
                });
            }
        }
    }

    /// Encodes header, code and extra sections.
    pub fn encode_with(&self, options: &EncodeOptions) -> Result<Vec<u8>> {
        let pos = self.positions();
        let layout = self.layout_at(options, &pos)?;
        let raw_clauses = self.raw_clauses(&layout, &pos)?;
        let keep_shapes = self.shapes.as_deref().filter(|shapes| {
            let total: usize = shapes
                .iter()
                .map(|s| match s {
                    super::body::SectionShape::Eh { count, .. } => *count,
                    super::body::SectionShape::Raw(_) => 0,
                })
                .sum();
            total == raw_clauses.len()
        });
        let ordered: Vec<RawClause> = if keep_shapes.is_some() {
            raw_clauses
        } else {
            let spans = self
                .clauses
                .iter()
                .map(|c| ClauseSpan::of(c, &pos))
                .collect::<Result<Vec<_>>>()?;
            write_order(&spans)
                .into_iter()
                .filter_map(|i| raw_clauses.get(i).copied())
                .collect()
        };
        // An unedited body keeps its section layout, even an exception
        // table without clauses (valid, if odd), so it round-trips exactly.
        let has_sections = !ordered.is_empty()
            || !self.raw_sections.is_empty()
            || keep_shapes.is_some_and(|shapes| !shapes.is_empty());

        let h = &self.header;
        let tiny = !options.force_fat_header
            && h.form == HeaderForm::Tiny
            && layout.code_size <= 63
            && !has_sections
            && h.local_var_sig_token == 0
            && h.max_stack <= 8
            && h.flags == 0;
        let mut out = Vec::with_capacity(12 + layout.code_size as usize + 16);
        if tiny {
            out.push(((layout.code_size as u8) << 2) | 0x2);
        } else {
            let mut flags = (3u16 << 12) | (h.flags & 0x0FFF) | FLAG_FAT_FORMAT;
            flags &= !FLAG_MORE_SECTS;
            if has_sections {
                flags |= FLAG_MORE_SECTS;
            }
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&h.max_stack.to_le_bytes());
            out.extend_from_slice(&layout.code_size.to_le_bytes());
            out.extend_from_slice(&h.local_var_sig_token.to_le_bytes());
        }
        self.write_code(&layout, &pos, &mut out)?;
        if has_sections {
            write_sections(
                &mut out,
                &ordered,
                &self.raw_sections,
                keep_shapes,
                options.force_fat_eh,
            )?;
        }
        Ok(out)
    }

    fn write_code(&self, layout: &Layout, pos: &[u32], out: &mut Vec<u8>) -> Result<()> {
        let target_offset = |l: Label| -> Result<i64> {
            pos.get(l.index())
                .and_then(|&p| layout.offsets.get(p as usize))
                .map(|&o| i64::from(o))
                .ok_or(IlError::UnknownLabel(l))
        };
        for (i, (&l, &op)) in self.order.iter().zip(&layout.opcodes).enumerate() {
            let instr = self.arena.get(l.index()).ok_or(IlError::UnknownLabel(l))?;
            let code = op as u16;
            if code > 0xFF {
                out.extend_from_slice(&code.to_be_bytes());
            } else {
                out.push(code as u8);
            }
            let next =
                i64::from(layout.offsets.get(i).copied().unwrap_or(0)) + sized(op, instr) as i64;
            match (&instr.operand, op.operand_kind()) {
                (Operand::None, _) => {}
                (Operand::Var(v), OperandKind::ShortVar) => out.push(*v as u8),
                (Operand::Var(v), _) => out.extend_from_slice(&v.to_le_bytes()),
                (Operand::Int8(v), _) => out.push(*v as u8),
                (Operand::Int32(v), _) => out.extend_from_slice(&v.to_le_bytes()),
                (Operand::Int64(v), _) => out.extend_from_slice(&v.to_le_bytes()),
                (Operand::Float32(v), _) => out.extend_from_slice(&v.to_le_bytes()),
                (Operand::Float64(v), _) => out.extend_from_slice(&v.to_le_bytes()),
                (Operand::Token(v), _) => out.extend_from_slice(&v.to_le_bytes()),
                (Operand::Target(t), kind) => {
                    let disp = target_offset(*t)? - next;
                    if kind == OperandKind::ShortBrTarget {
                        let d = i8::try_from(disp).map_err(|_| IlError::TooLarge {
                            what: "short branch displacement",
                            value: disp.unsigned_abs(),
                        })?;
                        out.push(d as u8);
                    } else {
                        out.extend_from_slice(&(disp as i32).to_le_bytes());
                    }
                }
                (Operand::Switch(targets), _) => {
                    out.extend_from_slice(&(targets.len() as u32).to_le_bytes());
                    for &t in targets {
                        let disp = target_offset(t)? - next;
                        out.extend_from_slice(&(disp as i32).to_le_bytes());
                    }
                }
            }
        }
        Ok(())
    }

    /// The clauses in table order with offsets from `layout`.
    fn raw_clauses(&self, layout: &Layout, pos: &[u32]) -> Result<Vec<RawClause>> {
        let p = |l: Label| -> Result<usize> {
            match pos.get(l.index()) {
                Some(&p) if p != u32::MAX => Ok(p as usize),
                _ => Err(IlError::UnknownLabel(l)),
            }
        };
        let start =
            |l: Label| -> Result<u32> { Ok(layout.offsets.get(p(l)?).copied().unwrap_or(0)) };
        self.clauses
            .iter()
            .enumerate()
            .map(|(index, c)| {
                let try_offset = start(c.try_first)?;
                let try_end = layout.end_of(p(c.try_last)?, self);
                let handler_offset = start(c.handler_first)?;
                let handler_end = layout.end_of(p(c.handler_last)?, self);
                if try_end <= try_offset || handler_end <= handler_offset {
                    return Err(IlError::BadClauseBoundary {
                        index,
                        what: "block end before its start",
                        offset: u64::from(try_end.min(handler_end)),
                    });
                }
                let data = match c.handler {
                    Handler::Catch(token) => token,
                    Handler::Filter(f) => start(f)?,
                    Handler::Finally | Handler::Fault => c.unused_slot,
                };
                Ok(RawClause {
                    flags: c.flags(),
                    try_offset,
                    try_length: try_end - try_offset,
                    handler_offset,
                    handler_length: handler_end - handler_offset,
                    data,
                })
            })
            .collect()
    }
}
