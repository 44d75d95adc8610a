// Threads parked at a known depth inside known methods, so a profile has
// stacks whose frames the tests can predict.
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ThreadProfileApp;

public static class Parking
{
    /// `depth` + 1 frames of Descend above ParkHere.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Descend(int depth, CountdownEvent ready, ManualResetEvent release, ConcurrentBag<UIntPtr> ids)
    {
        if (depth <= 0)
        {
            ParkHere(ready, release, ids);
            return 0;
        }
        return Descend(depth - 1, ready, release, ids) + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ParkHere(CountdownEvent ready, ManualResetEvent release, ConcurrentBag<UIntPtr> ids)
    {
        ids.Add(NativeMethods.GetCurrentExecutionEngineThreadId());
        ready.Signal();
        release.WaitOne();
    }
}

/// `count` threads blocked in Parking.ParkHere below `depth` + 1 Descend frames.
public sealed class ParkedThreads : IDisposable
{
    // A kernel-style event: WaitOne blocks without spinning first, so a parked
    // thread's stack does not change once it is blocked.
    private readonly ManualResetEvent _release = new(false);
    private readonly Thread[] _threads;
    public readonly ConcurrentBag<UIntPtr> Ids = new();

    public ParkedThreads(int count, int depth = 0, int stackSize = 256 * 1024)
    {
        using var ready = new CountdownEvent(count);
        _threads = new Thread[count];
        for (int i = 0; i != count; ++i)
        {
            _threads[i] = new Thread(() => Parking.Descend(depth, ready, _release, Ids), stackSize) { IsBackground = true };
            _threads[i].Start();
        }
        // Polled, not ready.Wait(): a waiter makes the last Signal() take the
        // event's monitor to pulse it, and a thread blocked on that monitor
        // already reads as WaitSleepJoin while it is still inside Signal(),
        // so the check below could pass before it parks. With nobody
        // waiting, Signal() never blocks, and once every thread has
        // signalled the only wait left in ParkHere is the release.
        while (!ready.IsSet) Thread.Sleep(1);
        // Signalled is not yet blocked: wait until every thread is inside the wait.
        foreach (var t in _threads)
        {
            while ((t.ThreadState & ThreadState.WaitSleepJoin) == 0) Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _release.Set();
        foreach (var t in _threads) t.Join();
    }
}
