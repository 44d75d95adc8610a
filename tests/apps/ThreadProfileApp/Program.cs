// Thread-profiler scenarios run under the profiler. The first line is
// "PID=<pid>" (the tests find the profiler log by it); each check prints
// "PASS <name>" or "FAIL <name>: <why>", measurements print as
// "TIMING ..." / "MEMORY ..." lines; the exit code counts the failures.
using System.Diagnostics;
using System.Runtime.InteropServices;
using static ThreadProfileApp.Check;

namespace ThreadProfileApp;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine($"PID={Environment.ProcessId}");
        foreach (var mode in args.TakeWhile(a => a != "--"))
        {
            var rest = args.SkipWhile(a => a != "--").Skip(1).ToArray();
            switch (mode)
            {
                case "interop": Interop.RunAll(); break;
                case "interop-parked": Interop.RunAllParked(); break;
                case "parked": Test("parked_threads_named", () => Scenarios.ParkedThreadsAreNamed(100)); break;
                case "errors": Test("argument_and_state_errors", Scenarios.ArgumentAndStateErrors); break;
                case "deep": Test("deep_stack_is_capped", Scenarios.DeepStackIsCapped); break;
                case "abort": Test("shutdown_aborts_a_waiting_request", Scenarios.ShutdownAbortsAWaitingRequest); break;
                case "shutdown": Test("shutdown_forgets_names_and_restarts", Scenarios.ShutdownForgetsNamesAndRestarts); break;
                case "memory": Test("memory_stays_flat", () => Scenarios.MemoryStaysFlat(int.Parse(rest[0]), int.Parse(rest[1]), int.Parse(rest[2]))); break;
                case "timing": Test("timing", () => Scenarios.Timing(rest.Select(int.Parse).ToArray())); break;
                case "dynamic": Test("dynamic_method_frame", Scenarios.DynamicMethodFrame); break;
                case "notinit": Scenarios.NotInitialised(rest.Length > 0 ? rest[0] : null); break;
                case "races":
                    Test("concurrent_requests_both_return", Races.ConcurrentRequestsBothReturn);
                    Test("shutdown_races_end_every_request", Races.ShutdownRacesEndEveryRequest);
                    break;
                default: Console.Error.WriteLine($"unknown mode {mode}"); return 100;
            }
        }
        return Check.Failures;
    }
}

public static class Check
{
    public static int Failures;

