//! The signature model (ECMA-335 II.23.2). Modifiers, `BYREF`, `PINNED` and
//! `SENTINEL` are kept where they occur so that every blob re-encodes to its
//! original bytes.

/// Element type bytes (ECMA-335 II.23.1.16; `CorElementType` in corhdr.h).
pub mod element {
    #![allow(missing_docs)]
    pub const END: u8 = 0x00;
    pub const VOID: u8 = 0x01;
    pub const BOOLEAN: u8 = 0x02;
    pub const CHAR: u8 = 0x03;
    pub const I1: u8 = 0x04;
    pub const U1: u8 = 0x05;
    pub const I2: u8 = 0x06;
    pub const U2: u8 = 0x07;
    pub const I4: u8 = 0x08;
    pub const U4: u8 = 0x09;
    pub const I8: u8 = 0x0A;
    pub const U8: u8 = 0x0B;
    pub const R4: u8 = 0x0C;
    pub const R8: u8 = 0x0D;
    pub const STRING: u8 = 0x0E;
    pub const PTR: u8 = 0x0F;
    pub const BYREF: u8 = 0x10;
    pub const VALUETYPE: u8 = 0x11;
    pub const CLASS: u8 = 0x12;
    pub const VAR: u8 = 0x13;
    pub const ARRAY: u8 = 0x14;
    pub const GENERICINST: u8 = 0x15;
    pub const TYPEDBYREF: u8 = 0x16;
    pub const I: u8 = 0x18;
    pub const U: u8 = 0x19;
    pub const FNPTR: u8 = 0x1B;
    pub const OBJECT: u8 = 0x1C;
    pub const SZARRAY: u8 = 0x1D;
    pub const MVAR: u8 = 0x1E;
    pub const CMOD_REQD: u8 = 0x1F;
    pub const CMOD_OPT: u8 = 0x20;
    pub const SENTINEL: u8 = 0x41;
    pub const PINNED: u8 = 0x45;
}

/// Calling-convention byte values and flags (ECMA-335 II.23.2.1–3).
pub mod conv {
    #![allow(missing_docs)]
    pub const DEFAULT: u8 = 0x00;
    pub const C: u8 = 0x01;
    pub const STDCALL: u8 = 0x02;
    pub const THISCALL: u8 = 0x03;
    pub const FASTCALL: u8 = 0x04;
    pub const VARARG: u8 = 0x05;
    pub const FIELD: u8 = 0x06;
    pub const LOCAL_SIG: u8 = 0x07;
    pub const PROPERTY: u8 = 0x08;
    pub const UNMANAGED: u8 = 0x09;
    pub const GENERIC_INST: u8 = 0x0A;
    pub const NATIVE_VARARG: u8 = 0x0B;
    pub const KIND_MASK: u8 = 0x0F;
    pub const GENERIC: u8 = 0x10;
    pub const HAS_THIS: u8 = 0x20;
    pub const EXPLICIT_THIS: u8 = 0x40;
}

/// A primitive element type (one byte, no operands).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `void` (returns, `void*`).
    Void,
    /// `bool`.
    Boolean,
    /// `char`.
    Char,
    /// `int8`.
    I1,
    /// `unsigned int8`.
    U1,
    /// `int16`.
    I2,
    /// `unsigned int16`.
    U2,
    /// `int32`.
    I4,
    /// `unsigned int32`.
    U4,
    /// `int64`.
    I8,
    /// `unsigned int64`.
    U8,
    /// `float32`.
    R4,
    /// `float64`.
    R8,
    /// `native int`.
    I,
    /// `native unsigned int`.
    U,
    /// `string`.
    String,
    /// `object`.
    Object,
    /// `typedref`.
    TypedByRef,
}

impl Primitive {
    /// The element type byte.
    pub fn byte(self) -> u8 {
        use element as e;
        match self {
            Primitive::Void => e::VOID,
            Primitive::Boolean => e::BOOLEAN,
            Primitive::Char => e::CHAR,
            Primitive::I1 => e::I1,
            Primitive::U1 => e::U1,
            Primitive::I2 => e::I2,
            Primitive::U2 => e::U2,
            Primitive::I4 => e::I4,
            Primitive::U4 => e::U4,
            Primitive::I8 => e::I8,
            Primitive::U8 => e::U8,
            Primitive::R4 => e::R4,
            Primitive::R8 => e::R8,
            Primitive::I => e::I,
            Primitive::U => e::U,
            Primitive::String => e::STRING,
            Primitive::Object => e::OBJECT,
            Primitive::TypedByRef => e::TYPEDBYREF,
        }
    }

    /// The primitive an element type byte names, if any.
    pub fn from_byte(b: u8) -> Option<Primitive> {
        use element as e;
        Some(match b {
            e::VOID => Primitive::Void,
            e::BOOLEAN => Primitive::Boolean,
            e::CHAR => Primitive::Char,
            e::I1 => Primitive::I1,
            e::U1 => Primitive::U1,
            e::I2 => Primitive::I2,
            e::U2 => Primitive::U2,
            e::I4 => Primitive::I4,
            e::U4 => Primitive::U4,
            e::I8 => Primitive::I8,
            e::U8 => Primitive::U8,
            e::R4 => Primitive::R4,
            e::R8 => Primitive::R8,
            e::I => Primitive::I,
            e::U => Primitive::U,
            e::STRING => Primitive::String,
            e::OBJECT => Primitive::Object,
            e::TYPEDBYREF => Primitive::TypedByRef,
            _ => return None,
        })
    }
}

