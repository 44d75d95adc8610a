// The profiler exports the agent P/Invokes, declared as the real agent
// declares them (NewRelic.Agent.Core's LinuxNativeMethods and
// WindowsNativeMethods: library "NewRelicProfiler" on Linux,
// "NewRelic.Profiler.dll" on Windows, cdecl, default string marshalling; the
// agent picks one of the two at run time by OS). This assembly is loaded from
// the agent home, so the name resolves only to the profiler the runtime
// already loaded: by its SONAME on glibc, by the profiler's folder on the
// library path on musl (docs/install.md), by module name on Windows.
using System.Runtime.InteropServices;

namespace NewRelic.Agent.Core;

public static class NativeMethods
{
    public static int InstrumentationRefresh() =>
        OperatingSystem.IsWindows() ? Windows.InstrumentationRefresh() : Linux.InstrumentationRefresh();

    public static int ReloadConfiguration() =>
        OperatingSystem.IsWindows() ? Windows.ReloadConfiguration() : Linux.ReloadConfiguration();

    public static int AddCustomInstrumentation(string fileName, string xml) =>
        OperatingSystem.IsWindows() ? Windows.AddCustomInstrumentation(fileName, xml) : Linux.AddCustomInstrumentation(fileName, xml);

    public static int ApplyCustomInstrumentation() =>
        OperatingSystem.IsWindows() ? Windows.ApplyCustomInstrumentation() : Linux.ApplyCustomInstrumentation();

    private static class Linux
    {
        private const string Library = "NewRelicProfiler";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int InstrumentationRefresh();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int ReloadConfiguration();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int AddCustomInstrumentation(string fileName, string xml);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int ApplyCustomInstrumentation();
    }

    private static class Windows
    {
        private const string Library = "NewRelic.Profiler.dll";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int InstrumentationRefresh();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int ReloadConfiguration();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int AddCustomInstrumentation(string fileName, string xml);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int ApplyCustomInstrumentation();
    }
}
