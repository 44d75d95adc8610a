//! The editing API the rewriter uses (reference-profiler §5.3–5.4): create
//! instructions, place them before/after others, replace, send every `ret`
//! to one exit, and wrap ranges in new protected regions. Branches and
//! clauses refer to labels, so offsets stay consistent without any fix-up;
//! the encoder lays everything out.
//!
//! Placement rules: instructions are first [`MethodBody::create`]d (which
//! gives their label, so forward branches can be built), then placed once.
//! An edit that would separate a prefix from the instruction it modifies is
//! refused (prior-art §4.10).

use super::body::MethodBody;
use super::eh::{ClauseSpan, ExceptionClause, Handler};
use super::error::{IlError, Result};
use super::instruction::{Instruction, Label};
use super::opcodes::OpCode;

/// The labels of a region added by [`MethodBody::wrap_range`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrappedRegion {
    /// The `leave` appended as the last instruction of the protected block.
    pub leave: Label,
    /// First instruction of the handler.
    pub handler_first: Label,
    /// Last instruction of the handler.
    pub handler_last: Label,
    /// The instruction after the handler where both paths continue.
    pub after: Label,
    /// Index of the new clause in [`MethodBody::clauses`].
    pub clause_index: usize,
}

impl MethodBody {
    /// Adds an instruction to the body without placing it; returns its label.
    pub fn create(&mut self, instruction: Instruction) -> Label {
        let label = Label(self.arena.len() as u32);
        self.arena.push(instruction);
        self.placed.push(false);
        label
    }

    /// Creates and appends instructions at the end; returns their labels.
    pub fn append(&mut self, instructions: Vec<Instruction>) -> Result<Vec<Label>> {
        let labels: Vec<Label> = instructions.into_iter().map(|i| self.create(i)).collect();
        self.push_back(&labels)?;
        Ok(labels)
    }

    /// Places created instructions at the end of the code.
    pub fn push_back(&mut self, labels: &[Label]) -> Result<()> {
        if let Some(last) = self.last() {
            self.check_not_prefix(last)?;
        }
        self.check_unplaced(labels)?;
        self.order.extend_from_slice(labels);
        Ok(())
    }

    /// Places created instructions at the start of the code. Nothing refers
    /// to them yet, so branches to the old first instruction still go there.
    pub fn push_front(&mut self, labels: &[Label]) -> Result<()> {
        self.check_unplaced(labels)?;
        self.order.splice(0..0, labels.iter().copied());
        Ok(())
    }

    /// Places created instructions immediately before `at`. Branches and
    /// clause boundaries naming `at` keep naming it, so the new code is
    /// skipped by jumps to `at` and lies outside regions starting at `at`.
    pub fn insert_before(&mut self, at: Label, labels: &[Label]) -> Result<()> {
        let p = self.position_of(at)?;
        if let Some(&prev) = p.checked_sub(1).and_then(|q| self.order.get(q)) {
            self.check_not_prefix(prev)?;
        }
        self.check_unplaced(labels)?;
        self.order.splice(p..p, labels.iter().copied());
        Ok(())
    }

    /// Like [`MethodBody::insert_before`], but every branch, switch entry and
    /// clause start (try, handler, filter) that named `at` now names the
    /// first new instruction: the new code runs wherever `at` would have.
    pub fn insert_before_taking_references(&mut self, at: Label, labels: &[Label]) -> Result<()> {
        let Some(&first) = labels.first() else {
            return Ok(());
        };
        self.insert_before(at, labels)?;
        self.redirect_references(at, first);
        Ok(())
    }

    /// Places created instructions immediately after `at`, outside any block
    /// whose last instruction is `at`.
    pub fn insert_after(&mut self, at: Label, labels: &[Label]) -> Result<()> {
        let p = self.position_of(at)?;
        self.check_not_prefix(at)?;
        self.check_unplaced(labels)?;
        self.order.splice(p + 1..p + 1, labels.iter().copied());
        Ok(())
    }

    /// Replaces the instruction `at` names; references to `at` now reach the
    /// new instruction.
    pub fn replace(&mut self, at: Label, instruction: Instruction) -> Result<()> {
        let slot = self
            .arena
            .get_mut(at.index())
            .ok_or(IlError::UnknownLabel(at))?;
        *slot = instruction;
        Ok(())
    }

    /// Makes every branch/switch target and clause start naming `from` name
    /// `to` instead.
    pub fn redirect_references(&mut self, from: Label, to: Label) {
        for &l in &self.order {
            if let Some(instr) = self.arena.get_mut(l.index()) {
                for t in instr.targets_mut() {
                    if *t == from {
                        *t = to;
                    }
                }
            }
        }
        let mut touched = false;
        for c in &mut self.clauses {
            for slot in [&mut c.try_first, &mut c.handler_first] {
                if *slot == from {
                    *slot = to;
                    touched = true;
                }
            }
            if let Handler::Filter(f) = &mut c.handler {
                if *f == from {
                    *f = to;
                    touched = true;
                }
            }
        }
        if touched {
            self.shapes = None;
        }
    }

