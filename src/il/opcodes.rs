//! The complete CIL opcode table (ECMA-335 Partition III; the runtime's
//! `opcode.def`): encoding, mnemonic, operand kind, stack behaviour and flow
//! control of every one- and two-byte instruction.
//!
//! One row per opcode feeds a macro that generates the [`OpCode`] enum, its
//! properties and the byte → opcode lookup tables, so the facts live in exactly
//! one place. Stack counts are in *stack slots* (what max-stack accounting
//! needs), not in types. The `unused`/`prefixN` slots of `opcode.def` are left
//! out: decoding them is an error ([`crate::il::IlError::UnknownOpcode`]).
//! `no.` (`FE 19`) is included as ECMA-335 III.2.2 defines it even though the
//! CoreCLR table lists the slot as unused; the runtime-internal `FE 08` is not.

/// Kind of the inline operand that follows an opcode (ECMA-335 III.1.9;
/// `opcode.def` column "Operand Params").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandKind {
    /// No operand.
    None,
    /// `unsigned int8` argument or local index (`ldarg.s`, `ldloc.s`, …).
    ShortVar,
    /// `unsigned int16` argument or local index (`ldarg`, `ldloc`, …).
    Var,
    /// `int8` immediate (`ldc.i4.s`; also the byte operand of `unaligned.`/`no.`).
    ShortI,
    /// `int32` immediate.
    I,
    /// `int64` immediate.
    I8,
    /// `float32` immediate.
    ShortR,
    /// `float64` immediate.
    R,
    /// MethodDef / MemberRef / MethodSpec token.
    Method,
    /// FieldDef / MemberRef token.
    Field,
    /// TypeDef / TypeRef / TypeSpec token.
    Type,
    /// Any metadata token (`ldtoken`).
    Tok,
    /// User-string token (`ldstr`).
    String,
    /// StandAloneSig token (`calli`).
    Sig,
    /// `int8` branch displacement.
    ShortBrTarget,
    /// `int32` branch displacement.
    BrTarget,
    /// `unsigned int32` count followed by that many `int32` displacements.
    Switch,
}

impl OperandKind {
    /// Encoded size of the operand in bytes; `switch` reports its fixed part
    /// (the count) only.
    pub const fn size(self) -> usize {
        match self {
            OperandKind::None => 0,
            OperandKind::ShortVar | OperandKind::ShortI | OperandKind::ShortBrTarget => 1,
            OperandKind::Var => 2,
            OperandKind::I8 | OperandKind::R => 8,
            OperandKind::I
            | OperandKind::ShortR
            | OperandKind::Method
            | OperandKind::Field
            | OperandKind::Type
            | OperandKind::Tok
            | OperandKind::String
            | OperandKind::Sig
            | OperandKind::BrTarget
            | OperandKind::Switch => 4,
        }
    }

    /// Whether the operand is a metadata token.
    pub const fn is_token(self) -> bool {
        matches!(
            self,
            OperandKind::Method
                | OperandKind::Field
                | OperandKind::Type
                | OperandKind::Tok
                | OperandKind::String
                | OperandKind::Sig
        )
    }
}

/// Number of stack slots an instruction pops or pushes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StackCount {
    /// A fixed number of slots.
    Fixed(u8),
    /// Depends on a signature (`call`, `callvirt`, `calli`, `newobj`, `ret`).
    Variable,
}

/// Control-flow class of an instruction (`opcode.def` last column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowControl {
    /// Falls through to the next instruction.
    Next,
    /// `break`: falls through.
    Break,
    /// Calls (falls through), including `jmp` which `opcode.def` classes as a call.
    Call,
    /// `ret`, `endfinally`, `endfilter`: leaves the method or handler.
    Return,
    /// Unconditional branch (`br`, `leave`).
    Branch,
    /// Conditional branch or `switch`: target(s) plus fall through.
    CondBranch,
    /// `throw`, `rethrow`.
    Throw,
    /// Prefix: modifies the following instruction.
    Meta,
}

