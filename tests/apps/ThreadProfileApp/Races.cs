// The two races of docs/compatibility.md T6, which the original's thread
// profiler loses (ThreadProfiler.h, commit 2d17f05):
//
// * Shutdown sets a flag, wakes the waiting request, joins the worker and
//   then resets the flag. A request that wakes only after the reset finds
//   neither a result nor the flag, and waits forever; so does a request
//   that started a worker the shutdown had already told to stop.
// * Two requests at once both pass the "no unreleased profile" check, both
//   signal one worker, and its single "completed" signal wakes only one of
//   them: the other waits forever (or, with unlucky timing, the second
//   `std::thread` assignment terminates the process).
//
// Every request here runs on its own thread with a deadline. A request that
// does not return is reported and the process exits at once: a thread stuck
// in native code cannot be interrupted, and a hang is the failure to show.
using static ThreadProfileApp.Check;

namespace ThreadProfileApp;

public static class Races
{
    private const int DeadlineMs = 30_000;

    /// `RequestProfile` on a new thread; its HRESULT, or a reported hang.
    private static int RequestWithDeadline(string what, Barrier start = null)
    {
        int hr = 0;
        IntPtr data = IntPtr.Zero;
        int length = -1;
        var thread = new Thread(() =>
        {
            start?.SignalAndWait();
            hr = NativeMethods.RequestProfile(out data, out length);
        }) { IsBackground = true };
        thread.Start();
        if (!thread.Join(DeadlineMs))
        {
            Console.WriteLine($"FAIL {what}: RequestProfile did not return within {DeadlineMs} ms");
            Console.Out.Flush();
            Environment.Exit(3);
        }
        if (hr == NativeMethods.E_ABORT)
        {
            That(data == IntPtr.Zero && length == 0, $"{what}: an aborted request returned data");
        }
        return hr;
    }

    /// Two requests released together, twenty times: each returns, exactly
    /// one gets the profile and the other `E_FAIL`.
    public static void ConcurrentRequestsBothReturn()
    {
        using var parked = new ParkedThreads(50, depth: 5);
        for (int round = 0; round < 20; round++)
        {
            using var start = new Barrier(2);
            int first = 0, second = 0;
            var other = new Thread(() => second = RequestWithDeadline($"concurrent round {round}", start)) { IsBackground = true };
            other.Start();
            first = RequestWithDeadline($"concurrent round {round}", start);
            other.Join();
            NativeMethods.ReleaseProfile();
            var results = new[] { first, second };
            That(results.Count(hr => hr == 0) == 1 && results.Count(hr => hr == NativeMethods.E_FAIL) == 1,
                $"round {round}: {first:X} and {second:X}, expected one S_OK and one E_FAIL");
        }
        Console.WriteLine("RACE concurrent_rounds=20");
    }

    /// 200 requests, each racing a thread that calls ShutdownThreadProfiler
    /// in a loop after a delay that sweeps the request's lifetime: every
    /// request returns (S_OK or E_ABORT), and a request afterwards works.
    public static void ShutdownRacesEndEveryRequest()
    {
        using var parked = new ParkedThreads(50, depth: 5);
        int aborted = 0, completed = 0;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int stop = 0;
            int delay = (attempt % 25) * 40;
            var stopper = new Thread(() =>
            {
                Thread.SpinWait(delay);
                while (Volatile.Read(ref stop) == 0)
                {
                    NativeMethods.ShutdownThreadProfiler();
                    Thread.SpinWait(20);
                }
            }) { IsBackground = true };
            stopper.Start();
            int hr = RequestWithDeadline($"shutdown race attempt {attempt}");
            Volatile.Write(ref stop, 1);
            stopper.Join();
            NativeMethods.ReleaseProfile();
            if (hr == NativeMethods.E_ABORT) aborted++;
            else if (hr == 0) completed++;
            else That(false, $"attempt {attempt}: RequestProfile returned {hr:X}");
        }
        Console.WriteLine($"RACE shutdown_attempts=200 aborted={aborted} completed={completed}");
        That(aborted > 0, "no request was aborted by a shutdown");
        var snaps = NativeMethods.GetProfileWithRelease(out int last);
        That(last == 0 && snaps.Length >= 50, $"request after the races: {last:X}, {snaps.Length} records");
    }
}