    public static void That(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    public static void Test(string name, Action body)
    {
        try
        {
            body();
            Console.WriteLine($"PASS {name}");
        }
        catch (Exception e)
        {
            Failures++;
            Console.WriteLine($"FAIL {name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }
}

public static class Scenarios
{
    static Dictionary<UIntPtr, FidTypeMethodName> Names(IEnumerable<UIntPtr> fids)
    {
        var distinct = fids.Distinct().ToArray();
        var names = NativeMethods.GetFunctionInfo(distinct, out int hr);
        That(hr == 0, $"RequestFunctionNames returned {hr:X}");
        return names.ToDictionary(n => n.FunctionID);
    }

    static ThreadSnapshot Only(ThreadSnapshot[] snaps, UIntPtr id)
    {
        var found = snaps.Where(s => s.ThreadId == id).ToArray();
        That(found.Length == 1, $"thread {id} appears {found.Length} times");
        return found[0];
    }

    static bool Is(FidTypeMethodName n, string type, string method) => n.TypeName == type && n.MethodName == method;

    public static void ParkedThreadsAreNamed(int count)
    {
        using var parked = new ParkedThreads(count, depth: 2);
        var snaps = NativeMethods.GetProfileWithRelease(out int hr);
        That(hr == 0, $"RequestProfile returned {hr:X}");
        That(snaps.Length > count, $"{snaps.Length} records for {count} parked threads");
        That(snaps.All(s => s.ErrorCode == 0), "a record carries an error: " + string.Join(",", snaps.Where(s => s.ErrorCode != 0).Select(s => s.ErrorCode.ToString("X"))));
        var names = Names(snaps.SelectMany(s => s.FunctionIDs));
        foreach (var id in parked.Ids)
        {
            That(id != UIntPtr.Zero, "GetCurrentExecutionEngineThreadId returned 0");
            var frames = Only(snaps, id).FunctionIDs;
            That(frames.Count(f => names.TryGetValue(f, out var n) && Is(n, "ThreadProfileApp.Parking", "ParkHere")) == 1, $"thread {id}: no single ParkHere frame");
            That(frames.Count(f => names.TryGetValue(f, out var n) && Is(n, "ThreadProfileApp.Parking", "Descend")) == 3, $"thread {id}: not 3 Descend frames");
        }
        var sample = Only(snaps, parked.Ids.First()).FunctionIDs;
        Console.WriteLine("STACK " + string.Join(" <- ", sample.Select(f => f == UIntPtr.Zero ? "[native]" : $"{names[f].TypeName}.{names[f].MethodName}")));
    }

    public static void ArgumentAndStateErrors()
    {
        int hr = NativeMethods.RequestProfileRaw(IntPtr.Zero, IntPtr.Zero);
        That(hr == NativeMethods.E_INVALIDARG, $"RequestProfile(null, null): {hr:X}");
        IntPtr slot = Marshal.AllocHGlobal(IntPtr.Size);
        try
        {
            hr = NativeMethods.RequestProfileRaw(slot, IntPtr.Zero);
            That(hr == NativeMethods.E_INVALIDARG, $"RequestProfile(p, null): {hr:X}");
            hr = NativeMethods.RequestProfileRaw(IntPtr.Zero, slot);
            That(hr == NativeMethods.E_INVALIDARG, $"RequestProfile(null, p): {hr:X}");
            hr = NativeMethods.RequestFunctionNamesRaw(slot, 1, IntPtr.Zero);
            That(hr == NativeMethods.E_INVALIDARG, $"RequestFunctionNames(ids, 1, null): {hr:X}");
        }
        finally
        {
            Marshal.FreeHGlobal(slot);
        }
        hr = NativeMethods.RequestFunctionNames(new UIntPtr[] { UIntPtr.Zero }, -1, out _);
        That(hr == NativeMethods.E_INVALIDARG, $"RequestFunctionNames(length -1): {hr:X}");
        hr = NativeMethods.RequestFunctionNames(new UIntPtr[0], 0, out _);
        That(hr == NativeMethods.E_INVALIDARG, $"RequestFunctionNames(length 0): {hr:X}");

        int first = NativeMethods.RequestProfile(out IntPtr p1, out int n1);
        int second = NativeMethods.RequestProfile(out _, out _);
        That(first == 0 && p1 != IntPtr.Zero && n1 > 0, $"first request {first:X} {p1} {n1}");
        That(second == NativeMethods.E_FAIL, $"second request before release: {second:X}");
        NativeMethods.ReleaseProfile();
        int third = NativeMethods.RequestProfile(out _, out int n3);
        NativeMethods.ReleaseProfile();
        That(third == 0 && n3 > 0, $"request after release: {third:X}");

        var unknown = NativeMethods.GetFunctionInfo(new[] { UIntPtr.Zero, UIntPtr.MaxValue }, out hr);
        That(hr == 0, $"RequestFunctionNames(0, ~0): {hr:X}");
        foreach (var n in unknown)
        {
            That(n.TypeName == "UnknownClass" && n.MethodName == "UnknownMethod(error)", $"{n.FunctionID}: {n.TypeName}.{n.MethodName}");
        }
        That(unknown[0].FunctionID == UIntPtr.Zero && unknown[1].FunctionID == UIntPtr.MaxValue, "ids not echoed");
    }

    public static void DeepStackIsCapped()
    {
        const int MaxFrames = 1337;
        using var shallow = new ParkedThreads(1, depth: 999, stackSize: 16 << 20);
        using var deep = new ParkedThreads(1, depth: 1999, stackSize: 16 << 20);
        var snaps = NativeMethods.GetProfileWithRelease(out int hr);
        That(hr == 0, $"RequestProfile returned {hr:X}");
        var s = Only(snaps, shallow.Ids.First());
        var d = Only(snaps, deep.Ids.First());
        var names = Names(s.FunctionIDs.Concat(d.FunctionIDs ?? Array.Empty<UIntPtr>()));
        bool IsDescend(UIntPtr f) => names.TryGetValue(f, out var n) && Is(n, "ThreadProfileApp.Parking", "Descend");
        That(s.ErrorCode == 0, $"1000-deep thread: {s.ErrorCode:X}");
        That(s.FunctionIDs.Count(IsDescend) == 1000, $"1000-deep thread has {s.FunctionIDs.Count(IsDescend)} Descend frames");
        int others = s.FunctionIDs.Length - 1000;
        int total = 2000 + others;
        That(d.ErrorCode == NativeMethods.S_FALSE, $"2000-deep thread: error code {d.ErrorCode:X}, expected S_FALSE");
        That(d.FunctionIDs.Length == total - MaxFrames, $"2000-deep thread kept {d.FunctionIDs.Length} frames, expected {total - MaxFrames}");
        // The kept frames are the root-most ones: the same root as the shallow thread.
        That(d.FunctionIDs.Last() == s.FunctionIDs.Last(), "roots differ");
        int rootFrames = s.FunctionIDs.Length - Array.FindLastIndex(s.FunctionIDs, f => IsDescend(f)) - 1;
        That(d.FunctionIDs.Count(IsDescend) == d.FunctionIDs.Length - rootFrames, "kept frames are not the root-most");
        Console.WriteLine($"DEEP frames_total={total} kept={d.FunctionIDs.Length} hresult={d.ErrorCode}");
    }

    /// Keeps calling ShutdownThreadProfiler on another thread while this one
    /// requests a profile, until a request is aborted (or attempts run out).
    public static (int aborts, int completed, int attempts) RequestWhileShuttingDown(int maxAttempts)
    {
        int aborts = 0, completed = 0, attempts = 0;
        while (aborts == 0 && attempts < maxAttempts)
        {
            attempts++;
            int stop = 0;
            using var running = new ManualResetEventSlim(false);
            var stopper = new Thread(() =>
            {
                running.Set();
                while (Volatile.Read(ref stop) == 0)
                {
                    NativeMethods.ShutdownThreadProfiler();
                    Thread.SpinWait(50);
                }
            }) { IsBackground = true };
            stopper.Start();
            running.Wait();
            int hr = NativeMethods.RequestProfile(out IntPtr p, out int n);
            Volatile.Write(ref stop, 1);
            stopper.Join();
            NativeMethods.ReleaseProfile();
            if (hr == NativeMethods.E_ABORT)
            {
                That(p == IntPtr.Zero && n == 0, "an aborted request returned data");
                aborts++;
            }
            else
            {
                That(hr == 0, $"RequestProfile returned {hr:X}");
                completed++;
            }
        }
        return (aborts, completed, attempts);
    }

    public static void ShutdownAbortsAWaitingRequest()
    {
        using var parked = new ParkedThreads(200, depth: 20);
        var (aborts, completed, attempts) = RequestWhileShuttingDown(maxAttempts: 50);
        Console.WriteLine($"ABORT attempts={attempts} aborted={aborts} completed={completed}");
        That(aborts > 0, "no request was aborted");
        // A later request starts a new worker.
        var snaps = NativeMethods.GetProfileWithRelease(out int hr);
        That(hr == 0 && snaps.Length > 200, $"request after abort: {hr:X}, {snaps.Length} records");
    }

    public static void ShutdownForgetsNamesAndRestarts()
    {
        using var parked = new ParkedThreads(3, depth: 1);
        var snaps = NativeMethods.GetProfileWithRelease(out int hr);
        That(hr == 0, $"RequestProfile returned {hr:X}");
        var fid = Only(snaps, parked.Ids.First()).FunctionIDs.First(f => Names(new[] { f }).Values.Single().MethodName == "ParkHere");
        NativeMethods.ShutdownThreadProfiler();
        var after = Names(new[] { fid })[fid];
        That(after.TypeName == "UnknownClass" && after.MethodName == "UnknownMethod(error)", $"after shutdown: {after.TypeName}.{after.MethodName}");
        NativeMethods.ShutdownThreadProfiler(); // twice is harmless
        snaps = NativeMethods.GetProfileWithRelease(out hr);
        That(hr == 0 && snaps.Length > 3, $"request after shutdown: {hr:X}");
        var again = Names(new[] { fid })[fid];
        That(Is(again, "ThreadProfileApp.Parking", "ParkHere"), $"after restart: {again.TypeName}.{again.MethodName}");
    }

    static long RssKb()
    {
        // Windows (Wine included): the working set is the resident set.
        if (!OperatingSystem.IsLinux()) return Environment.WorkingSet / 1024;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        return Environment.WorkingSet / 1024;
    }

    static void ProfileAndName()
    {
        var snaps = NativeMethods.GetProfileWithRelease(out int hr);
        That(hr == 0, $"RequestProfile returned {hr:X}");
        Names(snaps.SelectMany(s => s.FunctionIDs));
    }

    static long SettledRssKb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return RssKb();
    }

    /// Profiles (and names every frame, as the agent does at the end of a
    /// session) `warmup` times, then `profiles` more times, reporting the
    /// resident set at the start, after the warm-up and at the end.
    public static void MemoryStaysFlat(int threads, int warmup, int profiles)
    {
        using var parked = new ParkedThreads(threads, depth: 5);
        ProfileAndName();
        long start = SettledRssKb();
        for (int i = 0; i != warmup; ++i) ProfileAndName();
        long before = SettledRssKb();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i != profiles; ++i) ProfileAndName();
        watch.Stop();
        long after = SettledRssKb();
        Console.WriteLine($"MEMORY threads={threads} warmup={warmup} profiles={profiles} rss_start_kb={start} rss_after_warmup_kb={before} rss_end_kb={after} growth_kb={after - before} ms_per_profile={watch.Elapsed.TotalMilliseconds / profiles:0.000}");
    }

    public static void Timing(int[] counts)
    {
        foreach (var count in counts)
        {
            using var parked = new ParkedThreads(count, depth: 10);
            for (int i = 0; i != 3; ++i) ProfileAndName();
            const int Rounds = 20;
            var times = new double[Rounds];
            int records = 0;
            for (int i = 0; i != Rounds; ++i)
            {
                var watch = Stopwatch.StartNew();
                int hr = NativeMethods.RequestProfile(out _, out records);
                watch.Stop();
                NativeMethods.ReleaseProfile();
                That(hr == 0, $"RequestProfile returned {hr:X}");
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            Console.WriteLine($"TIMING parked={count} records={records} median_ms={times[Rounds / 2]:0.000} min_ms={times[0]:0.000} max_ms={times[Rounds - 1]:0.000}");
        }
    }

    /// A thread blocked below a DynamicMethod (no metadata): the runtime does
    /// not report such frames to DoStackSnapshot, so no name lookup fails and
    /// the thread's record is complete.
    public static void DynamicMethodFrame()
    {
        var park = typeof(Parking).GetMethod(nameof(Parking.ParkHere));
        var dynamic = new System.Reflection.Emit.DynamicMethod("DynamicPark", typeof(void),
            new[] { typeof(CountdownEvent), typeof(ManualResetEvent), typeof(System.Collections.Concurrent.ConcurrentBag<UIntPtr>) }, typeof(Parking).Module);
        var il = dynamic.GetILGenerator();
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_0);
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_1);
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_2);
        il.Emit(System.Reflection.Emit.OpCodes.Call, park);
        il.Emit(System.Reflection.Emit.OpCodes.Ret);
        var invoke = (Action<CountdownEvent, ManualResetEvent, System.Collections.Concurrent.ConcurrentBag<UIntPtr>>)dynamic.CreateDelegate(
            typeof(Action<CountdownEvent, ManualResetEvent, System.Collections.Concurrent.ConcurrentBag<UIntPtr>>));
        using var ready = new CountdownEvent(1);
        using var release = new ManualResetEvent(false);
        var ids = new System.Collections.Concurrent.ConcurrentBag<UIntPtr>();
        var thread = new Thread(() => invoke(ready, release, ids)) { IsBackground = true };
        thread.Start();
        while (!ready.IsSet) Thread.Sleep(1); // as in ParkedThreads
        while ((thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) == 0) Thread.Sleep(1);
        try
        {
            for (int round = 0; round != 3; ++round)
            {
                var snaps = NativeMethods.GetProfileWithRelease(out int hr);
                That(hr == 0, $"RequestProfile returned {hr:X}");
                var s = Only(snaps, ids.First());
                var frames = s.FunctionIDs ?? Array.Empty<UIntPtr>();
                var names = frames.Length > 0 ? Names(frames) : new Dictionary<UIntPtr, FidTypeMethodName>();
                Console.WriteLine($"DYNAMIC round={round} error={s.ErrorCode:X} frames=" + string.Join(" <- ", frames.Select(f => f == UIntPtr.Zero ? "[native]" : $"{names[f].TypeName}.{names[f].MethodName}")));
                That(s.ErrorCode == 0, $"round {round}: error code {s.ErrorCode:X}");
                That(frames.Count(f => f != UIntPtr.Zero && Is(names[f], "ThreadProfileApp.Parking", "ParkHere")) == 1, $"round {round}: no ParkHere frame");
            }
        }
        finally
        {
            release.Set();
            thread.Join();
        }
    }

    /// The five exports in a process where the profiler is not initialised.
    public static void NotInitialised(string libraryPath)
    {
        if (libraryPath != null) NativeLibrary.Load(libraryPath);
        int rp = NativeMethods.RequestProfile(out IntPtr p, out int n);
        int rfn = NativeMethods.RequestFunctionNames(new UIntPtr[] { (UIntPtr)1 }, 1, out IntPtr r);
        UIntPtr id = NativeMethods.GetCurrentExecutionEngineThreadId();
        NativeMethods.ReleaseProfile();
        NativeMethods.ShutdownThreadProfiler();
        Console.WriteLine($"NOTINIT RequestProfile={rp:X8} RequestFunctionNames={rfn:X8} ThreadId={id} snapshots={p} length={n} results={r}");
    }
}