macro_rules! stack {
    (V) => {
        StackCount::Variable
    };
    ($n:literal) => {
        StackCount::Fixed($n)
    };
}

macro_rules! opcodes {
    ($( $variant:ident = $code:literal, $name:literal, $operand:ident, $pop:tt, $push:tt, $flow:ident; )*) => {
        /// A CIL opcode. The discriminant is the encoding: one-byte opcodes
        /// are `0x00..=0xE0`, two-byte opcodes are `0xFE00 | second byte`.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum OpCode { $(
            #[doc = concat!("`", $name, "`")]
            $variant = $code,
        )* }

        impl OpCode {
            /// Every opcode, in encoding order.
            pub const ALL: &'static [OpCode] = &[$(OpCode::$variant,)*];

            const fn row(self) -> OpInfo {
                match self { $(OpCode::$variant => OpInfo {
                    name: $name,
                    operand: OperandKind::$operand,
                    pops: stack!($pop),
                    pushes: stack!($push),
                    flow: FlowControl::$flow,
                },)* }
            }
        }
    };
}

/// Static facts about one opcode.
#[derive(Clone, Copy, Debug)]
struct OpInfo {
    name: &'static str,
    operand: OperandKind,
    pops: StackCount,
    pushes: StackCount,
    flow: FlowControl,
}

const INFO_SLOTS: usize = 0x120;

const NOP_INFO: OpInfo = OpInfo {
    name: "nop",
    operand: OperandKind::None,
    pops: StackCount::Fixed(0),
    pushes: StackCount::Fixed(0),
    flow: FlowControl::Next,
};

/// Dense table: one-byte opcodes at their byte, two-byte ones at 0x100 + second byte.
static INFO: [OpInfo; INFO_SLOTS] = {
    let mut table = [NOP_INFO; INFO_SLOTS];
    let mut i = 0;
    while i < OpCode::ALL.len() {
        let op = OpCode::ALL[i];
        table[op.slot()] = op.row();
        i += 1;
    }
    table
};

impl OpCode {
    const fn slot(self) -> usize {
        let code = self as u16;
        if code > 0xFF {
            0x100 + (code & 0xFF) as usize
        } else {
            code as usize
        }
    }

    #[inline]
    fn info(self) -> &'static OpInfo {
        // Every opcode has a slot below INFO_SLOTS by construction.
        INFO.get(self.slot()).unwrap_or(&NOP_INFO)
    }

    /// ILDASM mnemonic (`ldarg.0`, `constrained.`, …).
    #[inline]
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Kind of the inline operand.
    #[inline]
    pub fn operand_kind(self) -> OperandKind {
        self.info().operand
    }

    /// Stack slots popped.
    #[inline]
    pub fn pops(self) -> StackCount {
        self.info().pops
    }

    /// Stack slots pushed.
    #[inline]
    pub fn pushes(self) -> StackCount {
        self.info().pushes
    }

    /// Control-flow class.
    #[inline]
    pub fn flow(self) -> FlowControl {
        self.info().flow
    }
}

