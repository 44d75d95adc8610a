//! Exception-handling clauses and the extra data sections that carry them
//! (ECMA-335 II.25.4.5–6; reference-profiler §5.7; prior-art §4.9).
//!
//! In the model, clause boundaries are instruction labels: a block runs from
//! its first to its *last* instruction inclusive, so instructions inserted
//! right after a block stay outside it. Offsets appear only in [`RawClause`],
//! the on-disk form handled here.

use super::body::{RawSection, SectionShape};
use super::compressed::Reader;
use super::error::{IlError, Result};
use super::instruction::Label;

/// Section kind: exception table (CorILMethod_Sect_EHTable).
pub const SECT_EH_TABLE: u8 = 0x01;
/// Section kind mask (CorILMethod_Sect_KindMask).
pub const SECT_KIND_MASK: u8 = 0x3F;
/// Section flag: fat format (CorILMethod_Sect_FatFormat).
pub const SECT_FAT_FORMAT: u8 = 0x40;
/// Section flag: another section follows (CorILMethod_Sect_MoreSects).
pub const SECT_MORE_SECTS: u8 = 0x80;

/// Clause flag bits that select the clause kind.
const KIND_BITS: u32 = 0x7;
const FLAG_FILTER: u32 = 0x1;
const FLAG_FINALLY: u32 = 0x2;
const FLAG_FAULT: u32 = 0x4;

/// What handles exceptions of a protected block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Handler {
    /// Typed catch with the class token (TypeDef/TypeRef/TypeSpec).
    Catch(u32),
    /// Filter: the filter block starts at this label and runs up to the
    /// handler block.
    Filter(Label),
    /// `finally`.
    Finally,
    /// `fault`.
    Fault,
}

/// One exception clause with label boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExceptionClause {
    /// Kind of handler.
    pub handler: Handler,
    /// First instruction of the protected (`try`) block.
    pub try_first: Label,
    /// Last instruction of the protected block.
    pub try_last: Label,
    /// First instruction of the handler block.
    pub handler_first: Label,
    /// Last instruction of the handler block.
    pub handler_last: Label,
    /// Flag bits other than the kind (e.g. `COR_ILEXCEPTION_CLAUSE_DUPLICATED`),
    /// kept for exact round trips.
    pub extra_flags: u32,
    /// The ClassToken/FilterOffset slot of `finally`/`fault` clauses (normally 0).
    pub unused_slot: u32,
}

impl ExceptionClause {
    /// A new clause without extra flags.
    pub fn new(
        handler: Handler,
        try_first: Label,
        try_last: Label,
        handler_first: Label,
        handler_last: Label,
    ) -> Self {
        ExceptionClause {
            handler,
            try_first,
            try_last,
            handler_first,
            handler_last,
            extra_flags: 0,
            unused_slot: 0,
        }
    }

    /// The on-disk flags word.
    pub fn flags(&self) -> u32 {
        let kind = match self.handler {
            Handler::Catch(_) => 0,
            Handler::Filter(_) => FLAG_FILTER,
            Handler::Finally => FLAG_FINALLY,
            Handler::Fault => FLAG_FAULT,
        };
        kind | self.extra_flags
    }

    /// Every label the clause refers to.
    pub fn labels(&self) -> impl Iterator<Item = Label> {
        let filter = match self.handler {
            Handler::Filter(l) => Some(l),
            _ => None,
        };
        [
            self.try_first,
            self.try_last,
            self.handler_first,
            self.handler_last,
        ]
        .into_iter()
        .chain(filter)
    }
}

/// A clause as stored: offsets and lengths in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawClause {
    /// Flags word.
    pub flags: u32,
    /// Start of the protected block.
    pub try_offset: u32,
    /// Length of the protected block.
    pub try_length: u32,
    /// Start of the handler block.
    pub handler_offset: u32,
    /// Length of the handler block.
    pub handler_length: u32,
    /// Class token or filter offset.
    pub data: u32,
}

impl RawClause {
    fn fits_small(&self) -> bool {
        self.flags <= 0xFFFF
            && self.try_offset <= 0xFFFF
            && self.try_length <= 0xFF
            && self.handler_offset <= 0xFFFF
            && self.handler_length <= 0xFF
    }

    /// Kind bits, validated.
    pub(crate) fn kind_bits(&self, index: usize) -> Result<u32> {
        match self.flags & KIND_BITS {
            k @ (0 | FLAG_FILTER | FLAG_FINALLY | FLAG_FAULT) => Ok(k),
            _ => Err(IlError::BadClauseFlags {
                index,
                flags: self.flags,
            }),
        }
    }
}

/// Everything read from the extra data sections.
pub(crate) struct ParsedSections {
    pub clauses: Vec<RawClause>,
    pub raw: Vec<RawSection>,
    pub shapes: Vec<SectionShape>,
    /// Offset just past the last section.
    pub end: usize,
}

fn align4(offset: usize) -> usize {
    (offset + 3) & !3
}

