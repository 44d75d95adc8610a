// The public API surface the profiler recognises by type name
// (reference-profiler §5.6). Bodies are the "no agent" fallbacks.
namespace NewRelic.Api.Agent;

public static class NewRelic
{
    public static void RecordMetric(string name, float value) => Console.WriteLine($"api-fallback RecordMetric {name}");

    public static void IncrementCounter(string name) => Console.WriteLine($"api-fallback IncrementCounter {name}");

    public static void NoticeError(Exception exception) => Console.WriteLine("api-fallback NoticeError(Exception)");

    public static void NoticeError(string message, IDictionary<string, string> parameters) =>
        Console.WriteLine("api-fallback NoticeError(String,IDictionary)");

    public static void NoticeError(string message) => Console.WriteLine("api-fallback NoticeError(String)");

    public static void AddCustomParameter(string key, string value) => Console.WriteLine("api-fallback AddCustomParameter");

    public static void SetTransactionName(string category, string name) => Console.WriteLine("api-fallback SetTransactionName");

    /// Has no counterpart in the test agent: the fallback body runs.
    public static void DisableBrowserMonitoring(bool overrideManual) => Console.WriteLine("api-fallback DisableBrowserMonitoring");

    public static string GetBrowserTimingHeader() => "api-fallback header";

    /// Never rewritten (§5.6).
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
