// The entry point the profiler's injected code calls, with the real agent's
// signature. Each call is printed to stdout (prefixed "[agent]") and, when
// NEWRELIC_TEST_AGENT_LOG names a file, appended there as one tab-separated
// line so tests can assert on every argument.
using System.Text;

namespace NewRelic.Agent.Core;

public static class AgentShim
{
    private static readonly object Gate = new();

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
        var call = string.Join("\t",
            "GetFinishTracerDelegate",
            tracerFactoryName ?? "<null>",
            "0x" + tracerArguments.ToString("x"),
            metricName ?? "<null>",
            assemblyName ?? "<null>",
            type?.FullName ?? "<null>",
            typeName ?? "<null>",
            methodName ?? "<null>",
            argumentSignature ?? "<null>",
            invocationTarget == null ? "<null>" : invocationTarget.GetType().FullName,
            args == null ? "<null>" : "[" + string.Join(",", args.Select(Describe)) + "]",
            functionId == 0 ? "fid=0" : "fid=nonzero");
        Record(call);
        return (result, exception) =>
            Record(string.Join("\t", "Finish", typeName + "." + methodName, Describe(result), exception?.GetType().FullName ?? "<null>"));
    }

    private static string Describe(object value) => value switch
    {
        null => "<null>",
        string s => "\"" + s + "\"",
        _ => value.ToString(),
    };

    private static void Record(string line)
    {
        lock (Gate)
        {
            Console.WriteLine("[agent] " + line.Replace('\t', ' '));
            var path = Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_LOG");
            if (!string.IsNullOrEmpty(path))
            {
                File.AppendAllText(path, line + "\n", Encoding.UTF8);
            }
        }
    }
}
