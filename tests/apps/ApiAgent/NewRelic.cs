// The public API surface the profiler recognises by type name
// (reference-profiler §5.6). Bodies are the "no agent" fallbacks. Like the
// real API, every method is NoInlining so calls reach the rewritten body.
using System.Runtime.CompilerServices;

namespace NewRelic.Api.Agent;

public static class NewRelic
{
    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void RecordMetric(string name, float value) => Console.WriteLine($"api-fallback RecordMetric {name}");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void IncrementCounter(string name) => Console.WriteLine($"api-fallback IncrementCounter {name}");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void NoticeError(Exception exception) => Console.WriteLine("api-fallback NoticeError(Exception)");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void NoticeError(string message, IDictionary<string, string> parameters) =>
        Console.WriteLine("api-fallback NoticeError(String,IDictionary)");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void NoticeError(string message) => Console.WriteLine("api-fallback NoticeError(String)");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void AddCustomParameter(string key, string value) => Console.WriteLine("api-fallback AddCustomParameter");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void SetTransactionName(string category, string name) => Console.WriteLine("api-fallback SetTransactionName");

    /// Has no counterpart in the test agent: the fallback body runs.
    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static void DisableBrowserMonitoring(bool overrideManual) => Console.WriteLine("api-fallback DisableBrowserMonitoring");

    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static string GetBrowserTimingHeader() => "api-fallback header";

    /// Never rewritten (§5.6).
    [MethodImpl(MethodImplOptions.NoOptimization | MethodImplOptions.NoInlining)]
    public static object GetAgent() => "api-fallback agent";
}

/// Marks a method to be traced without XML (reference-profiler §4.8).
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TraceAttribute : Attribute
{
}

/// Marks a method as a transaction; `Web = true` makes it a web transaction.
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TransactionAttribute : Attribute
{
    public bool Web { get; set; }
}
