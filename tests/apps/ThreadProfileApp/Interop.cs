// The original profiler's eight thread-profiler tests
// (Profiler/ProfiledMethods/Interop.cs, NUnit, never run in CI), ported to
// run in one process in the same order. Two deliberate changes: the
// "without freeing previous" test expects E_FAIL (what the original code
// returns; the test's E_ILLEGAL_METHOD_CALL was stale), and the abort test
// keeps calling ShutdownThreadProfiler from another thread while the request
// is in flight (the original fired one timer and accepted whichever came
// first, which is a race) — it retries until a request was aborted.
//
// `RunAll` ("interop") is the port as the reference recordings of the
// original profiler ran it (../shared/reference-runs/tp-interop), so its
// methods stay as they are: the recordings list every method the run
// JIT-compiles. `RunAllParked` ("interop-parked", what the integration tests
// and build_targets/runtime-check run on every platform) is the same eight
// checks, but VerifyThreadIDs parks its threads on a kernel event
// (ManualResetEvent) and waits until each is blocked, instead of the
// original's ManualResetEventSlim, which spins before it blocks: CoreCLR on
// Unix cannot snapshot a thread still running managed code (E_NOTIMPL), and
// under an emulator (qemu-user) the spin lasts long enough to be caught in
// it. The parked variant's methods come last in the class, so that the
// compiler's names for the closures above are unchanged.
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using static ThreadProfileApp.Check;

namespace ThreadProfileApp;

public class Interop
{
    const string UnknownClass = "UnknownClass";
    const string UnknownMethod = "UnknownMethod(error)";

    public static void RunAll()
    {
        var t = new Interop();
        Test("Request_profile_n_times_request_fnames", t.Request_profile_n_times_request_fnames);
        Test("Request_profile_then_request_fnames_n_times", t.Request_profile_then_request_fnames_n_times);
        Test("Request_profile_then_rfn_rfn", t.Request_profile_then_rfn_rfn);
        Test("RequestProfile_Abort", t.RequestProfile_Abort);
        Test("RequestProfile_VerifyThreadIDs", t.RequestProfile_VerifyThreadIDs);
        Test("Request_profile_without_freeing_previous", t.Request_profile_without_freeing_previous);
        Test("Request_function_names_invalidargs", t.Request_function_names_invalidargs);
        Test("Request_function_names_invalid_functionids", t.Request_function_names_invalid_functionids);
    }

    void Request_profile_baseline(List<UIntPtr> functionIds, Dictionary<UIntPtr, UIntPtr[]> byThread = null)
    {
        var snapshot = NativeMethods.GetProfileWithRelease(out int hr);
        That(hr >= 0, $"hr {hr:X}");
        That(snapshot.Length > 0, "snapshot.Length count is <= 0");
        foreach (var snap in snapshot)
        {
            That(snap.ThreadId != UIntPtr.Zero, "ThreadId should be non-zero");
            That(snap.ErrorCode >= 0, $"thread {snap.ThreadId} has error code {snap.ErrorCode:X}");
            That(snap.FunctionIDs != null && snap.FunctionIDs.Length != 0, "empty list of function ids was returned with a successful error code.");
            functionIds?.AddRange(snap.FunctionIDs);
            if (byThread != null) byThread[snap.ThreadId] = snap.FunctionIDs;
        }
    }

    FidTypeMethodName[] Request_function_names_baseline(List<UIntPtr> functionIds)
    {
        That(functionIds.Count > 0, "functionIds count is <= 0");
        var distinct = functionIds.Distinct().ToArray();
        FidTypeMethodName[] results;
        int hr;
        try
        {
            results = NativeMethods.GetFunctionInfo(distinct, out hr);
        }
        finally
        {
            NativeMethods.ShutdownThreadProfiler();
        }
        That(hr == 0, $"RequestFunctionNames returned {hr:X}");
        That(results.Length > 0, "results from GetFunctionInfo was empty");
        That(results[0].FunctionID == distinct[0], "GetFunctionInfo results function id did not match");
        That(results[0].TypeName.Length != 0, "type name was zero length");
        That(results[0].MethodName.Length != 0, "method name was zero length");
        return results;
    }