opcodes! {
    Nop = 0x00, "nop", None, 0, 0, Next;
    Break = 0x01, "break", None, 0, 0, Break;
    Ldarg_0 = 0x02, "ldarg.0", None, 0, 1, Next;
    Ldarg_1 = 0x03, "ldarg.1", None, 0, 1, Next;
    Ldarg_2 = 0x04, "ldarg.2", None, 0, 1, Next;
    Ldarg_3 = 0x05, "ldarg.3", None, 0, 1, Next;
    Ldloc_0 = 0x06, "ldloc.0", None, 0, 1, Next;
    Ldloc_1 = 0x07, "ldloc.1", None, 0, 1, Next;
    Ldloc_2 = 0x08, "ldloc.2", None, 0, 1, Next;
    Ldloc_3 = 0x09, "ldloc.3", None, 0, 1, Next;
    Stloc_0 = 0x0A, "stloc.0", None, 1, 0, Next;
    Stloc_1 = 0x0B, "stloc.1", None, 1, 0, Next;
    Stloc_2 = 0x0C, "stloc.2", None, 1, 0, Next;
    Stloc_3 = 0x0D, "stloc.3", None, 1, 0, Next;
    Ldarg_S = 0x0E, "ldarg.s", ShortVar, 0, 1, Next;
    Ldarga_S = 0x0F, "ldarga.s", ShortVar, 0, 1, Next;
    Starg_S = 0x10, "starg.s", ShortVar, 1, 0, Next;
    Ldloc_S = 0x11, "ldloc.s", ShortVar, 0, 1, Next;
    Ldloca_S = 0x12, "ldloca.s", ShortVar, 0, 1, Next;
    Stloc_S = 0x13, "stloc.s", ShortVar, 1, 0, Next;
    Ldnull = 0x14, "ldnull", None, 0, 1, Next;
    Ldc_I4_M1 = 0x15, "ldc.i4.m1", None, 0, 1, Next;
    Ldc_I4_0 = 0x16, "ldc.i4.0", None, 0, 1, Next;
    Ldc_I4_1 = 0x17, "ldc.i4.1", None, 0, 1, Next;
    Ldc_I4_2 = 0x18, "ldc.i4.2", None, 0, 1, Next;
    Ldc_I4_3 = 0x19, "ldc.i4.3", None, 0, 1, Next;
    Ldc_I4_4 = 0x1A, "ldc.i4.4", None, 0, 1, Next;
    Ldc_I4_5 = 0x1B, "ldc.i4.5", None, 0, 1, Next;
    Ldc_I4_6 = 0x1C, "ldc.i4.6", None, 0, 1, Next;
    Ldc_I4_7 = 0x1D, "ldc.i4.7", None, 0, 1, Next;
    Ldc_I4_8 = 0x1E, "ldc.i4.8", None, 0, 1, Next;
    Ldc_I4_S = 0x1F, "ldc.i4.s", ShortI, 0, 1, Next;
    Ldc_I4 = 0x20, "ldc.i4", I, 0, 1, Next;
    Ldc_I8 = 0x21, "ldc.i8", I8, 0, 1, Next;
    Ldc_R4 = 0x22, "ldc.r4", ShortR, 0, 1, Next;
    Ldc_R8 = 0x23, "ldc.r8", R, 0, 1, Next;
    Dup = 0x25, "dup", None, 1, 2, Next;
    Pop = 0x26, "pop", None, 1, 0, Next;
    Jmp = 0x27, "jmp", Method, 0, 0, Call;
    Call = 0x28, "call", Method, V, V, Call;
    Calli = 0x29, "calli", Sig, V, V, Call;
    Ret = 0x2A, "ret", None, V, 0, Return;
    Br_S = 0x2B, "br.s", ShortBrTarget, 0, 0, Branch;
    Brfalse_S = 0x2C, "brfalse.s", ShortBrTarget, 1, 0, CondBranch;
    Brtrue_S = 0x2D, "brtrue.s", ShortBrTarget, 1, 0, CondBranch;
    Beq_S = 0x2E, "beq.s", ShortBrTarget, 2, 0, CondBranch;
    Bge_S = 0x2F, "bge.s", ShortBrTarget, 2, 0, CondBranch;
    Bgt_S = 0x30, "bgt.s", ShortBrTarget, 2, 0, CondBranch;
    Ble_S = 0x31, "ble.s", ShortBrTarget, 2, 0, CondBranch;
    Blt_S = 0x32, "blt.s", ShortBrTarget, 2, 0, CondBranch;
    Bne_Un_S = 0x33, "bne.un.s", ShortBrTarget, 2, 0, CondBranch;
    Bge_Un_S = 0x34, "bge.un.s", ShortBrTarget, 2, 0, CondBranch;
    Bgt_Un_S = 0x35, "bgt.un.s", ShortBrTarget, 2, 0, CondBranch;
    Ble_Un_S = 0x36, "ble.un.s", ShortBrTarget, 2, 0, CondBranch;
    Blt_Un_S = 0x37, "blt.un.s", ShortBrTarget, 2, 0, CondBranch;
    Br = 0x38, "br", BrTarget, 0, 0, Branch;
    Brfalse = 0x39, "brfalse", BrTarget, 1, 0, CondBranch;
    Brtrue = 0x3A, "brtrue", BrTarget, 1, 0, CondBranch;
    Beq = 0x3B, "beq", BrTarget, 2, 0, CondBranch;
    Bge = 0x3C, "bge", BrTarget, 2, 0, CondBranch;
    Bgt = 0x3D, "bgt", BrTarget, 2, 0, CondBranch;
    Ble = 0x3E, "ble", BrTarget, 2, 0, CondBranch;
    Blt = 0x3F, "blt", BrTarget, 2, 0, CondBranch;
    Bne_Un = 0x40, "bne.un", BrTarget, 2, 0, CondBranch;
    Bge_Un = 0x41, "bge.un", BrTarget, 2, 0, CondBranch;
    Bgt_Un = 0x42, "bgt.un", BrTarget, 2, 0, CondBranch;
    Ble_Un = 0x43, "ble.un", BrTarget, 2, 0, CondBranch;
    Blt_Un = 0x44, "blt.un", BrTarget, 2, 0, CondBranch;
    Switch = 0x45, "switch", Switch, 1, 0, CondBranch;
    Ldind_I1 = 0x46, "ldind.i1", None, 1, 1, Next;
    Ldind_U1 = 0x47, "ldind.u1", None, 1, 1, Next;
    Ldind_I2 = 0x48, "ldind.i2", None, 1, 1, Next;
    Ldind_U2 = 0x49, "ldind.u2", None, 1, 1, Next;
    Ldind_I4 = 0x4A, "ldind.i4", None, 1, 1, Next;
    Ldind_U4 = 0x4B, "ldind.u4", None, 1, 1, Next;
    Ldind_I8 = 0x4C, "ldind.i8", None, 1, 1, Next;
    Ldind_I = 0x4D, "ldind.i", None, 1, 1, Next;
    Ldind_R4 = 0x4E, "ldind.r4", None, 1, 1, Next;
    Ldind_R8 = 0x4F, "ldind.r8", None, 1, 1, Next;
    Ldind_Ref = 0x50, "ldind.ref", None, 1, 1, Next;
    Stind_Ref = 0x51, "stind.ref", None, 2, 0, Next;
    Stind_I1 = 0x52, "stind.i1", None, 2, 0, Next;
    Stind_I2 = 0x53, "stind.i2", None, 2, 0, Next;
    Stind_I4 = 0x54, "stind.i4", None, 2, 0, Next;
    Stind_I8 = 0x55, "stind.i8", None, 2, 0, Next;
    Stind_R4 = 0x56, "stind.r4", None, 2, 0, Next;
    Stind_R8 = 0x57, "stind.r8", None, 2, 0, Next;
    Add = 0x58, "add", None, 2, 1, Next;
    Sub = 0x59, "sub", None, 2, 1, Next;
    Mul = 0x5A, "mul", None, 2, 1, Next;
    Div = 0x5B, "div", None, 2, 1, Next;
    Div_Un = 0x5C, "div.un", None, 2, 1, Next;
    Rem = 0x5D, "rem", None, 2, 1, Next;
    Rem_Un = 0x5E, "rem.un", None, 2, 1, Next;
    And = 0x5F, "and", None, 2, 1, Next;
    Or = 0x60, "or", None, 2, 1, Next;
    Xor = 0x61, "xor", None, 2, 1, Next;
    Shl = 0x62, "shl", None, 2, 1, Next;
    Shr = 0x63, "shr", None, 2, 1, Next;
    Shr_Un = 0x64, "shr.un", None, 2, 1, Next;
    Neg = 0x65, "neg", None, 1, 1, Next;
    Not = 0x66, "not", None, 1, 1, Next;
    Conv_I1 = 0x67, "conv.i1", None, 1, 1, Next;
    Conv_I2 = 0x68, "conv.i2", None, 1, 1, Next;
    Conv_I4 = 0x69, "conv.i4", None, 1, 1, Next;
    Conv_I8 = 0x6A, "conv.i8", None, 1, 1, Next;
    Conv_R4 = 0x6B, "conv.r4", None, 1, 1, Next;
    Conv_R8 = 0x6C, "conv.r8", None, 1, 1, Next;
    Conv_U4 = 0x6D, "conv.u4", None, 1, 1, Next;
    Conv_U8 = 0x6E, "conv.u8", None, 1, 1, Next;
    Callvirt = 0x6F, "callvirt", Method, V, V, Call;
    Cpobj = 0x70, "cpobj", Type, 2, 0, Next;
    Ldobj = 0x71, "ldobj", Type, 1, 1, Next;
    Ldstr = 0x72, "ldstr", String, 0, 1, Next;
    Newobj = 0x73, "newobj", Method, V, 1, Call;
    Castclass = 0x74, "castclass", Type, 1, 1, Next;
    Isinst = 0x75, "isinst", Type, 1, 1, Next;
    Conv_R_Un = 0x76, "conv.r.un", None, 1, 1, Next;
    Unbox = 0x79, "unbox", Type, 1, 1, Next;
    Throw = 0x7A, "throw", None, 1, 0, Throw;
    Ldfld = 0x7B, "ldfld", Field, 1, 1, Next;
    Ldflda = 0x7C, "ldflda", Field, 1, 1, Next;
    Stfld = 0x7D, "stfld", Field, 2, 0, Next;
    Ldsfld = 0x7E, "ldsfld", Field, 0, 1, Next;
    Ldsflda = 0x7F, "ldsflda", Field, 0, 1, Next;
    Stsfld = 0x80, "stsfld", Field, 1, 0, Next;
    Stobj = 0x81, "stobj", Type, 2, 0, Next;
    Conv_Ovf_I1_Un = 0x82, "conv.ovf.i1.un", None, 1, 1, Next;
    Conv_Ovf_I2_Un = 0x83, "conv.ovf.i2.un", None, 1, 1, Next;
    Conv_Ovf_I4_Un = 0x84, "conv.ovf.i4.un", None, 1, 1, Next;
    Conv_Ovf_I8_Un = 0x85, "conv.ovf.i8.un", None, 1, 1, Next;
    Conv_Ovf_U1_Un = 0x86, "conv.ovf.u1.un", None, 1, 1, Next;
    Conv_Ovf_U2_Un = 0x87, "conv.ovf.u2.un", None, 1, 1, Next;
    Conv_Ovf_U4_Un = 0x88, "conv.ovf.u4.un", None, 1, 1, Next;
    Conv_Ovf_U8_Un = 0x89, "conv.ovf.u8.un", None, 1, 1, Next;
    Conv_Ovf_I_Un = 0x8A, "conv.ovf.i.un", None, 1, 1, Next;
    Conv_Ovf_U_Un = 0x8B, "conv.ovf.u.un", None, 1, 1, Next;
    Box = 0x8C, "box", Type, 1, 1, Next;
    Newarr = 0x8D, "newarr", Type, 1, 1, Next;
    Ldlen = 0x8E, "ldlen", None, 1, 1, Next;
    Ldelema = 0x8F, "ldelema", Type, 2, 1, Next;
    Ldelem_I1 = 0x90, "ldelem.i1", None, 2, 1, Next;
    Ldelem_U1 = 0x91, "ldelem.u1", None, 2, 1, Next;
    Ldelem_I2 = 0x92, "ldelem.i2", None, 2, 1, Next;
    Ldelem_U2 = 0x93, "ldelem.u2", None, 2, 1, Next;
    Ldelem_I4 = 0x94, "ldelem.i4", None, 2, 1, Next;
    Ldelem_U4 = 0x95, "ldelem.u4", None, 2, 1, Next;
    Ldelem_I8 = 0x96, "ldelem.i8", None, 2, 1, Next;
    Ldelem_I = 0x97, "ldelem.i", None, 2, 1, Next;
    Ldelem_R4 = 0x98, "ldelem.r4", None, 2, 1, Next;
    Ldelem_R8 = 0x99, "ldelem.r8", None, 2, 1, Next;
    Ldelem_Ref = 0x9A, "ldelem.ref", None, 2, 1, Next;
    Stelem_I = 0x9B, "stelem.i", None, 3, 0, Next;
    Stelem_I1 = 0x9C, "stelem.i1", None, 3, 0, Next;
    Stelem_I2 = 0x9D, "stelem.i2", None, 3, 0, Next;
    Stelem_I4 = 0x9E, "stelem.i4", None, 3, 0, Next;
    Stelem_I8 = 0x9F, "stelem.i8", None, 3, 0, Next;
    Stelem_R4 = 0xA0, "stelem.r4", None, 3, 0, Next;
    Stelem_R8 = 0xA1, "stelem.r8", None, 3, 0, Next;
    Stelem_Ref = 0xA2, "stelem.ref", None, 3, 0, Next;
    Ldelem = 0xA3, "ldelem", Type, 2, 1, Next;
    Stelem = 0xA4, "stelem", Type, 3, 0, Next;
    Unbox_Any = 0xA5, "unbox.any", Type, 1, 1, Next;
    Conv_Ovf_I1 = 0xB3, "conv.ovf.i1", None, 1, 1, Next;
    Conv_Ovf_U1 = 0xB4, "conv.ovf.u1", None, 1, 1, Next;
    Conv_Ovf_I2 = 0xB5, "conv.ovf.i2", None, 1, 1, Next;
    Conv_Ovf_U2 = 0xB6, "conv.ovf.u2", None, 1, 1, Next;
    Conv_Ovf_I4 = 0xB7, "conv.ovf.i4", None, 1, 1, Next;
    Conv_Ovf_U4 = 0xB8, "conv.ovf.u4", None, 1, 1, Next;
    Conv_Ovf_I8 = 0xB9, "conv.ovf.i8", None, 1, 1, Next;
    Conv_Ovf_U8 = 0xBA, "conv.ovf.u8", None, 1, 1, Next;
    Refanyval = 0xC2, "refanyval", Type, 1, 1, Next;
    Ckfinite = 0xC3, "ckfinite", None, 1, 1, Next;
    Mkrefany = 0xC6, "mkrefany", Type, 1, 1, Next;
    Ldtoken = 0xD0, "ldtoken", Tok, 0, 1, Next;
    Conv_U2 = 0xD1, "conv.u2", None, 1, 1, Next;
    Conv_U1 = 0xD2, "conv.u1", None, 1, 1, Next;
    Conv_I = 0xD3, "conv.i", None, 1, 1, Next;
    Conv_Ovf_I = 0xD4, "conv.ovf.i", None, 1, 1, Next;
    Conv_Ovf_U = 0xD5, "conv.ovf.u", None, 1, 1, Next;
    Add_Ovf = 0xD6, "add.ovf", None, 2, 1, Next;
    Add_Ovf_Un = 0xD7, "add.ovf.un", None, 2, 1, Next;
    Mul_Ovf = 0xD8, "mul.ovf", None, 2, 1, Next;
    Mul_Ovf_Un = 0xD9, "mul.ovf.un", None, 2, 1, Next;
    Sub_Ovf = 0xDA, "sub.ovf", None, 2, 1, Next;
    Sub_Ovf_Un = 0xDB, "sub.ovf.un", None, 2, 1, Next;
    Endfinally = 0xDC, "endfinally", None, 0, 0, Return;
    Leave = 0xDD, "leave", BrTarget, 0, 0, Branch;
    Leave_S = 0xDE, "leave.s", ShortBrTarget, 0, 0, Branch;
    Stind_I = 0xDF, "stind.i", None, 2, 0, Next;
    Conv_U = 0xE0, "conv.u", None, 1, 1, Next;
    Arglist = 0xFE00, "arglist", None, 0, 1, Next;
    Ceq = 0xFE01, "ceq", None, 2, 1, Next;
    Cgt = 0xFE02, "cgt", None, 2, 1, Next;
    Cgt_Un = 0xFE03, "cgt.un", None, 2, 1, Next;
    Clt = 0xFE04, "clt", None, 2, 1, Next;
    Clt_Un = 0xFE05, "clt.un", None, 2, 1, Next;
    Ldftn = 0xFE06, "ldftn", Method, 0, 1, Next;
    Ldvirtftn = 0xFE07, "ldvirtftn", Method, 1, 1, Next;
    Ldarg = 0xFE09, "ldarg", Var, 0, 1, Next;
    Ldarga = 0xFE0A, "ldarga", Var, 0, 1, Next;
    Starg = 0xFE0B, "starg", Var, 1, 0, Next;
    Ldloc = 0xFE0C, "ldloc", Var, 0, 1, Next;
    Ldloca = 0xFE0D, "ldloca", Var, 0, 1, Next;
    Stloc = 0xFE0E, "stloc", Var, 1, 0, Next;
    Localloc = 0xFE0F, "localloc", None, 1, 1, Next;
    Endfilter = 0xFE11, "endfilter", None, 1, 0, Return;
    Unaligned = 0xFE12, "unaligned.", ShortI, 0, 0, Meta;
    Volatile = 0xFE13, "volatile.", None, 0, 0, Meta;
    Tail = 0xFE14, "tail.", None, 0, 0, Meta;
    Initobj = 0xFE15, "initobj", Type, 1, 0, Next;
    Constrained = 0xFE16, "constrained.", Type, 0, 0, Meta;
    Cpblk = 0xFE17, "cpblk", None, 3, 0, Next;
    Initblk = 0xFE18, "initblk", None, 3, 0, Next;
    No = 0xFE19, "no.", ShortI, 0, 0, Meta;
    Rethrow = 0xFE1A, "rethrow", None, 0, 0, Throw;
    Sizeof = 0xFE1C, "sizeof", Type, 0, 1, Next;
    Refanytype = 0xFE1D, "refanytype", None, 1, 1, Next;
    Readonly = 0xFE1E, "readonly.", None, 0, 0, Meta;
}

