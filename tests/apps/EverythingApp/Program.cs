// The "instrument everything" workload (issue 9 item 1): a deterministic
// corpus of documents run through Newtonsoft.Json, System.Text.Json and
// this assembly's own edge-case shapes. Every section prints a digest of its
// results; the output must be byte-identical with and without the profiler.
//
//   EverythingApp [size]     size = documents per corpus (default 40)
using System.Text;

namespace Everything;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        Console.WriteLine($"PID={Environment.ProcessId}");
        var size = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 40;
        var corpus = Corpus.Make(size);
        var sections = new (string Name, Func<string> Run)[]
        {
            ("newtonsoft.poco", () => NewtonsoftWork.Poco(corpus)),
            ("newtonsoft.settings", () => NewtonsoftWork.Settings(corpus)),
            ("newtonsoft.polymorphic", () => NewtonsoftWork.Polymorphic(corpus)),
            ("newtonsoft.converters", () => NewtonsoftWork.Converters(corpus)),
            ("newtonsoft.linq", () => NewtonsoftWork.Linq(corpus)),
            ("newtonsoft.streaming", () => NewtonsoftWork.Streaming(corpus)),
            ("newtonsoft.async", () => NewtonsoftWork.Async(corpus).GetAwaiter().GetResult()),
            ("newtonsoft.errors", () => NewtonsoftWork.Errors()),
            ("newtonsoft.references", () => NewtonsoftWork.References()),
            ("newtonsoft.dynamic", () => NewtonsoftWork.Dynamic(corpus)),
            ("newtonsoft.xml", () => NewtonsoftWork.Xml(corpus)),
            ("newtonsoft.collections", () => NewtonsoftWork.Collections()),
            ("stj.serializer", () => StjWork.Serializer(corpus)),
            ("stj.options", () => StjWork.Options(corpus)),
            ("stj.polymorphic", () => StjWork.Polymorphic(corpus)),
            ("stj.sourcegen", () => StjWork.SourceGenerated(corpus)),
            ("stj.reader-writer", () => StjWork.ReaderWriter(corpus)),
            ("stj.document", () => StjWork.Document(corpus)),
            ("stj.node", () => StjWork.Node(corpus)),
            ("stj.async", () => StjWork.Async(corpus).GetAwaiter().GetResult()),
            ("stj.errors", () => StjWork.Errors()),
            ("shapes", () => Shapes.Run()),
        };
        foreach (var (name, run) in sections)
        {
            // Twice: the first call of a method may run its original IL while its ReJIT is pending.
            for (var round = 1; round <= 2; round++)
            {
                string result;
                try
                {
                    result = run();
                }
                catch (Exception e)
                {
                    result = "threw " + e.GetType().FullName + ": " + e.Message;
                    // The whole exception (stack included) goes to stderr, which the test checks is empty.
                    Console.Error.WriteLine($"{name}#{round}: {e}");
                }
                Console.WriteLine($"{name}#{round}: {result}");
            }
        }
        return 0;
    }
}

/// A stable digest of strings (FNV-1a 64 over UTF-8), printed with a count.
public sealed class Digest
{
    private ulong _hash = 0xcbf29ce484222325;
    private int _count;

    public Digest Add(string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text ?? "<null>"))
        {
            _hash = (_hash ^ b) * 0x100000001b3;
        }
        _hash = (_hash ^ 0xff) * 0x100000001b3;
        _count++;
        return this;
    }

    public Digest Add(object value) => Add(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));

    public override string ToString() => $"{_count} items, fnv {_hash:x16}";
}