/// Reads the chain of extra data sections starting at the first 4-byte
/// boundary at or after `code_end` (offsets relative to the body start,
/// which the runtime aligns to 4 bytes).
pub(crate) fn parse_sections(body: &[u8], code_end: usize) -> Result<ParsedSections> {
    let mut out = ParsedSections {
        clauses: Vec::new(),
        raw: Vec::new(),
        shapes: Vec::new(),
        end: code_end,
    };
    let mut start = align4(code_end);
    loop {
        let mut r = Reader::new(body.get(start..).unwrap_or(&[]));
        let kind = r.u8("section header").map_err(|_| IlError::Truncated {
            what: "section header",
            offset: start,
        })?;
        let fat = kind & SECT_FAT_FORMAT != 0;
        let (size, reserved) = if fat {
            let b = r.bytes(3, "section header")?;
            let size = b
                .iter()
                .rev()
                .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
            (size, 0)
        } else {
            let size = usize::from(r.u8("section header")?);
            (size, r.u16("section header")?)
        };
        let data_len = size.checked_sub(4).ok_or(IlError::BadSection {
            offset: start,
            reason: "data size smaller than the section header",
        })?;
        let data = r
            .bytes(data_len, "section data")
            .map_err(|_| IlError::Truncated {
                what: "section data",
                offset: start,
            })?;
        if kind & SECT_KIND_MASK == SECT_EH_TABLE {
            let clause_size = if fat { 24 } else { 12 };
            if data_len % clause_size != 0 {
                return Err(IlError::BadSection {
                    offset: start,
                    reason: "exception table size is not a whole number of clauses",
                });
            }
            let count = data_len / clause_size;
            let mut d = Reader::new(data);
            for _ in 0..count {
                out.clauses.push(read_clause(&mut d, fat)?);
            }
            out.shapes.push(SectionShape::Eh {
                fat,
                count,
                reserved,
            });
        } else {
            out.shapes.push(SectionShape::Raw(out.raw.len()));
            out.raw.push(RawSection {
                kind: kind & !SECT_MORE_SECTS,
                data: data.to_vec(),
                reserved,
            });
        }
        let end = start + size;
        out.end = end;
        if kind & SECT_MORE_SECTS == 0 {
            return Ok(out);
        }
        start = align4(end);
    }
}

fn read_clause(d: &mut Reader<'_>, fat: bool) -> Result<RawClause> {
    const W: &str = "exception clause";
    Ok(if fat {
        RawClause {
            flags: d.u32(W)?,
            try_offset: d.u32(W)?,
            try_length: d.u32(W)?,
            handler_offset: d.u32(W)?,
            handler_length: d.u32(W)?,
            data: d.u32(W)?,
        }
    } else {
        RawClause {
            flags: u32::from(d.u16(W)?),
            try_offset: u32::from(d.u16(W)?),
            try_length: u32::from(d.u8(W)?),
            handler_offset: u32::from(d.u16(W)?),
            handler_length: u32::from(d.u8(W)?),
            data: d.u32(W)?,
        }
    })
}

