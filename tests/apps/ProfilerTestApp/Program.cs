// A small console application the integration tests run under the profiler.
// Its first line is always "PID=<pid>" so a test can find the profiler log
// of exactly this process; the rest depends on the arguments.
using System.Diagnostics;
using System.Text;

namespace ProfilerTestApp;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        Console.WriteLine($"PID={Environment.ProcessId}");
        var mode = args.Length > 0 ? args[0] : "hello";
        switch (mode)
        {
            case "hello":
                Console.WriteLine("ProfilerTestApp: hello from .NET " + Environment.Version);
                Console.WriteLine("Unicode check: héllo ✓ 日本語");
                Console.WriteLine($"Work result: {Work.Compute(20)}");
                return 0;
            case "exit":
                return args.Length > 1 ? int.Parse(args[1]) : 0;
            case "sleep":
                Thread.Sleep(args.Length > 1 ? int.Parse(args[1]) : 1000);
                Console.WriteLine("slept");
                return 0;
            case "spawn":
                // Runs a child process with the same environment and echoes its output.
                var start = new ProcessStartInfo(args[1]) { RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in args.Skip(2)) start.ArgumentList.Add(a);
                using (var child = Process.Start(start))
                {
                    Console.Write(child.StandardOutput.ReadToEnd());
                    child.WaitForExit();
                    Console.WriteLine($"child exit={child.ExitCode}");
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown mode {mode}");
                return 2;
        }
    }
}

public static class Work
{
    public static long Compute(int n)
    {
        long a = 0, b = 1;
        for (var i = 0; i < n; i++)
        {
            (a, b) = (b, a + b);
        }
        return a;
    }
}
