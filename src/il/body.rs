//! The model of a method body (ECMA-335 II.25.4): header, instructions,
//! exception clauses and the remaining extra data sections.
//!
//! What the original bytes looked like (tiny or fat header, raw header flags,
//! max stack, branch forms, the split of clauses into small/fat sections) is
//! remembered, so an unedited body encodes back to the exact input bytes.
//! Edits go through [`super::edit`]; the layout is computed only by the
//! encoder (prior-art §1.6).

use super::eh::ExceptionClause;
use super::error::{IlError, Result};
use super::instruction::{Instruction, Label};
use super::opcodes::OpCode;

/// Header flag: more data sections follow the code (CorILMethod_MoreSects).
pub const FLAG_MORE_SECTS: u16 = 0x08;
/// Header flag: zero-initialise locals (CorILMethod_InitLocals).
pub const FLAG_INIT_LOCALS: u16 = 0x10;
/// Format bits of a fat header (CorILMethod_FatFormat).
pub const FLAG_FAT_FORMAT: u16 = 0x03;
/// Format bits of a tiny header (CorILMethod_TinyFormat).
pub const FLAG_TINY_FORMAT: u8 = 0x02;

/// Which header form a body had when decoded (or should get).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderForm {
    /// One byte: code size ≤ 63, max stack 8, no locals, no extra sections.
    Tiny,
    /// Twelve bytes (ECMA-335 II.25.4.3).
    Fat,
}

/// The method header fields (ECMA-335 II.25.4.2–3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Form of the header the body was decoded from. The encoder keeps a tiny
    /// header only while everything still fits one.
    pub form: HeaderForm,
    /// Raw fat-header flag bits (12 bits) other than the format and
    /// `MoreSects`, which the encoder derives. Includes `InitLocals` (0x10).
    pub flags: u16,
    /// Max stack as stored (8 for tiny headers). Not recomputed by the
    /// encoder: call [`MethodBody::compute_max_stack`] and set it.
    pub max_stack: u16,
    /// StandAloneSig token of the local variable signature, 0 for none.
    pub local_var_sig_token: u32,
}

impl Header {
    /// Whether locals are zero-initialised (`InitLocals`).
    pub fn init_locals(&self) -> bool {
        self.flags & FLAG_INIT_LOCALS != 0
    }

    /// Sets or clears `InitLocals`.
    pub fn set_init_locals(&mut self, on: bool) {
        if on {
            self.flags |= FLAG_INIT_LOCALS;
        } else {
            self.flags &= !FLAG_INIT_LOCALS;
        }
    }

    /// The header of a tiny method, as the runtime would see it.
    pub fn tiny() -> Self {
        Header {
            form: HeaderForm::Tiny,
            flags: 0,
            max_stack: 8,
            local_var_sig_token: 0,
        }
    }

    /// A fat header with the given flags, max stack and locals token.
    pub fn fat(flags: u16, max_stack: u16, local_var_sig_token: u32) -> Self {
        Header {
            form: HeaderForm::Fat,
            flags: flags & !(FLAG_FAT_FORMAT | FLAG_MORE_SECTS),
            max_stack,
            local_var_sig_token,
        }
    }
}

/// A data section that is not an exception table (e.g. `OptILTable`), kept
/// verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSection {
    /// Kind byte without `MoreSects` (includes `FatFormat`).
    pub kind: u8,
    /// Section data after the 4-byte section header.
    pub data: Vec<u8>,
    /// The 16 reserved bits of a small section header.
    pub reserved: u16,
}

/// How the decoded sections were laid out, for exact re-encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SectionShape {
    /// An exception table holding the next `count` clauses.
    Eh {
        /// Fat (24-byte clauses) or small (12-byte clauses).
        fat: bool,
        /// How many clauses.
        count: usize,
        /// Reserved bits of a small section header.
        reserved: u16,
    },
    /// The raw section with this index.
    Raw(usize),
}

