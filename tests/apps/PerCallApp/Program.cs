// Calls PerCall.Target.Work (the method the performance runner configures
// for instrumentation) in a timed loop and prints nanoseconds per call.
//
//   dotnet PerCallApp.dll [seconds]      (default 2)
//
// Warm-up first (at least 0.5 s, so tiered compilation, when it is on, has
// promoted the loop and the method), then the batch size is calibrated to
// about 20 ms and batches run for the given time. Output, one line each:
//   NS_PER_CALL_MEDIAN=<median over batches>
//   NS_PER_CALL_MEAN=<total time / total calls>
//   CALLS=<total calls>  BATCHES=<n>  CHECK=<accumulator, keeps the loop alive>
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace PerCall;

public static class Target
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Work(int x) => x + 1;
}

public static class Program
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Loop(long calls, int acc)
    {
        for (long i = 0; i < calls; i++)
        {
            acc = Target.Work(acc);
        }
        return acc;
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public static int Main(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
        var acc = 0;

        // Warm-up, doubling the batch until half a second has gone by.
        long batch = 1;
        var warmStart = Stopwatch.GetTimestamp();
        while (Seconds(Stopwatch.GetTimestamp() - warmStart) < 0.5)
        {
            acc = Loop(batch, acc);
            if (batch < (1L << 40)) batch *= 2;
        }

        // Calibrate one batch to about 20 ms.
        batch = 1;
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            acc = Loop(batch, acc);
            if (Seconds(Stopwatch.GetTimestamp() - t0) >= 0.02) break;
            batch *= 2;
        }

        var perCall = new List<double>();
        long calls = 0;
        long total = 0;
        var start = Stopwatch.GetTimestamp();
        while (Seconds(Stopwatch.GetTimestamp() - start) < seconds || perCall.Count < 5)
        {
            var t0 = Stopwatch.GetTimestamp();
            acc = Loop(batch, acc);
            var elapsed = Stopwatch.GetTimestamp() - t0;
            total += elapsed;
            calls += batch;
            perCall.Add(Seconds(elapsed) * 1e9 / batch);
        }
        perCall.Sort();
        var median = perCall.Count % 2 == 1
            ? perCall[perCall.Count / 2]
            : (perCall[perCall.Count / 2 - 1] + perCall[perCall.Count / 2]) / 2;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine("NS_PER_CALL_MEDIAN=" + median.ToString("F3", inv));
        Console.WriteLine("NS_PER_CALL_MEAN=" + (Seconds(total) * 1e9 / calls).ToString("F3", inv));
        Console.WriteLine("CALLS=" + calls.ToString(inv));
        Console.WriteLine("BATCHES=" + perCall.Count.ToString(inv));
        Console.WriteLine("CHECK=" + acc.ToString(inv));
        return 0;
    }
}
