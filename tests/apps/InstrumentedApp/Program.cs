// Runs named scenarios (all but the opt-in ones by default) and prints one line per
// result. The output must be byte-identical with and without the profiler;
// what the agent saw is recorded by the test agent separately.
using System.Runtime.CompilerServices;
using System.Text;

namespace Instrumented;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        Console.WriteLine($"PID={Environment.ProcessId}");
        // No arguments: the scenarios of Scenarios.All, the run the reference
        // recordings of the original profiler were made of (which list every
        // method it JIT-compiles, so this path must not change); "all": those
        // and the opt-in ones (OptInScenarios).
        var selected = args.Length == 0 ? Scenarios.All.Keys.ToArray() : OptInScenarios.Expand(args);
        foreach (var name in selected)
        {
            if (!Scenarios.All.TryGetValue(name, out var scenario) && !OptInScenarios.TryGet(name, out scenario))
            {
                Console.WriteLine($"{name}: unknown scenario");
                return 2;
            }
            // Twice: the first call may run the original IL while the ReJIT is pending.
            for (var round = 1; round <= 2; round++)
            {
                string result;
                try
                {
                    result = scenario();
                }
                catch (Exception e)
                {
                    result = "threw " + e.GetType().Name + ": " + e.Message;
                }
                Console.WriteLine($"{name}#{round}: {result}");
            }
        }
        return 0;
    }
}

public static class Scenarios
{
    public static readonly Dictionary<string, Func<string>> All = new()
    {
        ["static-void"] = () => { Calls.StaticVoid(); return "done"; },
        ["instance-int"] = () => new Calls().InstanceInt(21).ToString(),
        ["class-param"] = () => new Calls().ClassParam(new Customer("Ada")),
        ["class-return"] = () => Calls.ClassReturn("Bob").Name,
        ["struct-return"] = () => Calls.StructReturn().ToString(),
        ["generic-method"] = () => Calls.GenericReturn(7) + "/" + Calls.GenericReturn("seven"),
        ["ref-out"] = () => { var a = 1; Calls.RefOut(ref a, out var b); return a + "/" + b; },
        ["params"] = () => Calls.Params(1, 2, 3, 4).ToString(),
        ["fourteen"] = () => Calls.Fourteen(true, false, true, false, true, false, true, false, true, false, true, false, true, true).ToString(),
        ["many-returns"] = () => string.Join(",", Enumerable.Range(0, 6).Select(Calls.ManyReturns)),
        ["switch"] = () => string.Join(",", Enumerable.Range(0, 5).Select(Calls.Switch)),
        ["tiny"] = () => Calls.Tiny().ToString(),
        ["throws"] = () => Calls.Throws(3).ToString(),
        ["stack"] = () =>
        {
            try { Calls.Throws(4); return "no exception"; }
            catch (InvalidOperationException e) { return e.StackTrace.Contains("Calls.Throws") ? "original frame kept" : "frame lost: " + e.StackTrace; }
        },
        ["catches-inside"] = () => Calls.CatchesInside().ToString(),
        ["finally-inside"] = () => Calls.FinallyInside() + "/" + Calls.FinallyCount,
        ["filter-inside"] = () => Calls.FilterInside(1) + "/" + Calls.FilterInside(-1),
        ["async"] = () => Calls.AsyncWork(41).GetAwaiter().GetResult().ToString(),
        ["constructor"] = () => new Calls("made").Label,
        ["overloads"] = () => Calls.Overloaded("s") + "/" + Calls.Overloaded(5),
        ["nested"] = () => new Outer.Inner().Name(),
        ["generic-class"] = () => new GenericClass<int>().Echo(5) + "/" + new GenericClass<string>().Echo("five"),
        ["generic-class-method"] = () => new GenericClass<int>().Convert(6, x => "six:" + x),
        ["nested-generic"] = () => new GenericClass<double>.Nested().Hello(1.5),
        ["generic-of-generic"] = () => new GenericClass<List<int>>().Echo(new List<int> { 1, 2 }).Count + "/" + Calls.Wrap(new List<Dictionary<string, int>> { new() { ["a"] = 1 } }),
        ["constraints"] = () => new Constrained<Customer>().Make().Name + "/" + Calls.StructConstraint(3),
        ["variance"] = () => new CovariantBox<string>("co").Get() + "/" + new ContravariantSink<object>().Take("contra"),
        ["override"] = () => new Derived().Foo(),
        ["struct-skipped"] = () => new Point(2, 3).Sum().ToString(),
        ["property-skipped"] = () => new Calls("p").Label,
        ["version-in-range"] = () => Calls.VersionInRange().ToString(),
        ["version-out-of-range"] = () => Calls.VersionOutOfRange().ToString(),
        ["reentrancy"] = () =>
        {
            AppContext.SetData("NewRelicTest.Reenter", (Action)(() => Calls.CalledFromAgent()));
            try { return Calls.Outer(); }
            finally { AppContext.SetData("NewRelicTest.Reenter", null); }
        },
        ["netstandard"] = () => new NetStandardLib.Greeter().Greet("lib") + "/" + NetStandardLib.Greeter.Add(2, 3),
        ["api"] = () =>
        {
            global::NewRelic.Api.Agent.NewRelic.RecordMetric("Custom/Metric", 1.5f);
            global::NewRelic.Api.Agent.NewRelic.NoticeError("message");
            global::NewRelic.Api.Agent.NewRelic.NoticeError(new InvalidOperationException("api error"));
            global::NewRelic.Api.Agent.NewRelic.DisableBrowserMonitoring(true);
            return global::NewRelic.Api.Agent.NewRelic.GetBrowserTimingHeader() + "|" + global::NewRelic.Api.Agent.NewRelic.GetAgent();
        },
        // Which delegate the profiler cached for GetFinishTracerDelegate, if any;
        // meaningful after a scenario that called an instrumented method. Differs
        // with the profiler by design (excluded from output comparisons).
        ["agent-cache"] = () =>
            AppContext.GetData("NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate")?.GetType().Name ?? "none",
        ["attributes"] = () => Attributed.Traced(1) + "/" + Attributed.OtherTransaction() + "/" + Attributed.WebTransaction() + "/" + Attributed.AsyncTraced().GetAwaiter().GetResult(),
    };
}

