using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Extensions.Time.Testing;

namespace Atlas.Runtime.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells how many of its timers are armed (due at a finite time, not yet fired
/// nor disposed), so a test can wait until the runtime has started the wait it means to time out, then advance the
/// clock by exactly that wait. Advancing before the wait starts (a read begun a moment after the test's last event)
/// would count the time towards nothing and make the test depend on how busy the machine is.
/// </summary>
internal sealed class WatchedTimeProvider : FakeTimeProvider
{
    private readonly HashSet<WatchedTimer> _armed = [];

    public WatchedTimeProvider()
        : base(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>How many timers are armed now.</summary>
    public int Armed
    {
        get
        {
            lock (_armed)
            {
                return _armed.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(this);
        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return timer;
    }

    private void Set(WatchedTimer timer, bool armed)
    {
        lock (_armed)
        {
            if (armed)
            {
                _armed.Add(timer);
            }
            else
            {
                _armed.Remove(timer);
            }
        }
    }

    private sealed class WatchedTimer(WatchedTimeProvider time) : ITimer
    {
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
            time.Set(this, dueTime != Timeout.InfiniteTimeSpan);
        }

        public void Fired()
        {
            if (!_periodic)
            {
                time.Set(this, armed: false);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            time.Set(this, armed: false);
            Inner.Dispose();
        }

        public System.Threading.Tasks.ValueTask DisposeAsync()
        {
            time.Set(this, armed: false);
            return Inner.DisposeAsync();
        }
    }
}