/// Lead byte of every two-byte opcode (`STP1` in `opcode.def`).
pub const TWO_BYTE_PREFIX: u8 = 0xFE;

const fn build_table(two_byte: bool) -> [Option<OpCode>; 256] {
    let mut table = [None; 256];
    let mut i = 0;
    while i < OpCode::ALL.len() {
        let op = OpCode::ALL[i];
        let code = op as u16;
        let is_two = code > 0xFF;
        if is_two == two_byte {
            table[(code & 0xFF) as usize] = Some(op);
        }
        i += 1;
    }
    table
}

static ONE_BYTE: [Option<OpCode>; 256] = build_table(false);
static TWO_BYTE: [Option<OpCode>; 256] = build_table(true);

impl OpCode {
    /// The opcode encoded by a single byte, if any (`0xFE` is not one: it
    /// introduces a two-byte opcode).
    pub fn from_byte(byte: u8) -> Option<OpCode> {
        ONE_BYTE.get(usize::from(byte)).copied().flatten()
    }

    /// The opcode encoded as `0xFE byte`, if any.
    pub fn from_fe_byte(byte: u8) -> Option<OpCode> {
        TWO_BYTE.get(usize::from(byte)).copied().flatten()
    }

    /// Number of bytes of the opcode itself (1 or 2).
    pub const fn opcode_size(self) -> usize {
        if (self as u16) > 0xFF {
            2
        } else {
            1
        }
    }