/// Shape of a general array (ECMA-335 II.23.2.13).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArrayShape {
    /// Number of dimensions.
    pub rank: u32,
    /// Sizes of the leading dimensions.
    pub sizes: Vec<u32>,
    /// Lower bounds of the leading dimensions (signed).
    pub lower_bounds: Vec<i32>,
}

/// A type in a signature. Prefix forms (`CMOD_*`, `BYREF`, `PINNED`) wrap
/// the type they precede.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeSig {
    /// A one-byte type.
    Primitive(Primitive),
    /// `CLASS` TypeDefOrRefOrSpec token.
    Class(u32),
    /// `VALUETYPE` TypeDefOrRefOrSpec token.
    ValueType(u32),
    /// `VAR n`: generic parameter of the type (`!n`).
    Var(u32),
    /// `MVAR n`: generic parameter of the method (`!!n`).
    MVar(u32),
    /// `PTR` type (`void*` is `Ptr(Primitive(Void))`).
    Ptr(Box<TypeSig>),
    /// `BYREF` type.
    ByRef(Box<TypeSig>),
    /// `PINNED` type (locals).
    Pinned(Box<TypeSig>),
    /// `SZARRAY` element.
    SzArray(Box<TypeSig>),
    /// `ARRAY` element shape.
    Array(Box<TypeSig>, ArrayShape),
    /// `GENERICINST (CLASS|VALUETYPE) token count args`.
    GenericInst {
        /// `VALUETYPE` rather than `CLASS`.
        value_type: bool,
        /// The generic type definition token.
        base: u32,
        /// Type arguments.
        args: Vec<TypeSig>,
    },
    /// `FNPTR` method signature.
    FnPtr(Box<MethodSig>),
    /// `CMOD_REQD`/`CMOD_OPT` token, then the modified type.
    Modified {
        /// `modreq` rather than `modopt`.
        required: bool,
        /// The modifier type token.
        token: u32,
        /// The modified type.
        inner: Box<TypeSig>,
    },
}

impl TypeSig {
    /// The type without leading custom modifiers and `PINNED`.
    pub fn unmodified(&self) -> &TypeSig {
        match self {
            TypeSig::Modified { inner, .. } | TypeSig::Pinned(inner) => inner.unmodified(),
            other => other,
        }
    }

    /// Whether this is `void` (after modifiers).
    pub fn is_void(&self) -> bool {
        matches!(self.unmodified(), TypeSig::Primitive(Primitive::Void))
    }

    /// Whether this is a by-ref type (after modifiers).
    pub fn is_byref(&self) -> bool {
        matches!(self.unmodified(), TypeSig::ByRef(_))
    }
}

/// A method signature: MethodDefSig, MethodRefSig, StandAloneMethodSig or a
/// `FNPTR` target (ECMA-335 II.23.2.1–3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MethodSig {
    /// The raw first byte: calling convention and flags.
    pub calling_convention: u8,
    /// Generic parameter count (present when `GENERIC` is set).
    pub generic_params: u32,
    /// Return type.
    pub ret: TypeSig,
    /// Parameters, including vararg ones after the sentinel.
    pub params: Vec<TypeSig>,
    /// Index in `params` where a `SENTINEL` precedes the vararg parameters.
    pub sentinel: Option<usize>,
}

impl MethodSig {
    /// `HASTHIS`.
    pub fn has_this(&self) -> bool {
        self.calling_convention & conv::HAS_THIS != 0
    }

    /// `EXPLICITTHIS`.
    pub fn explicit_this(&self) -> bool {
        self.calling_convention & conv::EXPLICIT_THIS != 0
    }

    /// `GENERIC`.
    pub fn is_generic(&self) -> bool {
        self.calling_convention & conv::GENERIC != 0
    }

    /// The stack shape for max-stack simulation.
    pub fn call_shape(&self) -> crate::il::max_stack::CallShape {
        crate::il::max_stack::CallShape {
            params: self.params.len() as u32,
            implicit_this: self.has_this() && !self.explicit_this(),
            returns_value: !self.ret.is_void(),
        }
    }
}

/// A field signature (ECMA-335 II.23.2.4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldSig {
    /// The raw first byte: `FIELD`, possibly with flag bits the runtime
    /// ignores (it compares only the low nibble), kept so the blob writes
    /// back unchanged.
    pub calling_convention: u8,
    /// The field type (with any modifiers).
    pub ty: TypeSig,
}

/// A property signature (ECMA-335 II.23.2.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PropertySig {
    /// The raw first byte (`PROPERTY`, optionally `HASTHIS`).
    pub calling_convention: u8,
    /// Property type.
    pub ty: TypeSig,
    /// Indexer parameters.
    pub params: Vec<TypeSig>,
}

/// A local variable signature (ECMA-335 II.23.2.6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalSig {
    /// Local types in slot order.
    pub locals: Vec<TypeSig>,
}

/// A generic method instantiation (ECMA-335 II.23.2.15).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MethodSpecSig {
    /// Type arguments.
    pub args: Vec<TypeSig>,
}

/// A signature whose kind is given by its first byte.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Signature {
    /// Method (any calling convention other than the kinds below).
    Method(MethodSig),
    /// `FIELD`.
    Field(FieldSig),
    /// `PROPERTY`.
    Property(PropertySig),
    /// `LOCAL_SIG`.
    Locals(LocalSig),
    /// `GENERICINST` (MethodSpec).
    MethodSpec(MethodSpecSig),
}
