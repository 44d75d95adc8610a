//! Fingerprints of rewritten method bodies for the `rewrite` event
//! (docs/validation.md). The byte hash changes with every metadata token the
//! runtime hands out and with the FunctionID baked into the default wrapper
//! (reference-profiler §5.4 slot 10), both of which depend on the process and
//! on the order methods were rewritten in. The *shape* hash covers what the
//! profiler decides — opcodes, immediates, branch structure, exception
//! clauses, header flags — with each token reduced to its table (ECMA-335
//! II.22) and the FunctionID immediate zeroed, so equal decisions give equal
//! hashes across runs and across profilers.

use crate::il::{Handler, Instruction, Label, MethodBody, Operand};
use std::collections::HashMap;

/// FNV-1a 64-bit over raw bytes.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut hash = Fnv::default();
    hash.bytes(bytes);
    hash.finish()
}

/// FNV-1a 64-bit over the decoded shape of `body` (see the module comment);
/// `function_id` is the `ldc.i8` immediate to ignore (`None` for API
/// rewrites, which carry none). Falls back to [`fingerprint`] of the bytes
/// when the body does not decode (it always does for bodies we wrote).
pub fn shape_fingerprint(body: &[u8], function_id: Option<u64>) -> String {
    let Ok(decoded) = MethodBody::decode(body) else {
        return fingerprint(body);
    };
    let position: HashMap<Label, u32> = decoded
        .labels()
        .iter()
        .enumerate()
        .map(|(i, label)| (*label, i as u32))
        .collect();
    let at = |label: &Label| position.get(label).copied().unwrap_or(u32::MAX);
    let mut hash = Fnv::default();
    let header = &decoded.header;
    hash.u32(u32::from(header.flags));
    hash.u32(u32::from(header.max_stack));
    hash.u32(table(header.local_var_sig_token));
    for (_, instruction) in decoded.instructions() {
        hash_instruction(&mut hash, instruction, function_id, &at);
    }
    for clause in decoded.clauses() {
        match &clause.handler {
            Handler::Catch(token) => {
                hash.u32(0);
                hash.u32(table(*token));
            }
            Handler::Filter(start) => {
                hash.u32(1);
                hash.u32(at(start));
            }
            Handler::Finally => hash.u32(2),
            Handler::Fault => hash.u32(4),
        }
        for label in [
            &clause.try_first,
            &clause.try_last,
            &clause.handler_first,
            &clause.handler_last,
        ] {
            hash.u32(at(label));
        }
    }
    hash.finish()
}

fn hash_instruction(
    hash: &mut Fnv,
    instruction: &Instruction,
    function_id: Option<u64>,
    at: &dyn Fn(&Label) -> u32,
) {
    hash.u32(instruction.opcode as u32);
    match &instruction.operand {
        Operand::None => {}
        Operand::Var(v) => hash.u32(u32::from(*v)),
        Operand::Int8(v) => hash.u32(*v as u32),
        Operand::Int32(v) => hash.u32(*v as u32),
        Operand::Int64(v) => {
            let masked = function_id.is_some_and(|id| id == *v as u64);
            hash.u64(if masked { 0 } else { *v as u64 });
        }
        Operand::Float32(v) => hash.u32(*v),
        Operand::Float64(v) => hash.u64(*v),
        Operand::Token(t) => hash.u32(table(*t)),
        Operand::Target(label) => hash.u32(at(label)),
        Operand::Switch(labels) => {
            hash.u32(labels.len() as u32);
            for label in labels {
                hash.u32(at(label));
            }
        }
    }
}

/// The table byte of a metadata token (ECMA-335 II.24.2.6), row dropped.
fn table(token: u32) -> u32 {
    token & 0xFF00_0000
}

struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn finish(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny body: `ldstr <token>; ldc.i8 <id>; pop; pop; ret`.
    fn body(string_token: u32, id: u64) -> Vec<u8> {
        let mut code = vec![0x72];
        code.extend_from_slice(&string_token.to_le_bytes());
        code.push(0x21);
        code.extend_from_slice(&id.to_le_bytes());
        code.extend_from_slice(&[0x26, 0x26, 0x2a]);
        let mut bytes = vec![((code.len() as u8) << 2) | 0x02];
        bytes.extend_from_slice(&code);
        bytes
    }

    #[test]
    fn byte_fingerprint_is_fnv1a() {
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn shape_ignores_token_rows_and_the_function_id() {
        let a = body(0x7000_0001, 0x7f00_1234_5678);
        let b = body(0x7000_0042, 0x7f00_9999_0000);
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(
            shape_fingerprint(&a, Some(0x7f00_1234_5678)),
            shape_fingerprint(&b, Some(0x7f00_9999_0000))
        );
    }

    #[test]
    fn shape_sees_other_tables_and_other_immediates() {
        let a = body(0x7000_0001, 5);
        assert_ne!(
            shape_fingerprint(&a, None),
            shape_fingerprint(&body(0x0A00_0001, 5), None)
        );
        assert_ne!(
            shape_fingerprint(&a, None),
            shape_fingerprint(&body(0x7000_0001, 6), None)
        );
    }

    #[test]
    fn undecodable_bodies_fall_back_to_the_bytes() {
        assert_eq!(shape_fingerprint(&[0xFF], None), fingerprint(&[0xFF]));
    }
}
