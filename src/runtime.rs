//! Which CLR loaded us. Decided in `Initialize` from `GetRuntimeInformation`,
//! never from the CLSID (reference-profiler §1.3, §1.4).

/// The two runtime families the original profiler supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuntimeKind {
    /// .NET Framework (desktop CLR).
    Framework,
    /// .NET Core / .NET 5+ (CoreCLR).
    Core,
}

impl RuntimeKind {
    /// `COR_PRF_RUNTIME_TYPE`: 1 = desktop CLR, 2 = CoreCLR; anything else is
    /// unknown and makes the profiler detach.
    pub fn from_cor_prf_runtime_type(value: u32) -> Option<RuntimeKind> {
        match value {
            1 => Some(RuntimeKind::Framework),
            2 => Some(RuntimeKind::Core),
            _ => None,
        }
    }

    /// The agent product name expected for this runtime (§1.4).
    pub fn product_name(self) -> &'static str {
        match self {
            RuntimeKind::Framework => "New Relic .NET Agent",
            RuntimeKind::Core => "New Relic .NET CoreCLR Agent",
        }
    }

    /// Sub-directory holding runtime-specific extensions and the agent DLL.
    pub fn directory_name(self) -> &'static str {
        match self {
            RuntimeKind::Framework => "netframework",
            RuntimeKind::Core => "netcore",
        }
    }

    /// Home variable, then its legacy fallback (§2.2).
    pub fn home_variables(self) -> (&'static str, &'static str) {
        match self {
            RuntimeKind::Framework => ("NEW_RELIC_HOME", "NEWRELIC_HOME"),
            RuntimeKind::Core => ("CORECLR_NEW_RELIC_HOME", "CORECLR_NEWRELIC_HOME"),
        }
    }

    pub fn is_core(self) -> bool {
        self == RuntimeKind::Core
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_type_values() {
        assert_eq!(
            RuntimeKind::from_cor_prf_runtime_type(1),
            Some(RuntimeKind::Framework)
        );
        assert_eq!(
            RuntimeKind::from_cor_prf_runtime_type(2),
            Some(RuntimeKind::Core)
        );
        assert_eq!(RuntimeKind::from_cor_prf_runtime_type(0), None);
        assert_eq!(RuntimeKind::from_cor_prf_runtime_type(3), None);
        assert_eq!(
            RuntimeKind::Core.product_name(),
            "New Relic .NET CoreCLR Agent"
        );
        assert_eq!(
            RuntimeKind::Framework.product_name(),
            "New Relic .NET Agent"
        );
    }
}