    /// Sends every `ret` to one common exit and returns the exit's label
    /// (reference-profiler §5.3). The final instruction, if it is a `ret`,
    /// becomes the exit `nop`; otherwise a `nop` exit is appended. Every
    /// other `ret` becomes `br.s exit` (widened by the encoder if needed).
    /// The return value, if any, is on the stack at the exit.
    pub fn retarget_returns(&mut self) -> Result<Label> {
        let pos = self.positions();
        let spans = self
            .clauses
            .iter()
            .map(|c| ClauseSpan::of(c, &pos))
            .collect::<Result<Vec<_>>>()?;
        let rets: Vec<(usize, Label)> = self
            .instructions()
            .enumerate()
            .filter(|(_, (_, i))| i.opcode == OpCode::Ret)
            .map(|(p, (l, _))| (p, l))
            .collect();
        for &(p, l) in &rets {
            let p = p as u32;
            let inside = |r: (u32, u32)| r.0 <= p && p <= r.1;
            if spans
                .iter()
                .any(|s| inside(s.try_) || inside(s.handler) || s.filter.is_some_and(inside))
            {
                return Err(IlError::ReturnInProtectedRegion(l));
            }
        }
        let exit = match self.last() {
            Some(last) if self.get(last).is_some_and(|i| i.opcode == OpCode::Ret) => {
                self.replace(last, Instruction::simple(OpCode::Nop))?;
                last
            }
            _ => {
                let l = self.create(Instruction::simple(OpCode::Nop));
                self.push_back(&[l])?;
                l
            }
        };
        for (_, l) in rets {
            if l != exit {
                self.replace(l, Instruction::branch(OpCode::Br_S, exit))?;
            }
        }
        Ok(exit)
    }

    /// Wraps the placed range `first..=last` in a new protected block with a
    /// `catch`, `finally` or `fault` handler: appends `leave after` as the
    /// block's last instruction, then the created `handler` instructions,
    /// then the created `after` instruction where execution continues.
    /// The handler code must end itself (`leave after`, `rethrow`,
    /// `endfinally`, …). The new clause is added after the existing ones;
    /// the encoder orders clauses inner-first when writing.
    pub fn wrap_range(
        &mut self,
        first: Label,
        last: Label,
        handler_kind: Handler,
        handler: &[Label],
        after: Label,
    ) -> Result<WrappedRegion> {
        if matches!(handler_kind, Handler::Filter(_)) {
            return Err(IlError::Unsupported(
                "wrap_range does not build filters; add the clause with add_clause",
            ));
        }
        let (Some(&handler_first), Some(&handler_last)) = (handler.first(), handler.last()) else {
            return Err(IlError::Unsupported("empty handler"));
        };
        if self.position_of(first)? > self.position_of(last)? {
            return Err(IlError::Unsupported("wrap_range: first comes after last"));
        }
        let leave = self.create(Instruction::branch(OpCode::Leave_S, after));
        let mut placed = Vec::with_capacity(handler.len() + 2);
        placed.push(leave);
        placed.extend_from_slice(handler);
        placed.push(after);
        self.insert_after(last, &placed)?;
        let clause_index = self.clauses.len();
        self.add_clause(ExceptionClause::new(
            handler_kind,
            first,
            leave,
            handler_first,
            handler_last,
        ));
        Ok(WrappedRegion {
            leave,
            handler_first,
            handler_last,
            after,
            clause_index,
        })
    }

    /// Wraps every placed instruction (see [`MethodBody::wrap_range`]).
    pub fn wrap_all(
        &mut self,
        handler_kind: Handler,
        handler: &[Label],
        after: Label,
    ) -> Result<WrappedRegion> {
        let (Some(first), Some(last)) = (self.first(), self.last()) else {
            return Err(IlError::Unsupported("wrap_all on an empty body"));
        };
        self.wrap_range(first, last, handler_kind, handler, after)
    }

    /// Adds an exception clause (after the existing ones).
    pub fn add_clause(&mut self, clause: ExceptionClause) {
        self.clauses_mut().push(clause);
    }

    /// Checks that every label names an unplaced instruction (each once) and
    /// marks them placed; on error nothing stays marked.
    fn check_unplaced(&mut self, labels: &[Label]) -> Result<()> {
        for (i, &l) in labels.iter().enumerate() {
            match self.placed.get_mut(l.index()) {
                Some(p) if !*p => *p = true,
                _ => {
                    for &m in labels.iter().take(i) {
                        if let Some(p) = self.placed.get_mut(m.index()) {
                            *p = false;
                        }
                    }
                    return Err(IlError::UnknownLabel(l));
                }
            }
        }
        Ok(())
    }

    fn check_not_prefix(&self, label: Label) -> Result<()> {
        match self.get(label) {
            Some(i) if i.opcode.is_prefix() => Err(IlError::SplitsPrefix(label)),
            Some(_) => Ok(()),
            None => Err(IlError::UnknownLabel(label)),
        }
    }
}
