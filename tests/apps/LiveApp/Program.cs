// Scenarios for the live-instrumentation exports. The exports are reached
// through NewRelic.Agent.Core.NativeMethods in the agent home, loaded from
// the same path the injected code uses.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace LiveApp;

public static class Program
{
    private static string Home => Environment.GetEnvironmentVariable("CORECLR_NEW_RELIC_HOME");

    private static int Native(string name, params object[] args)
    {
        var agent = Assembly.LoadFrom(Path.Combine(Home, "NewRelic.Agent.Core.dll"));
        var method = agent.GetType("NewRelic.Agent.Core.NativeMethods").GetMethod(name);
        return (int)method.Invoke(null, args);
    }

    /// A phase boundary in the agent log.
    private static void Marker(string name)
    {
        var path = Environment.GetEnvironmentVariable("NEWRELIC_TEST_AGENT_LOG");
        if (!string.IsNullOrEmpty(path))
        {
            File.AppendAllText(path, "Marker\t" + name + "\n", new UTF8Encoding(false));
        }
        Console.WriteLine("marker " + name);
    }

    private static void CallTargets()
    {
        Console.WriteLine($"One={Targets.One()} Two={Targets.Two()} Three={Targets.Three()}");
    }

    public static int Main(string[] args)
    {
        Console.WriteLine($"PID={Environment.ProcessId}");
        switch (args[0])
        {
            case "refresh":
            {
                // args: <extension file> <replacement xml file> <broken xml file>
                CallTargets();
                File.Copy(args[2], args[1], overwrite: true);
                Marker("refreshed");
                Console.WriteLine($"refresh={Native("InstrumentationRefresh")}");
                CallTargets();
                File.WriteAllText(Path.Combine(Path.GetDirectoryName(args[1]), "Broken.xml"), "<extension><instrumentation>");
                Console.WriteLine($"refresh-invalid={Native("InstrumentationRefresh")}");
                Marker("after-invalid");
                CallTargets();
                return 0;
            }
            case "reload":
            {
                // args: <new newrelic.config> <broken newrelic.config>
                CallTargets();
                File.Copy(args[1], Path.Combine(Home, "newrelic.config"), overwrite: true);
                Console.WriteLine($"reload={Native("ReloadConfiguration")}");
                Marker("reloaded");
                CallTargets();
                File.Copy(args[2], Path.Combine(Home, "newrelic.config"), overwrite: true);
                Console.WriteLine($"reload-broken={(Native("ReloadConfiguration") == 0 ? "ok" : "error")}");
                Marker("after-broken");
                CallTargets();
                return 0;
            }
            case "live":
            {
                // args: <custom xml file>
                CallTargets();
                Console.WriteLine($"add={Native("AddCustomInstrumentation", "live-instrumentation.xml", File.ReadAllText(args[1]))}");
                Console.WriteLine($"apply={Native("ApplyCustomInstrumentation")}");
                Marker("applied");
                CallTargets();
                Console.WriteLine($"apply-empty={Native("ApplyCustomInstrumentation")}");
                Marker("removed");
                CallTargets();
                Console.WriteLine($"apply-again={Native("ApplyCustomInstrumentation")}");
                return 0;
            }
            case "race":
            {
                // args: <threads> <rounds> <refreshes>
                int threads = int.Parse(args[1]), rounds = int.Parse(args[2]), refreshes = int.Parse(args[3]);
                long calls = 0;
                var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
                {
                    for (var r = 0; r < rounds; r++)
                    {
                        for (var m = 0; m < 40; m++)
                        {
                            RaceTargets.Call((m + t) % 40, r);
                            Interlocked.Increment(ref calls);
                        }
                    }
                })).ToList();
                workers.ForEach(w => w.Start());
                var codes = new List<int>();
                for (var i = 0; i < refreshes; i++)
                {
                    codes.Add(Native("InstrumentationRefresh"));
                }
                workers.ForEach(w => w.Join());
                Console.WriteLine($"calls={calls} refreshes={string.Join(",", codes.Distinct())}");
                return 0;
            }
            case "time-refresh":
            {
                // args: <refreshes>: loads the framework assemblies a web app uses, then times refreshes.
                foreach (var name in new[] { "System.Net.Http", "System.Text.Json", "System.Linq", "System.Collections.Concurrent", "System.Xml", "System.Data.Common", "System.Private.Xml", "System.Text.RegularExpressions" })
                {
                    Assembly.Load(name);
                }
                var modules = AppDomain.CurrentDomain.GetAssemblies().Length;
                var times = new List<double>();
                for (var i = 0; i < int.Parse(args[1]); i++)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var code = Native("InstrumentationRefresh");
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    if (code != 0) Console.WriteLine($"refresh returned {code}");
                }
                times.Sort();
                Console.WriteLine($"modules={modules} refresh-ms-median={times[times.Count / 2]:F2} refresh-ms-max={times[^1]:F2}");
                return 0;
            }
            case "unattached":
            {
                // args: <profiler library path>: load it without the runtime having attached it.
                var handle = NativeLibrary.Load(args[1]);
                unsafe
                {
                    var refresh = (delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(handle, "InstrumentationRefresh");
                    var reload = (delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(handle, "ReloadConfiguration");
                    var apply = (delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(handle, "ApplyCustomInstrumentation");
                    var add = (delegate* unmanaged[Cdecl]<byte*, byte*, int>)NativeLibrary.GetExport(handle, "AddCustomInstrumentation");
                    var name = Encoding.UTF8.GetBytes("x.xml\0");
                    fixed (byte* n = name)
                    {
                        Console.WriteLine($"refresh={refresh():x8} reload={reload():x8} add={add(n, n):x8} apply={apply():x8}");
                    }
                }
                return 0;
            }
            default:
                Console.WriteLine("unknown scenario");
                return 2;
        }
    }
}

public static class Targets
{
    [MethodImpl(MethodImplOptions.NoInlining)] public static int One() => 1;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int Two() => 2;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int Three() => 3;
}
