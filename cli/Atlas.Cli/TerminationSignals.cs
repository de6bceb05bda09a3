using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM while a command runs: the first cancels it, so it can stop reading, cancel what is in
/// flight and say what it finished; a second is left to the system, which ends the process at once.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly PosixSignalRegistration[] _registrations;
    /// <summary>How long a cancelled command has to stop before <see cref="GraceElapsed"/>.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exitCode;

    private TerminationSignals(CancellationTokenSource cancel)
    {
        _cancel = cancel;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>The exit code for the first signal received (130 for SIGINT, 143 for SIGTERM); null before one.</summary>
    public int? ExitCode => Volatile.Read(ref _exitCode) is var code and not 0 ? code : null;

    /// <summary>Completes <see cref="GracePeriod"/> after the first signal: the command had its chance to stop on its own.</summary>
    public Task GraceElapsed => _signalled.Task.ContinueWith(_ => Task.Delay(GracePeriod), TaskScheduler.Default).Unwrap();

    /// <summary>Cancels <paramref name="cancel"/> on the first signal; null where signals cannot be handled.</summary>
    public static TerminationSignals? Register(CancellationTokenSource cancel)
    {
        try
        {
            return new TerminationSignals(cancel);
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        var code = context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Cancelled;
        if (Interlocked.CompareExchange(ref _exitCode, code, 0) != 0) return; // the second: let it end the process
        context.Cancel = true;
        // Off the signal thread: cancelling runs the command's callbacks.
        _ = _cancel.CancelAsync();
        _signalled.TrySetResult();
    }
}