    void Request_profile_n_times_request_fnames()
    {
        var functionIds = new List<UIntPtr>();
        Request_profile_baseline(functionIds);
        Request_profile_baseline(functionIds);
        Request_profile_baseline(functionIds);
        Request_function_names_baseline(functionIds);
    }

    void Request_profile_then_request_fnames_n_times()
    {
        var functionIds = new List<UIntPtr>();
        Request_profile_baseline(functionIds);
        Request_function_names_baseline(functionIds);
        functionIds.Clear();
        Request_profile_baseline(functionIds);
        Request_function_names_baseline(functionIds);
    }

    void Request_profile_then_rfn_rfn()
    {
        // The second request for names comes after ShutdownThreadProfiler
        // (in the baseline's finally): every name is unknown.
        var functionIds = new List<UIntPtr>();
        Request_profile_baseline(functionIds);
        var first = Request_function_names_baseline(functionIds);
        That(first.Any(n => n.TypeName != UnknownClass), "no function was named");
        var results = Request_function_names_baseline(functionIds);
        That(string.Equals(results[0].TypeName, UnknownClass, StringComparison.OrdinalIgnoreCase), $"type {results[0].TypeName}");
        That(string.Equals(results[0].MethodName, UnknownMethod, StringComparison.OrdinalIgnoreCase), $"method {results[0].MethodName}");
        That(results.All(n => n.TypeName == UnknownClass && n.MethodName == UnknownMethod), "a name survived the shutdown");
    }

