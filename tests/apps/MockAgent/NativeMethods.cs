// The profiler exports the agent P/Invokes, declared as the real agent
// declares them (NewRelic.Agent.Core's NativeMethods: library name
// "NewRelicProfiler", cdecl, default string marshalling). This assembly is
// loaded from the agent home, so the short name resolves only through the
// SONAME of the profiler the runtime already loaded.
using System.Runtime.InteropServices;

namespace NewRelic.Agent.Core;

public static class NativeMethods
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
