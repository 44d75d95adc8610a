// Counts GetFinishTracerDelegate calls and finishes per function and writes
// the totals, one tab-separated line per function, to the file named by
// NEWRELIC_TEST_AGENT_LOG when the process exits:
//   Function <tab> <functionId> <tab> <calls> <tab> <finishes> <tab> <exceptions> <tab> <type> <tab> <method> <tab> <signature>
//   Total <tab> <calls> <tab> <finishes> <tab> <exceptions>
// It never touches the arguments it receives (that would call back into
// instrumented code) and uses only CoreLib types, so it cannot recurse into
// the assemblies the workload instruments.
using System.Text;

namespace NewRelic.Agent.Core;

public static class AgentShim
{
    private sealed class Entry
    {
        public string TypeName;
        public string MethodName;
        public string Signature;
        public long Calls;
        public long Finishes;
        public long Exceptions;
        public Action<object, Exception> Finish;
    }

    private static readonly object Gate = new();
    private static readonly Dictionary<ulong, Entry> Entries = new();
    private static long _calls;
    private static long _finishes;
    private static long _exceptions;

    static AgentShim()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Write();
    }

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
        Entry entry;
        lock (Gate)
        {
            if (!Entries.TryGetValue(functionId, out entry))
            {
                entry = new Entry { TypeName = typeName, MethodName = methodName, Signature = argumentSignature };
                var e = entry;
                entry.Finish = (result, exception) =>
                {
                    Interlocked.Increment(ref e.Finishes);
                    Interlocked.Increment(ref _finishes);
                    if (exception != null)
                    {
                        Interlocked.Increment(ref e.Exceptions);
                        Interlocked.Increment(ref _exceptions);
                    }
                };
                Entries.Add(functionId, entry);
            }
        }
        Interlocked.Increment(ref entry.Calls);
        Interlocked.Increment(ref _calls);
        return entry.Finish;
    }

    private static void Write()
    {
        var path = Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_LOG");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        var text = new StringBuilder();
        lock (Gate)
        {
            foreach (var pair in Entries)
            {
                var e = pair.Value;
                text.Append("Function\t").Append(pair.Key).Append('\t')
                    .Append(Interlocked.Read(ref e.Calls)).Append('\t')
                    .Append(Interlocked.Read(ref e.Finishes)).Append('\t')
                    .Append(Interlocked.Read(ref e.Exceptions)).Append('\t')
                    .Append(e.TypeName).Append('\t').Append(e.MethodName).Append('\t')
                    .Append(e.Signature).Append('\n');
            }
        }
        text.Append("Total\t").Append(Interlocked.Read(ref _calls)).Append('\t')
            .Append(Interlocked.Read(ref _finishes)).Append('\t')
            .Append(Interlocked.Read(ref _exceptions)).Append('\n');
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}
