//! Why a method could not be rewritten; each maps to the reference log
//! line the rewriter writes before leaving the method unmodified (§3.6, §5.8).

use super::tokens::TokenError;
use crate::il::IlError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RewriteError {
    /// The body or a signature could not be decoded or encoded.
    #[error("{0}")]
    Il(#[from] IlError),
    /// A token could not be found or defined.
    #[error("{0}")]
    Token(#[from] TokenError),
    /// A body the original's preprocessor rejects (§5.3): logged as
    /// `Skipping invalid method` after the reason.
    #[error("{0}")]
    InvalidMethod(&'static str),
    /// A method shape the wrapper cannot express (by-ref or pointer return,
    /// `tail.`-prefixed calls, `jmp`).
    #[error("{0}")]
    Unsupported(&'static str),
}
