// The entry point the profiler's injected code calls, with the real agent's
// signature. It returns one cached delegate that does nothing, so a timed
// call measures the injected code (lookup, argument array, boxing, the two
// try blocks) and not an agent: no allocation, no I/O, no locking here.
namespace NewRelic.Agent.Core;

public static class AgentShim
{
    private static readonly Action<object, Exception> Finish = static (_, _) => { };

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
        return Finish;
    }
}
