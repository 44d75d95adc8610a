// Every method shape the ReadyToRun test needs, precompiled by crossgen2:
// a small configured method crossgen inlines into its callers (one caller
// configured itself, one not), a nested type, a generic method, [Trace] and
// [Transaction] methods, and an agent API call. Each scenario runs twice;
// the output must be the same with and without the profiler.
using System.Runtime.CompilerServices;

namespace ReadyToRun;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine($"PID={Environment.ProcessId}");
        for (var round = 1; round <= 2; round++)
        {
            Console.WriteLine($"inlined#{round}: {Shapes.CallsSmall(20)}");
            Console.WriteLine($"configured-caller#{round}: {Shapes.ConfiguredCaller(5)}");
            Console.WriteLine($"nested#{round}: {new Outer.Inner().Name()}");
            Console.WriteLine($"generic#{round}: {Shapes.Echo(7)}/{Shapes.Echo("seven")}");
            Console.WriteLine($"attributes#{round}: {Attributed.Traced(1)}/{Attributed.Transaction()}");
            NewRelic.Api.Agent.NewRelic.RecordMetric("Custom/ReadyToRun", round);
            Console.WriteLine($"api#{round}: {NewRelic.Api.Agent.NewRelic.GetBrowserTimingHeader()}");
        }
        return 0;
    }
}

public static class Shapes
{
    // Small enough for crossgen2 to inline into both callers below.
    public static int Small(int x) => x + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int CallsSmall(int x) => Small(x) * 2;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int ConfiguredCaller(int x) => Small(x) + 10;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T Echo<T>(T value) => value;
}

public class Outer
{
    public class Inner
    {
        // Under the original's mask nested classes are only reached through
        // the JIT -> ReJIT path, so the call must not be inlined there.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public string Name() => "inner";
    }
}

public static class Attributed
{
    [NewRelic.Api.Agent.Trace]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Traced(int x) => x + 1;

    [NewRelic.Api.Agent.Transaction]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string Transaction() => "transaction";
}