/// A decoded (or built) method body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodBody {
    /// Header fields.
    pub header: Header,
    /// Instruction arena; a [`Label`] indexes it. Instructions created but not
    /// placed, or replaced, stay here.
    pub(crate) arena: Vec<Instruction>,
    /// Placed instructions, in code order.
    pub(crate) order: Vec<Label>,
    /// Whether each arena entry is placed in `order` (placement is checked
    /// on every edit without a scan).
    pub(crate) placed: Vec<bool>,
    /// Exception clauses in table order.
    pub(crate) clauses: Vec<ExceptionClause>,
    /// Non-EH data sections.
    pub(crate) raw_sections: Vec<RawSection>,
    /// Section layout of the original bytes; dropped when clauses are edited.
    pub(crate) shapes: Option<Vec<SectionShape>>,
    /// Bytes consumed by [`MethodBody::decode`].
    pub(crate) decoded_size: Option<usize>,
}

impl MethodBody {
    /// An empty body with the given header (for methods written from scratch,
    /// such as the helper methods of reference-profiler §5.5).
    pub fn new(header: Header) -> Self {
        MethodBody {
            header,
            arena: Vec::new(),
            order: Vec::new(),
            placed: Vec::new(),
            clauses: Vec::new(),
            raw_sections: Vec::new(),
            shapes: Some(Vec::new()),
            decoded_size: None,
        }
    }

    /// Number of bytes the decoded body occupied (header, code, sections),
    /// `None` for bodies not produced by decoding.
    pub fn decoded_size(&self) -> Option<usize> {
        self.decoded_size
    }

    /// Reserves room for `additional` more instructions (a rewriter that
    /// knows how much it will add avoids regrowing the arena).
    pub fn reserve(&mut self, additional: usize) {
        self.arena.reserve(additional);
        self.placed.reserve(additional);
        self.order.reserve(additional);
    }

    /// Number of placed instructions.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the body has no placed instruction.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Labels of the placed instructions in code order.
    pub fn labels(&self) -> &[Label] {
        &self.order
    }

    /// Placed instructions with their labels, in code order.
    pub fn instructions(&self) -> impl Iterator<Item = (Label, &Instruction)> + '_ {
        self.order
            .iter()
            .filter_map(move |&l| self.arena.get(l.index()).map(|i| (l, i)))
    }

    /// The instruction a label names (placed or not).
    pub fn get(&self, label: Label) -> Option<&Instruction> {
        self.arena.get(label.index())
    }

    /// Mutable access to an instruction. Changing an opcode to one with a
    /// different operand kind is caught by the encoder.
    pub fn get_mut(&mut self, label: Label) -> Option<&mut Instruction> {
        self.arena.get_mut(label.index())
    }

    /// First placed instruction.
    pub fn first(&self) -> Option<Label> {
        self.order.first().copied()
    }

    /// Last placed instruction.
    pub fn last(&self) -> Option<Label> {
        self.order.last().copied()
    }

    /// Exception clauses in table order.
    pub fn clauses(&self) -> &[ExceptionClause] {
        &self.clauses
    }

    /// Mutable access to the clauses; the encoder then chooses the section
    /// layout and order itself.
    pub fn clauses_mut(&mut self) -> &mut Vec<ExceptionClause> {
        self.shapes = None;
        &mut self.clauses
    }

    /// Non-EH extra data sections (rare; the reference profiler refuses
    /// bodies that have any, reference-profiler §5.7).
    pub fn raw_sections(&self) -> &[RawSection] {
        &self.raw_sections
    }

    /// How many placed instructions use `opcode`.
    pub fn count(&self, opcode: OpCode) -> usize {
        self.instructions()
            .filter(|(_, i)| i.opcode == opcode)
            .count()
    }

    /// Position of each label in the code order (`u32::MAX` when not placed).
    pub(crate) fn positions(&self) -> Vec<u32> {
        let mut pos = vec![u32::MAX; self.arena.len()];
        for (i, l) in self.order.iter().enumerate() {
            if let Some(slot) = pos.get_mut(l.index()) {
                *slot = i as u32;
            }
        }
        pos
    }

    /// Position of one label, as an error if not placed.
    pub(crate) fn position_of(&self, label: Label) -> Result<usize> {
        self.order
            .iter()
            .position(|&l| l == label)
            .ok_or(IlError::UnknownLabel(label))
    }
}