    /// Whether this is a prefix (`constrained.`, `volatile.`, `unaligned.`,
    /// `tail.`, `readonly.`, `no.`): it must stay immediately before the
    /// instruction it modifies (prior-art §4.10).
    pub fn is_prefix(self) -> bool {
        matches!(self.flow(), FlowControl::Meta)
    }

    /// Whether the operand is a branch target (`br`, `leave`, conditional
    /// branches, short or long; not `switch`).
    pub fn is_branch(self) -> bool {
        matches!(
            self.operand_kind(),
            OperandKind::ShortBrTarget | OperandKind::BrTarget
        )
    }

    /// Whether control never falls through to the next instruction:
    /// unconditional branches, `leave`, `ret`, `endfinally`, `endfilter`,
    /// `throw`, `rethrow` and `jmp` (which ends the method, ECMA-335 III.3.37).
    pub fn ends_flow(self) -> bool {
        matches!(
            self.flow(),
            FlowControl::Branch | FlowControl::Return | FlowControl::Throw
        ) || matches!(self, OpCode::Jmp)
    }

    /// The long form of a short branch (`br.s` → `br`, `leave.s` → `leave`);
    /// other opcodes map to themselves.
    pub const fn long_form(self) -> OpCode {
        match self {
            OpCode::Br_S => OpCode::Br,
            OpCode::Brfalse_S => OpCode::Brfalse,
            OpCode::Brtrue_S => OpCode::Brtrue,
            OpCode::Beq_S => OpCode::Beq,
            OpCode::Bge_S => OpCode::Bge,
            OpCode::Bgt_S => OpCode::Bgt,
            OpCode::Ble_S => OpCode::Ble,
            OpCode::Blt_S => OpCode::Blt,
            OpCode::Bne_Un_S => OpCode::Bne_Un,
            OpCode::Bge_Un_S => OpCode::Bge_Un,
            OpCode::Bgt_Un_S => OpCode::Bgt_Un,
            OpCode::Ble_Un_S => OpCode::Ble_Un,
            OpCode::Blt_Un_S => OpCode::Blt_Un,
            OpCode::Leave_S => OpCode::Leave,
            other => other,
        }
    }