// Scenarios only the tests of one feature ask for, by name or with "all".
// Kept out of Scenarios, whose members and lambdas the reference recordings
// name, and out of the default run's path.
public static class OptInScenarios
{
    public static string[] Expand(string[] args)
    {
        if (args.Length != 1 || args[0] != "all") return args;
        var names = new List<string>(Scenarios.All.Keys);
        names.Add("agent-cache-appdomain");
        return names.ToArray();
    }

    public static bool TryGet(string name, out Func<string> scenario)
    {
        // The .NET Framework path under the profiler's test switch
        // (NEWRELIC_PROFILER_TEST_FRAMEWORK_HELPERS): what the AppDomain
        // storage holds for GetFinishTracerDelegate, and the helper methods
        // injected into CoreLib's CannotUnloadAppDomainException with their
        // attributes (reference-profiler §5.5). "none; helpers=0" otherwise.
        scenario = name == "agent-cache-appdomain" ? AppDomainHelpers.Describe : null!;
        return scenario != null;
    }
}

public static class AppDomainHelpers
{
    private static readonly string[] Names =
    {
        "LoadAssemblyOrThrow", "GetTypeViaReflectionOrThrow", "GetMethodViaReflectionOrThrow",
        "GetMethodFromAppDomainStorage", "GetMethodFromAppDomainStorageOrReflectionOrThrow",
        "StoreMethodInAppDomainStorageOrThrow",
    };

    public static string Describe()
    {
        const string key = "NewRelic.Agent.Core.AgentShim.GetFinishTracerDelegate_0";
        var stored = AppDomain.CurrentDomain.GetData(key) is System.Reflection.MethodInfo m
            ? m.DeclaringType!.FullName + "." + m.Name
            : "none";
        var shapes = new SortedSet<string>();
        var count = 0;
        foreach (var name in Names)
        {
            var method = typeof(CannotUnloadAppDomainException).GetMethod(name,
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static);
            if (method == null) continue;
            count++;
            var traits = new List<string>();
            if (method.IsHideBySig) traits.Add("hidebysig");
            if ((method.Attributes & System.Reflection.MethodAttributes.HasSecurity) != 0) traits.Add("HasSecurity");
            if ((method.MethodImplementationFlags & System.Reflection.MethodImplAttributes.NoInlining) != 0) traits.Add("noinlining");
            foreach (var a in method.GetCustomAttributesData()) traits.Add(a.AttributeType.Name);
            shapes.Add(string.Join(" ", traits));
        }
        // One of the helpers, called directly: the same MethodInfo back.
        var direct = count == 0 ? "n/a" : typeof(CannotUnloadAppDomainException)
            .GetMethod("GetMethodFromAppDomainStorage")!
            .Invoke(null, new object[] { key }) is System.Reflection.MethodInfo d ? d.Name : "null";
        return stored + "; helpers=" + count + " [" + string.Join("|", shapes) + "]; direct=" + direct;
    }
}

