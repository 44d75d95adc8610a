// One extension-file matcher without `parameters` selects both overloads of
// Overloads.Work; the first one called is `async`. The original ORs the
// async flag (bit 23) into the one instrumentation point both overloads
// share, so the synchronous overload, rewritten afterwards, reports itself
// async too (reference-profiler §4.3 QUIRK); this profiler keeps the flag
// per method (docs/compatibility.md X2). The test agent records the flags
// of each call.
using System.Runtime.CompilerServices;

namespace AsyncOverloadApp;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine($"PID={Environment.ProcessId}");
        Console.WriteLine($"async={Overloads.Work(21).GetAwaiter().GetResult()}");
        Console.WriteLine($"sync={Overloads.Work("three")}");
        Console.WriteLine($"async-again={Overloads.Work(1).GetAwaiter().GetResult()}");
        return 0;
    }
}

public static class Overloads
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<int> Work(int n)
    {
        await Task.Yield();
        return n * 2;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Work(string s) => s.Length;
}