    void RequestProfile_Abort()
    {
        using var recursing = new ParkedThreads(10, depth: 9, stackSize: 4096 * 16);
        NativeMethods.RequestProfile(out _, out _);
        NativeMethods.ReleaseProfile();
        var (aborts, completed, attempts) = Scenarios.RequestWhileShuttingDown(maxAttempts: 200);
        Console.WriteLine($"ABORT attempts={attempts} aborted={aborts} completed={completed}");
        That(aborts > 0, "no request was aborted");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void RecurseFunc(object o, ref int threadsWaiting, ConcurrentBag<UIntPtr> recurseThreadIds, ManualResetEventSlim recurseEvent)
    {
        int depth = (int)o;
        if (--depth == 0)
        {
            Interlocked.Increment(ref threadsWaiting);
            recurseThreadIds.Add(NativeMethods.GetCurrentExecutionEngineThreadId());
            recurseEvent.Wait();
        }
        else
            RecurseFunc(depth, ref threadsWaiting, recurseThreadIds, recurseEvent);
    }

    void RequestProfile_VerifyThreadIDs()
    {
        using var recurseEvent = new ManualResetEventSlim(false);
        const int ThreadsToCreate = 10;
        const int FramesPerThread = 1;
        int threadsWaiting = 0;
        var recurseThreadIds = new ConcurrentBag<UIntPtr>();
        var threads = new Thread[ThreadsToCreate];
        for (int i = 0; i != threads.Length; ++i)
        {
            threads[i] = new Thread(() => RecurseFunc(FramesPerThread, ref threadsWaiting, recurseThreadIds, recurseEvent), 4096 * 16) { IsBackground = true };
            threads[i].Start();
        }
        while (Volatile.Read(ref threadsWaiting) != ThreadsToCreate) Thread.Yield();

        var byThread = new Dictionary<UIntPtr, UIntPtr[]>();
        Request_profile_baseline(null, byThread);

        recurseEvent.Set();
        foreach (var t in threads) t.Join();

        foreach (var id in recurseThreadIds)
        {
            That(id != UIntPtr.Zero, "GetCurrentExecutionEngineThreadId returned 0");
            That(byThread.ContainsKey(id), $"thread {id} missing from the profile");
        }
        var fids = byThread.Values.SelectMany(f => f).ToList();
        var names = Request_function_names_baseline(fids);
        foreach (var id in recurseThreadIds)
        {
            int matching = byThread[id].Count(fid => names.Any(n => n.FunctionID == fid && n.MethodName == "RecurseFunc"));
            That(matching == FramesPerThread, $"thread {id} has {matching} RecurseFunc frames");
        }
        NativeMethods.ShutdownThreadProfiler();
    }

    void Request_profile_without_freeing_previous()
    {
        var first = NativeMethods.RequestProfile(out _, out _);
        var second = NativeMethods.RequestProfile(out _, out _);
        NativeMethods.ReleaseProfile();
        That(first == 0, $"first request {first:X}");
        That(second == NativeMethods.E_FAIL, $"second request {second:X}");
    }

    void Request_function_names_invalidargs()
    {
        var result = NativeMethods.RequestFunctionNames(new UIntPtr[0], 0, out _);
        That(result == NativeMethods.E_INVALIDARG, $"zero count: {result:X}");
        result = NativeMethods.RequestFunctionNames(null, 15, out _);
        That(result == NativeMethods.E_INVALIDARG, $"null array: {result:X}");
    }

    void Request_function_names_invalid_functionids()
    {
        foreach (var id in new[] { UIntPtr.Zero, UIntPtr.MaxValue })
        {
            var results = Request_function_names_baseline(new List<UIntPtr> { id });
            That(results[0].TypeName == UnknownClass, $"type {results[0].TypeName}");
            That(results[0].MethodName == UnknownMethod, $"method {results[0].MethodName}");
        }
    }

    public static void RunAllParked()
    {
        var t = new Interop();
        Test("Request_profile_n_times_request_fnames", t.Request_profile_n_times_request_fnames);
        Test("Request_profile_then_request_fnames_n_times", t.Request_profile_then_request_fnames_n_times);
        Test("Request_profile_then_rfn_rfn", t.Request_profile_then_rfn_rfn);
        Test("RequestProfile_Abort", t.RequestProfile_Abort);
        Test("RequestProfile_VerifyThreadIDs", t.RequestProfile_VerifyThreadIDs_Parked);
        Test("Request_profile_without_freeing_previous", t.Request_profile_without_freeing_previous);
        Test("Request_function_names_invalidargs", t.Request_function_names_invalidargs);
        Test("Request_function_names_invalid_functionids", t.Request_function_names_invalid_functionids);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void RecurseFuncParked(object o, ref int threadsWaiting, ConcurrentBag<UIntPtr> recurseThreadIds, ManualResetEvent recurseEvent)
    {
        int depth = (int)o;
        if (--depth == 0)
        {
            Interlocked.Increment(ref threadsWaiting);
            recurseThreadIds.Add(NativeMethods.GetCurrentExecutionEngineThreadId());
            recurseEvent.WaitOne();
        }
        else
            RecurseFuncParked(depth, ref threadsWaiting, recurseThreadIds, recurseEvent);
    }

    void RequestProfile_VerifyThreadIDs_Parked()
    {
        using var recurseEvent = new ManualResetEvent(false);
        const int ThreadsToCreate = 10;
        const int FramesPerThread = 1;
        int threadsWaiting = 0;
        var recurseThreadIds = new ConcurrentBag<UIntPtr>();
        var threads = new Thread[ThreadsToCreate];
        for (int i = 0; i != threads.Length; ++i)
        {
            threads[i] = new Thread(() => RecurseFuncParked(FramesPerThread, ref threadsWaiting, recurseThreadIds, recurseEvent), 4096 * 16) { IsBackground = true };
            threads[i].Start();
        }
        while (Volatile.Read(ref threadsWaiting) != ThreadsToCreate) Thread.Yield();
        // Counted is not yet blocked: wait until every thread is inside the wait.
        foreach (var t in threads)
        {
            while ((t.ThreadState & ThreadState.WaitSleepJoin) == 0) Thread.Sleep(1);
        }

        var byThread = new Dictionary<UIntPtr, UIntPtr[]>();
        Request_profile_baseline(null, byThread);

        recurseEvent.Set();
        foreach (var t in threads) t.Join();

        foreach (var id in recurseThreadIds)
        {
            That(id != UIntPtr.Zero, "GetCurrentExecutionEngineThreadId returned 0");
            That(byThread.ContainsKey(id), $"thread {id} missing from the profile");
        }
        var fids = byThread.Values.SelectMany(f => f).ToList();
        var names = Request_function_names_baseline(fids);
        foreach (var id in recurseThreadIds)
        {
            int matching = byThread[id].Count(fid => names.Any(n => n.FunctionID == fid && n.MethodName == "RecurseFuncParked"));
            That(matching == FramesPerThread, $"thread {id} has {matching} RecurseFuncParked frames");
        }
        NativeMethods.ShutdownThreadProfiler();
    }
}
