//! Errors of the IL engine. Every malformed input is one of these values,
//! never a panic: the profiler runs inside the application's process and a
//! method that cannot be handled is simply left uninstrumented
//! (reference-profiler §5.1, §5.8).

use super::instruction::Label;
use super::opcodes::OpCode;

/// Result alias of the IL engine.
pub type Result<T, E = IlError> = std::result::Result<T, E>;

/// Everything that can go wrong reading, editing or writing IL and signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IlError {
    /// The input ended before a complete item could be read.
    #[error("unexpected end of data at offset {offset} while reading {what}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Byte offset where the read started.
        offset: usize,
    },
    /// The first byte is neither a tiny nor a fat method header (ECMA-335 II.25.4.1).
    #[error("invalid method header format byte 0x{0:02x}")]
    InvalidHeader(u8),
    /// A fat header whose size field is not 3 dwords (ECMA-335 II.25.4.3).
    #[error("unsupported fat header size {0} (dwords)")]
    UnsupportedHeaderSize(u8),
    /// An opcode byte sequence that is not in the opcode table.
    #[error("unknown opcode 0x{code:04x} at offset {offset}")]
    UnknownOpcode {
        /// Opcode bytes (two-byte opcodes as `0xFExx`).
        code: u16,
        /// Code offset.
        offset: usize,
    },
    /// A branch or switch target that is not the start of an instruction.
    #[error("branch target {target} of the instruction at offset {offset} is not an instruction boundary")]
    BadBranchTarget {
        /// Offset of the branching instruction.
        offset: usize,
        /// Target offset (may be negative or past the end).
        target: i64,
    },
    /// An exception clause boundary that is not an instruction boundary or
    /// an empty range.
    #[error(
        "exception clause {index}: {what} offset {offset} is not a valid instruction boundary"
    )]
    BadClauseBoundary {
        /// Clause index in table order.
        index: usize,
        /// Which boundary.
        what: &'static str,
        /// The offending offset.
        offset: u64,
    },
    /// Clause flags that name no known clause kind (ECMA-335 II.25.4.6).
    #[error("exception clause {index}: invalid flags 0x{flags:x}")]
    BadClauseFlags {
        /// Clause index.
        index: usize,
        /// Raw flags.
        flags: u32,
    },
    /// A data section with an impossible size.
    #[error("bad extra data section at offset {offset}: {reason}")]
    BadSection {
        /// Offset of the section header from the start of the body.
        offset: usize,
        /// Why.
        reason: &'static str,
    },
    /// A label that names no instruction of this body, or one not placed in
    /// the instruction order.
    #[error("label {0:?} does not name a placed instruction")]
    UnknownLabel(Label),
    /// An operand that does not match its opcode's operand kind.
    #[error("operand does not match opcode {0}")]
    OperandMismatch(OpCode),
    /// An edit would separate a prefix from the instruction it modifies
    /// (prior-art §4.10).
    #[error("edit at {0:?} would separate a prefix from its instruction")]
    SplitsPrefix(Label),
    /// A `ret` inside a protected region or handler cannot become a branch to
    /// a common exit (ECMA-335 III.3.56 forbids it anyway).
    #[error("ret at {0:?} is inside an exception-handling block")]
    ReturnInProtectedRegion(Label),
    /// A size or count exceeds what the format can encode.
    #[error("{what} too large: {value}")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
        /// The value.
        value: u64,
    },
    /// The original local count leaves no room for new locals (the reference
    /// profiler's message, reference-profiler §5.4).
    #[error("Extracted local count (0x{0:x}) is too big to add locals to (>= 0xfffe)")]
    LocalCountTooBig(u32),
    /// Appending would push the local count past 0xFFFE.
    #[error("Adding {added} locals to {original} exceeds the limit of 0xfffe locals")]
    LocalCountOverflow {
        /// Original count.
        original: u32,
        /// Number of locals to add.
        added: u32,
    },
    /// A local variable signature that does not start with `LOCAL_SIG` (0x07).
    #[error("not a local variable signature (first byte 0x{0:02x})")]
    NotLocalSig(u8),
    /// A value too large for ECMA-335 II.23.2 compression.
    #[error("value 0x{0:x} is too large to compress")]
    DataTooLargeToCompress(u64),
    /// A compressed TypeDefOrRefOrSpec token with the invalid tag 3, or a
    /// token of another table.
    #[error("invalid TypeDefOrRefOrSpec token 0x{0:08x}")]
    BadTypeToken(u32),
    /// An element type byte that cannot start a type here.
    #[error("Unhandled token encountered while parsing the type.  Token: 0x{0:02x}")]
    UnexpectedElementType(u8),
    /// A calling-convention byte of the wrong kind for the requested signature.
    #[error("unexpected calling convention 0x{0:02x} for a {1} signature")]
    UnexpectedCallingConvention(u8, &'static str),
    /// Type nesting deeper than the parser accepts (stack safety, prior-art §4.17).
    #[error("signature nesting too deep")]
    SignatureTooDeep,
    /// Bytes left after a complete signature.
    #[error("{0} trailing bytes after the signature")]
    TrailingBytes(usize),
    /// Rendering a TypeSpec class token is not supported (reference-profiler §8.1).
    #[error("TypeSpec parameters not supported.")]
    TypeSpecNotSupported,
    /// An operation the engine does not offer in this form.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The name resolver could not name a TypeDef/TypeRef token.
    #[error("cannot resolve the name of type token 0x{0:08x}")]
    UnresolvedTypeName(u32),
}
