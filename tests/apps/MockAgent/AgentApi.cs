// The agent side of the public API (NewRelic.Agent.Core.AgentApi): the
// profiler redirects each method of NewRelic.Api.Agent.NewRelic here by
// reflection (same name, same parameter types). Each call is recorded.
namespace NewRelic.Agent.Core;

public static class AgentApi
{
    private static void Record(string method, params object[] args) =>
        Recorder.Record(string.Join("\t", "Api", method, "[" + string.Join(",", args.Select(Recorder.Describe)) + "]"));

    public static void RecordMetric(string name, float value) => Record(nameof(RecordMetric), name, value);

    public static void IncrementCounter(string name) => Record(nameof(IncrementCounter), name);

    public static void NoticeError(Exception exception) => Record(nameof(NoticeError) + "(Exception)", exception.Message);

    public static void NoticeError(string message, IDictionary<string, string> parameters) =>
        Record(nameof(NoticeError) + "(String,IDictionary)", message, parameters?.Count ?? -1);

    public static void NoticeError(string message) => Record(nameof(NoticeError) + "(String)", message);

    public static void AddCustomParameter(string key, string value) => Record(nameof(AddCustomParameter), key, value);

    public static void SetTransactionName(string category, string name) => Record(nameof(SetTransactionName), category, name);

    public static string GetBrowserTimingHeader()
    {
        Record(nameof(GetBrowserTimingHeader));
        return "<script>agent header</script>";
    }
}