fn write_clause(out: &mut Vec<u8>, c: &RawClause, fat: bool) {
    if fat {
        for v in [
            c.flags,
            c.try_offset,
            c.try_length,
            c.handler_offset,
            c.handler_length,
            c.data,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    } else {
        out.extend_from_slice(&(c.flags as u16).to_le_bytes());
        out.extend_from_slice(&(c.try_offset as u16).to_le_bytes());
        out.push(c.try_length as u8);
        out.extend_from_slice(&(c.handler_offset as u16).to_le_bytes());
        out.push(c.handler_length as u8);
        out.extend_from_slice(&c.data.to_le_bytes());
    }
}

/// One section to write.
enum Planned<'a> {
    Eh {
        clauses: &'a [RawClause],
        fat: bool,
        reserved: u16,
    },
    Raw(&'a RawSection),
}

/// Appends the extra data sections after the code in `out` (which holds the
/// body from its first byte). With `shapes` the original split into sections
/// is reproduced, each section staying small only while all its clauses fit;
/// without, one exception table is written (small only when everything fits
/// and `force_fat` is off), followed by the raw sections.
pub(crate) fn write_sections(
    out: &mut Vec<u8>,
    clauses: &[RawClause],
    raw: &[RawSection],
    shapes: Option<&[SectionShape]>,
    force_fat: bool,
) -> Result<()> {
    let small_ok = |cs: &[RawClause]| {
        !force_fat && cs.len() * 12 + 4 <= 0xFF && cs.iter().all(RawClause::fits_small)
    };
    let mut plan: Vec<Planned<'_>> = Vec::new();
    match shapes {
        Some(shapes) => {
            let mut next = 0usize;
            for shape in shapes {
                match shape {
                    SectionShape::Eh {
                        fat,
                        count,
                        reserved,
                    } => {
                        let end = next.saturating_add(*count);
                        let slice = clauses.get(next..end).ok_or(IlError::BadSection {
                            offset: out.len(),
                            reason: "section layout does not match the clauses",
                        })?;
                        next = end;
                        plan.push(Planned::Eh {
                            clauses: slice,
                            fat: *fat || !small_ok(slice),
                            reserved: *reserved,
                        });
                    }
                    SectionShape::Raw(i) => {
                        let section = raw.get(*i).ok_or(IlError::BadSection {
                            offset: out.len(),
                            reason: "section layout names a missing raw section",
                        })?;
                        plan.push(Planned::Raw(section));
                    }
                }
            }
        }
        None => {
            if !clauses.is_empty() {
                plan.push(Planned::Eh {
                    clauses,
                    fat: !small_ok(clauses),
                    reserved: 0,
                });
            }
            plan.extend(raw.iter().map(Planned::Raw));
        }
    }
    let count = plan.len();
    for (i, section) in plan.into_iter().enumerate() {
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let more = if i + 1 < count { SECT_MORE_SECTS } else { 0 };
        match section {
            Planned::Eh {
                clauses,
                fat,
                reserved,
            } => {
                let size = clauses.len() * if fat { 24 } else { 12 } + 4;
                if fat {
                    if size > 0x00FF_FFFF {
                        return Err(IlError::TooLarge {
                            what: "exception table",
                            value: size as u64,
                        });
                    }
                    out.push(SECT_EH_TABLE | SECT_FAT_FORMAT | more);
                    out.extend_from_slice(&(size as u32).to_le_bytes()[..3]);
                } else {
                    out.push(SECT_EH_TABLE | more);
                    out.push(size as u8);
                    out.extend_from_slice(&reserved.to_le_bytes());
                }
                for c in clauses {
                    write_clause(out, c, fat);
                }
            }
            Planned::Raw(section) => {
                let size = section.data.len() + 4;
                if section.kind & SECT_FAT_FORMAT != 0 {
                    if size > 0x00FF_FFFF {
                        return Err(IlError::TooLarge {
                            what: "data section",
                            value: size as u64,
                        });
                    }
                    out.push(section.kind | more);
                    out.extend_from_slice(&(size as u32).to_le_bytes()[..3]);
                } else {
                    if size > 0xFF {
                        return Err(IlError::TooLarge {
                            what: "small data section",
                            value: size as u64,
                        });
                    }
                    out.push(section.kind | more);
                    out.push(size as u8);
                    out.extend_from_slice(&section.reserved.to_le_bytes());
                }
                out.extend_from_slice(&section.data);
            }
        }
    }
    Ok(())
}

/// Block extents of a clause as inclusive ranges of code positions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClauseSpan {
    pub try_: (u32, u32),
    pub handler: (u32, u32),
    pub filter: Option<(u32, u32)>,
}

impl ClauseSpan {
    pub(crate) fn of(c: &ExceptionClause, pos: &[u32]) -> Result<ClauseSpan> {
        let p = |l: Label| -> Result<u32> {
            match pos.get(l.index()) {
                Some(&p) if p != u32::MAX => Ok(p),
                _ => Err(IlError::UnknownLabel(l)),
            }
        };
        let filter = match c.handler {
            Handler::Filter(f) => Some((p(f)?, p(c.handler_first)?.saturating_sub(1))),
            _ => None,
        };
        Ok(ClauseSpan {
            try_: (p(c.try_first)?, p(c.try_last)?),
            handler: (p(c.handler_first)?, p(c.handler_last)?),
            filter,
        })
    }

    /// Whether this clause is nested inside `outer` (its protected block lies
    /// in `outer`'s try, filter or handler block; an identical try block is
    /// a sibling handler of the same try, not nesting).
    pub(crate) fn nested_in(&self, outer: &ClauseSpan) -> bool {
        let within = |inner: (u32, u32), o: (u32, u32)| o.0 <= inner.0 && inner.1 <= o.1;
        (within(self.try_, outer.try_) && self.try_ != outer.try_)
            || within(self.try_, outer.handler)
            || outer.filter.is_some_and(|f| within(self.try_, f))
    }
}

/// Order in which to write the clauses: the current order when it already
/// lists every nested clause before the clauses enclosing it (ECMA-335
/// II.19), otherwise a stable sort by decreasing nesting depth — a strict
/// weak order, unlike the pairwise comparator of prior-art §4.9.
pub(crate) fn write_order(spans: &[ClauseSpan]) -> Vec<usize> {
    let n = spans.len();
    let mut valid = true;
    'outer: for i in 0..n {
        for j in (i + 1)..n {
            if let (Some(a), Some(b)) = (spans.get(i), spans.get(j)) {
                if a.nested_in(b) {
                    continue;
                }
                if b.nested_in(a) {
                    valid = false;
                    break 'outer;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    if !valid {
        let depth: Vec<usize> = spans
            .iter()
            .map(|s| spans.iter().filter(|o| s.nested_in(o)).count())
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(depth.get(i).copied().unwrap_or(0)));
    }
    order
}
