// Calls Work.Hot until the runtime reports a tier-1 compilation of it (or
// the seconds given as the argument pass, default 20), then Work.Loop once with a loop long enough for on-stack
// replacement. Prints how often each was invoked and every compilation of
// them the runtime reported: "jit <method> tier=<name> rejit=<id>".
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace Tiering;

public static class Program
{
    public static int Main(string[] args)
    {
        var limit = TimeSpan.FromSeconds(args.Length > 0 ? int.Parse(args[0]) : 20);
        Console.WriteLine($"PID={Environment.ProcessId}");
        using var listener = new JitListener();
        long hotCalls = 0;
        long sum = 0;
        var clock = Stopwatch.StartNew();
        while (!listener.SawTier1("Hot") && clock.Elapsed < limit)
        {
            for (var i = 0; i < 1000; i++)
            {
                sum += Work.Hot(i);
                hotCalls++;
            }
            Thread.Sleep(1);
        }
        // A few more calls that run the tier-1 code.
        for (var i = 0; i < 1000; i++)
        {
            sum += Work.Hot(i);
            hotCalls++;
        }
        var loopResult = Work.Loop(20_000_000);
        Thread.Sleep(200);
        Console.WriteLine($"hot calls={hotCalls} sum={sum}");
        Console.WriteLine($"loop calls=1 result={loopResult}");
        foreach (var line in listener.Compilations())
        {
            Console.Error.WriteLine(line);
        }
        return 0;
    }
}

public static class Work
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Hot(int x) => (x & 7) + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Loop(int n)
    {
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            total += i % 3;
        }
        return total;
    }
}

/// The runtime's MethodLoadVerbose events (JIT keyword) for Work's methods.
internal sealed class JitListener : EventListener
{
    private readonly List<string> _lines = new();
    private readonly HashSet<string> _tier1 = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName == null || !e.EventName.StartsWith("MethodLoadVerbose") || e.PayloadNames == null)
        {
            return;
        }
        string Get(string name)
        {
            var i = e.PayloadNames.IndexOf(name);
            return i >= 0 ? Convert.ToString(e.Payload[i], System.Globalization.CultureInfo.InvariantCulture) : "";
        }
        if (Get("MethodNamespace") != "Tiering.Work")
        {
            return;
        }
        var method = Get("MethodName");
        var flags = Convert.ToUInt32(e.Payload[e.PayloadNames.IndexOf("MethodFlags")]);
        var tier = ((flags >> 7) & 0x7) switch
        {
            1 => "MinOptJitted",
            2 => "Optimized",
            3 => "QuickJitted",
            4 => "OptimizedTier1",
            5 => "OptimizedTier1OSR",
            6 => "QuickJittedInstrumented",
            7 => "OptimizedTier1Instrumented",
            _ => "Unknown",
        };
        lock (_lines)
        {
            _lines.Add($"jit {method} tier={tier} rejit={Get("ReJITID")}");
            if (tier == "OptimizedTier1")
            {
                _tier1.Add(method);
            }
        }
    }

    public bool SawTier1(string method)
    {
        lock (_lines) return _tier1.Contains(method);
    }

    public List<string> Compilations()
    {
        lock (_lines) return new List<string>(_lines);
    }
}