public record Customer(string Name)
{
    public Customer() : this("default") { }
}

public class Calls
{
    public static int FinallyCount;

    public string Label { get; }

    public Calls() => Label = "none";

    public Calls(string label) => Label = label;

    public static void StaticVoid() => FinallyCount += 0;

    public int InstanceInt(int x) => x * 2;

    public string ClassParam(Customer c) => "hello " + c.Name;

    public static Customer ClassReturn(string name) => new(name);

    public static Guid StructReturn() => new("0f8fad5b-d9cb-469f-a165-70867728950e");

    public static T GenericReturn<T>(T value) => value;

    public static void RefOut(ref int a, out string b)
    {
        a += 41;
        b = "out-value";
    }

    public static int Params(params int[] values) => values.Sum();

    public static int Fourteen(bool a1, bool a2, bool a3, bool a4, bool a5, bool a6, bool a7, bool a8, bool a9, bool a10, bool a11, bool a12, bool a13, bool a14)
        => new[] { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14 }.Count(b => b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int ManyReturns(int x)
    {
        if (x == 0) return 100;
        if (x == 1) return 101;
        if (x == 2) { for (var i = 0; i < 3; i++) { if (i == 2) return 102 + i; } }
        if (x == 3) return 103;
        return x * 1000;
    }

    public static string Switch(int x)
    {
        switch (x)
        {
            case 0: return "zero";
            case 1: return "one";
            case 2: return "two";
            case 3: return "three";
            default: return "many";
        }
    }

    public static int Tiny() => 42;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Throws(int x) => throw new InvalidOperationException("boom " + x);

    public static int CatchesInside()
    {
        try { throw new ArgumentException("inner"); }
        catch (ArgumentException) { return 5; }
    }

    public static int FinallyInside()
    {
        try { return 1; }
        finally { FinallyCount++; }
    }

    public static int FilterInside(int x)
    {
        try { throw new ArgumentException("filtered"); }
        catch (ArgumentException) when (x > 0) { return 1; }
        catch (ArgumentException) { return 2; }
    }

    public static async Task<int> AsyncWork(int x)
    {
        await Task.Yield();
        return x + 1;
    }

    public static string Overloaded(string s) => "string:" + s;

    public static string Overloaded(int i) => "int:" + i;

    public static int Wrap<T>(List<Dictionary<string, T>> items) => items.Count;

    public static int StructConstraint<T>(T value) where T : struct, IComparable<T> => value.CompareTo(default);

    public static int VersionInRange() => 1;

    public static int VersionOutOfRange() => 2;

    public static string Outer() => "outer";

    public static string CalledFromAgent() => "from-agent";
}

public class Outer
{
    public class Inner
    {
        // Nested types are not found by the eager ReJIT at module load
        // (FindTypeDefByName cannot see `Outer+Inner`, §5.8); they are reached
        // through the JIT → ReJIT path, so the call must not be inlined.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public string Name() => "inner";
    }
}

public class GenericClass<T>
{
    public T Echo(T value) => value;

    public TOut Convert<TOut>(T value, Func<T, TOut> f) => f(value);

    public class Nested
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public string Hello(T value) => "nested " + value;
    }
}

public class Constrained<T> where T : class, new()
{
    public T Make() => new();
}

public interface ICovariant<out T>
{
    T Get();
}

public interface IContravariant<in T>
{
    string Take(T value);
}

public class CovariantBox<T>(T value) : ICovariant<T>
{
    public T Get() => value;
}

public class ContravariantSink<T> : IContravariant<T>
{
    public string Take(T value) => "took " + value;
}

public class BaseClass
{
    public virtual string Foo() => "base";
}

public class Derived : BaseClass
{
    public override string Foo() => "derived+" + base.Foo();
}

public struct Point(int x, int y)
{
    public int Sum() => x + y;
}

public static class Attributed
{
    [global::NewRelic.Api.Agent.Trace]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Traced(int x) => x + 1;

    [global::NewRelic.Api.Agent.Transaction]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string OtherTransaction() => "other";

    [global::NewRelic.Api.Agent.Transaction(Web = true)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string WebTransaction() => "web";

    [global::NewRelic.Api.Agent.Trace]
    public static async Task<string> AsyncTraced()
    {
        await Task.Yield();
        return "async";
    }
}
