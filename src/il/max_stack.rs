//! Max stack by simulating the evaluation stack over the instruction graph
//! (ECMA-335 III.1.7.4 and II.25.4.3 `MaxStack`), instead of the
//! "add the pushes of inserted code" guess of the reference rewriter
//! (prior-art §4.7).
//!
//! Calls need the callee's signature: a [`CallResolver`] supplies it. When a
//! token cannot be resolved, the call is assumed to pop nothing and push one
//! value. That can only over-estimate depths (never under-estimate), and a
//! join reached with a different depth keeps the first depth seen, so the
//! result stays an upper bound and the walk terminates; such bodies are
//! counted in [`StackReport::unresolved_calls`] /
//! [`StackReport::inconsistent_joins`].

use super::body::MethodBody;
use super::eh::Handler;
use super::error::{IlError, Result};
use super::instruction::Operand;
use super::opcodes::{OpCode, StackCount};

/// The stack-relevant shape of a callee signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallShape {
    /// Declared parameters (excluding an implicit `this`; for `EXPLICITTHIS`
    /// signatures the explicit `this` is one of them).
    pub params: u32,
    /// Whether an implicit `this` is passed (`HASTHIS` without `EXPLICITTHIS`).
    pub implicit_this: bool,
    /// Whether the return type is not `void`.
    pub returns_value: bool,
}

/// Resolves the signature behind a `call`/`callvirt`/`newobj` method token
/// or a `calli` StandAloneSig token.
pub trait CallResolver {
    /// The callee's shape, or `None` when unknown.
    fn call_shape(&self, token: u32) -> Option<CallShape>;
}

/// A resolver that knows nothing (every call uses the conservative fallback).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCallResolver;

impl CallResolver for NoCallResolver {
    fn call_shape(&self, _token: u32) -> Option<CallShape> {
        None
    }
}

/// Outcome of the stack simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StackReport {
    /// Highest depth reached, capped at `u16::MAX` (the header field's width).
    pub max_stack: u16,
    /// Highest depth reached, uncapped.
    pub max_depth: u32,
    /// Joins reached with a depth other than the one first recorded (0 for
    /// valid IL with fully resolved calls).
    pub inconsistent_joins: u32,
    /// Instructions that would pop more than the stack holds.
    pub underflows: u32,
    /// Calls whose token the resolver could not resolve.
    pub unresolved_calls: u32,
    /// Instructions reached from the entry point or a handler.
    pub reachable: u32,
}

const UNSEEN: u32 = u32::MAX;

impl MethodBody {
    /// Simulates the stack from the entry point and every handler/filter
    /// start (catch and filter blocks start with the exception object,
    /// ECMA-335 III.1.7.5; `finally`/`fault` with an empty stack).
    pub fn analyze_stack(&self, resolver: &dyn CallResolver) -> Result<StackReport> {
        let pos = self.positions();
        let n = self.order.len();
        let mut depth_at = vec![UNSEEN; n];
        let mut report = StackReport::default();
        let mut work: Vec<(usize, u32)> = Vec::new();
        if n > 0 {
            work.push((0, 0));
        }
        let at = |l: super::instruction::Label| -> Result<usize> {
            match pos.get(l.index()) {
                Some(&p) if p != u32::MAX => Ok(p as usize),
                _ => Err(IlError::UnknownLabel(l)),
            }
        };
        for c in &self.clauses {
            match c.handler {
                Handler::Catch(_) => work.push((at(c.handler_first)?, 1)),
                Handler::Filter(f) => {
                    work.push((at(f)?, 1));
                    work.push((at(c.handler_first)?, 1));
                }
                Handler::Finally | Handler::Fault => work.push((at(c.handler_first)?, 0)),
            }
        }
        let mut max: u32 = 0;
        while let Some((start, entry_depth)) = work.pop() {
            let mut p = start;
            let mut d = entry_depth;
            while let Some(seen) = depth_at.get_mut(p) {
                if *seen != UNSEEN {
                    if *seen != d {
                        report.inconsistent_joins += 1;
                    }
                    break;
                }
                *seen = d;
                report.reachable += 1;
                max = max.max(d);
                let Some(instr) = self.order.get(p).and_then(|l| self.arena.get(l.index())) else {
                    break;
                };
                let (pops, pushes) = effect(instr.opcode, &instr.operand, resolver, &mut report);
                if d < pops {
                    report.underflows += 1;
                    d = 0;
                } else {
                    d -= pops;
                }
                d = d.saturating_add(pushes);
                max = max.max(d);
                let leave = matches!(instr.opcode, OpCode::Leave | OpCode::Leave_S);
                for &t in instr.targets() {
                    work.push((at(t)?, if leave { 0 } else { d }));
                }
                if instr.opcode.ends_flow() {
                    break;
                }
                p += 1;
            }
        }
        report.max_depth = max;
        report.max_stack = u16::try_from(max).unwrap_or(u16::MAX);
        Ok(report)
    }

    /// The simulated max stack (see [`MethodBody::analyze_stack`]).
    pub fn compute_max_stack(&self, resolver: &dyn CallResolver) -> Result<u16> {
        Ok(self.analyze_stack(resolver)?.max_stack)
    }
}

/// Slots popped and pushed by one instruction.
fn effect(
    opcode: OpCode,
    operand: &Operand,
    resolver: &dyn CallResolver,
    report: &mut StackReport,
) -> (u32, u32) {
    let fixed = |c: StackCount| match c {
        StackCount::Fixed(n) => u32::from(n),
        StackCount::Variable => 0,
    };
    match opcode {
        OpCode::Call | OpCode::Callvirt | OpCode::Newobj | OpCode::Calli => {
            let shape = match operand {
                Operand::Token(t) => resolver.call_shape(*t),
                _ => None,
            };
            match shape {
                Some(s) => {
                    let this = u32::from(s.implicit_this);
                    match opcode {
                        OpCode::Newobj => (s.params, 1),
                        OpCode::Calli => (
                            s.params.saturating_add(this).saturating_add(1),
                            u32::from(s.returns_value),
                        ),
                        _ => (s.params.saturating_add(this), u32::from(s.returns_value)),
                    }
                }
                None => {
                    report.unresolved_calls += 1;
                    (0, 1)
                }
            }
        }
        // `ret` ends the path; what it pops does not matter for the maximum.
        OpCode::Ret => (0, 0),
        _ => (fixed(opcode.pops()), fixed(opcode.pushes())),
    }
}
