// The entry point the profiler's injected code calls, with the real agent's
// signature (NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate). Every
// call and every finish is recorded as one tab-separated line: appended to
// the file named by NEWRELIC_TEST_AGENT_LOG when set, else printed to stdout
// with an "[agent]" prefix (the demo).
//
// Behaviour switches (environment):
//   NEWRELIC_TEST_AGENT_THROW=get     GetFinishTracerDelegate throws
//   NEWRELIC_TEST_AGENT_THROW=finish  the returned delegate throws
//   NEWRELIC_TEST_AGENT_NULL=1        GetFinishTracerDelegate returns null
//   NEWRELIC_TEST_AGENT_THREADS=1     every record ends with a field
//                                     tid=<managed thread id> (order per thread)
//   NEWRELIC_TEST_AGENT_COUNT_ONLY=1  nothing is recorded: calls and finishes
//                                     are only counted (AgentShim.Calls and
//                                     AgentShim.Finishes, read by reflection),
//                                     without allocating, for memory tests
// Re-entrancy: when the application stored an Action under the AppContext
// key "NewRelicTest.Reenter", it is invoked once from inside the call.
using System.Text;

namespace NewRelic.Agent.Core;

public static class AgentShim
{
    private static readonly object Gate = new();

    [ThreadStatic]
    private static int _depth;

    private static readonly bool CountOnly =
        Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_COUNT_ONLY") == "1";

    public static long Calls;
    public static long Finishes;

    private static readonly Action<object, Exception> CountFinish =
        (result, exception) => Interlocked.Increment(ref Finishes);

    public static Action<object, Exception> GetFinishTracerDelegate(
        string tracerFactoryName,
        uint tracerArguments,
        string metricName,
        string assemblyName,
        Type type,
        string typeName,
        string methodName,
        string argumentSignature,
        object invocationTarget,
        object[] args,
        ulong functionId)
    {
        if (CountOnly)
        {
            Interlocked.Increment(ref Calls);
            return CountFinish;
        }
        Recorder.Record(string.Join("\t",
            "Call",
            tracerFactoryName ?? "<null>",
            "0x" + tracerArguments.ToString("x"),
            metricName ?? "<null>",
            assemblyName ?? "<null>",
            type == null ? "<null>" : type.FullName ?? type.Name,
            typeName ?? "<null>",
            methodName ?? "<null>",
            argumentSignature ?? "<null>",
            invocationTarget == null ? "<null>" : invocationTarget.GetType().FullName,
            args == null ? "<null>" : "[" + string.Join(",", args.Select(Recorder.Describe)) + "]",
            "fid=" + functionId));

        if (_depth == 0 && AppContext.GetData("NewRelicTest.Reenter") is Action reenter)
        {
            _depth++;
            try { reenter(); } finally { _depth--; }
        }

        var mode = Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_THROW");
        if (mode == "get")
        {
            throw new InvalidOperationException("agent failure in GetFinishTracerDelegate");
        }
        if (Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_NULL") == "1")
        {
            return null;
        }
        var name = typeName + "." + methodName;
        return (result, exception) =>
        {
            Recorder.Record(string.Join("\t", "Finish", name, Recorder.Describe(result),
                exception == null ? "<null>" : exception.GetType().FullName + ": " + exception.Message));
            if (mode == "finish")
            {
                throw new InvalidOperationException("agent failure in finish");
            }
        };
    }
}

internal static class Recorder
{
    private static readonly object Gate = new();

    public static string Describe(object value) => value switch
    {
        null => "<null>",
        string s => "\"" + s + "\"",
        Array a => a.GetType().Name + "{" + string.Join(",", a.Cast<object>().Select(Describe)) + "}",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static readonly bool WithThreads =
        Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_THREADS") == "1";

    public static void Record(string line)
    {
        line = line.Replace("\r", " ").Replace("\n", " ");
        if (WithThreads)
        {
            line += "\ttid=" + Environment.CurrentManagedThreadId;
        }
        lock (Gate)
        {
            var path = Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_LOG");
            if (string.IsNullOrEmpty(path))
            {
                Console.WriteLine("[agent] " + line.Replace('\t', ' '));
            }
            else
            {
                File.AppendAllText(path, line + "\n", new UTF8Encoding(false));
            }
        }
    }
}