    /// The short form of a long branch (`br` → `br.s`, …); other opcodes map
    /// to themselves.
    pub const fn short_form(self) -> OpCode {
        match self {
            OpCode::Br => OpCode::Br_S,
            OpCode::Brfalse => OpCode::Brfalse_S,
            OpCode::Brtrue => OpCode::Brtrue_S,
            OpCode::Beq => OpCode::Beq_S,
            OpCode::Bge => OpCode::Bge_S,
            OpCode::Bgt => OpCode::Bgt_S,
            OpCode::Ble => OpCode::Ble_S,
            OpCode::Blt => OpCode::Blt_S,
            OpCode::Bne_Un => OpCode::Bne_Un_S,
            OpCode::Bge_Un => OpCode::Bge_Un_S,
            OpCode::Bgt_Un => OpCode::Bgt_Un_S,
            OpCode::Ble_Un => OpCode::Ble_Un_S,
            OpCode::Blt_Un => OpCode::Blt_Un_S,
            OpCode::Leave => OpCode::Leave_S,
            other => other,
        }
    }
}

impl std::fmt::Display for OpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_consistent() {
        // ECMA-335 Partition III lists 219 instructions (incl. prefixes); this
        // table has those plus `no.`.
        assert_eq!(OpCode::ALL.len(), 219);
        for &op in OpCode::ALL {
            let code = op as u16;
            let decoded = if code > 0xFF {
                OpCode::from_fe_byte((code & 0xFF) as u8)
            } else {
                OpCode::from_byte(code as u8)
            };
            assert_eq!(decoded, Some(op));
            assert_eq!(op.long_form().short_form().long_form(), op.long_form());
        }
        assert_eq!(OpCode::from_byte(0xFE), None);
        assert_eq!(OpCode::from_byte(0x24), None);
        assert_eq!(OpCode::from_fe_byte(0x08), None);
    }
}
