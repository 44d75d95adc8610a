//! Instructions with identity: branch, switch and exception-clause
//! references name instructions ([`Label`]s), never byte offsets, so edits
//! cannot leave a stale offset behind (prior-art §1.6, §2(c)); offsets exist
//! only while encoding.

use super::opcodes::{OpCode, OperandKind};

/// Identity of an instruction inside one [`super::MethodBody`]. A label stays
/// valid across every edit; it names the instruction, wherever it ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(pub(crate) u32);

impl Label {
    /// Index of the instruction in the body's arena.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The inline operand of an instruction.
///
/// Floating-point immediates are kept as raw bits so that every NaN payload
/// survives a round trip.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// No operand.
    None,
    /// Argument or local index (`ShortInlineVar` must fit in a byte).
    Var(u16),
    /// `int8` immediate (also the byte of `unaligned.` and `no.`).
    Int8(i8),
    /// `int32` immediate.
    Int32(i32),
    /// `int64` immediate.
    Int64(i64),
    /// `float32` immediate, as bits.
    Float32(u32),
    /// `float64` immediate, as bits.
    Float64(u64),
    /// Metadata token.
    Token(u32),
    /// Branch target.
    Target(Label),
    /// `switch` targets, in table order.
    Switch(Vec<Label>),
}

/// One CIL instruction: opcode plus operand.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instruction {
    /// The opcode. For branches this is the *current* form (short or long);
    /// the encoder widens short branches that do not fit.
    pub opcode: OpCode,
    /// The operand; must match [`OpCode::operand_kind`].
    pub operand: Operand,
}

impl Instruction {
    /// An instruction without operand.
    pub fn simple(opcode: OpCode) -> Self {
        Instruction {
            opcode,
            operand: Operand::None,
        }
    }

    /// An instruction with a metadata-token operand (`call`, `box`, `ldstr`, …).
    pub fn token(opcode: OpCode, token: u32) -> Self {
        Instruction {
            opcode,
            operand: Operand::Token(token),
        }
    }

    /// A branch (`br`, `leave`, `brfalse.s`, …) to `target`.
    pub fn branch(opcode: OpCode, target: Label) -> Self {
        Instruction {
            opcode,
            operand: Operand::Target(target),
        }
    }

    /// `switch` over `targets`.
    pub fn switch(targets: Vec<Label>) -> Self {
        Instruction {
            opcode: OpCode::Switch,
            operand: Operand::Switch(targets),
        }
    }

    /// `ldc.i4 value` in its 5-byte form (the wrapper always uses it for
    /// indexes and flags, reference-profiler §5.7).
    pub fn ldc_i4(value: i32) -> Self {
        Instruction {
            opcode: OpCode::Ldc_I4,
            operand: Operand::Int32(value),
        }
    }

    /// `ldc.i8 value`.
    pub fn ldc_i8(value: i64) -> Self {
        Instruction {
            opcode: OpCode::Ldc_I8,
            operand: Operand::Int64(value),
        }
    }

    /// The shortest `ldarg` for `index` (`ldarg.0`–`ldarg.3`, `ldarg.s`, `ldarg`).
    pub fn ldarg(index: u16) -> Self {
        Self::short_var(
            index,
            [
                OpCode::Ldarg_0,
                OpCode::Ldarg_1,
                OpCode::Ldarg_2,
                OpCode::Ldarg_3,
            ],
            OpCode::Ldarg_S,
            OpCode::Ldarg,
        )
    }

    /// The shortest `ldloc` for `index`.
    pub fn ldloc(index: u16) -> Self {
        Self::short_var(
            index,
            [
                OpCode::Ldloc_0,
                OpCode::Ldloc_1,
                OpCode::Ldloc_2,
                OpCode::Ldloc_3,
            ],
            OpCode::Ldloc_S,
            OpCode::Ldloc,
        )
    }

    /// The shortest `stloc` for `index`.
    pub fn stloc(index: u16) -> Self {
        Self::short_var(
            index,
            [
                OpCode::Stloc_0,
                OpCode::Stloc_1,
                OpCode::Stloc_2,
                OpCode::Stloc_3,
            ],
            OpCode::Stloc_S,
            OpCode::Stloc,
        )
    }

    fn short_var(index: u16, macros: [OpCode; 4], short: OpCode, long: OpCode) -> Self {
        match macros.get(usize::from(index)) {
            Some(&op) => Instruction::simple(op),
            None if index <= 0xFF => Instruction {
                opcode: short,
                operand: Operand::Var(index),
            },
            None => Instruction {
                opcode: long,
                operand: Operand::Var(index),
            },
        }
    }

    /// Whether the operand agrees with the opcode's operand kind.
    pub fn operand_matches(&self) -> bool {
        match (self.opcode.operand_kind(), &self.operand) {
            (OperandKind::None, Operand::None) => true,
            (OperandKind::ShortVar, Operand::Var(v)) => *v <= 0xFF,
            (OperandKind::Var, Operand::Var(_)) => true,
            (OperandKind::ShortI, Operand::Int8(_)) => true,
            (OperandKind::I, Operand::Int32(_)) => true,
            (OperandKind::I8, Operand::Int64(_)) => true,
            (OperandKind::ShortR, Operand::Float32(_)) => true,
            (OperandKind::R, Operand::Float64(_)) => true,
            (kind, Operand::Token(_)) => kind.is_token(),
            (OperandKind::ShortBrTarget | OperandKind::BrTarget, Operand::Target(_)) => true,
            (OperandKind::Switch, Operand::Switch(_)) => true,
            _ => false,
        }
    }

    /// Encoded size in bytes for the current opcode form.
    pub fn size(&self) -> usize {
        let fixed = self.opcode.opcode_size() + self.opcode.operand_kind().size();
        match &self.operand {
            Operand::Switch(targets) => fixed + 4 * targets.len(),
            _ => fixed,
        }
    }

    /// Labels this instruction may transfer control to (not counting fall-through).
    pub fn targets(&self) -> &[Label] {
        match &self.operand {
            Operand::Target(label) => std::slice::from_ref(label),
            Operand::Switch(labels) => labels,
            _ => &[],
        }
    }

    /// Mutable access to the targets.
    pub fn targets_mut(&mut self) -> &mut [Label] {
        match &mut self.operand {
            Operand::Target(label) => std::slice::from_mut(label),
            Operand::Switch(labels) => labels,
            _ => &mut [],
        }
    }
}
