using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

/// <summary>Waits for the mock's configured latency, so that a 20 ms mock takes 20 ms on average.</summary>
/// <remarks>
/// Timers fire late: here a 20 ms <see cref="Task.Delay(TimeSpan)"/> takes about 21 ms (a whole-millisecond
/// tick plus the wake-up), which made every mock call 5% slower than declared. On the system clock the
/// wait asks the timer for the latency minus the lateness observed so far (a moving average of how
/// much later than asked the timer fired). The timer takes whole milliseconds, so a fractional ask is
/// rounded up or down at random in proportion, which keeps the mean right. A fake
/// <see cref="TimeProvider"/> (tests) gets exactly the declared latency.
/// </remarks>
internal static class MockLatency
{
    // The timer's mean lateness in milliseconds. Shared: lateness is the platform's, not a client's.
    // Updates race without a lock; a lost update only slows the average down a little.
    private static double s_lateness;

    public static Task DelayAsync(TimeSpan latency, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (latency <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        return timeProvider == TimeProvider.System
            ? CompensatedDelayAsync(latency.TotalMilliseconds, cancellationToken)
            : Task.Delay(latency, timeProvider, cancellationToken);
    }

    private static async Task CompensatedDelayAsync(double latency, CancellationToken cancellationToken)
    {
        var ask = Math.Max(0, latency - Volatile.Read(ref s_lateness));
        var whole = Math.Floor(ask);
        var milliseconds = (int)whole + (Random.Shared.NextDouble() < ask - whole ? 1 : 0);
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(milliseconds, cancellationToken).ConfigureAwait(false);
        var late = Stopwatch.GetElapsedTime(start).TotalMilliseconds - milliseconds;

        // A stall (a GC pause, a loaded machine) counts for at most half the latency.
        var next = Volatile.Read(ref s_lateness) + ((Math.Clamp(late, 0, latency / 2) - s_lateness) / 64);
        Volatile.Write(ref s_lateness, next);
    }
}
