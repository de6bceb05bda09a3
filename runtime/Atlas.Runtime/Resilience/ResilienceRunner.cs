using System;
using System.ClientModel;
using System.Globalization;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Atlas.Runtime;

/// <summary>
/// Retries and per-attempt timeouts with Polly: one cached pipeline per (retry, timeout) pair,
/// the retry outside the timeout so every attempt gets the full timeout. Thread-safe.
/// </summary>
internal sealed class ResilienceRunner
{
    /// <summary>The first retry waits this long, then it doubles (jittered).</summary>
    internal static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly ResiliencePropertyKey<StepContext?> StepKey = new("atlas.step");
    private static readonly ResiliencePropertyKey<Func<Exception, bool>?> CanRetryKey = new("atlas.can-retry");

    private readonly ConcurrentDictionary<(int Retry, TimeSpan? Timeout), ResiliencePipeline> _pipelines = new();
    private readonly TimeProvider _timeProvider;

    public ResilienceRunner(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>Runs <paramref name="action"/> under <paramref name="policy"/>; <paramref name="canRetry"/> may veto a retry (e.g. once output was streamed).</summary>
    public async Task<T> ExecuteAsync<T>(StepPolicy policy, StepContext? step, Func<CancellationToken, Task<T>> action, Func<Exception, bool>? canRetry, CancellationToken cancellationToken)
    {
        if (policy.Retry <= 0 && policy.Timeout is null)
        {
            return await action(cancellationToken).ConfigureAwait(false);
        }

        var pipeline = _pipelines.GetOrAdd((Math.Max(0, policy.Retry), policy.Timeout), key => Build(key.Retry, key.Timeout));
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StepKey, step);
        context.Properties.Set(CanRetryKey, canRetry);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (ctx, callback) => await callback(ctx.CancellationToken).ConfigureAwait(false),
                context,
                action).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>How long a rate-limited provider asked us to wait, if it said.</summary>
    internal static TimeSpan? RetryAfter(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is ProviderRateLimitedException { RetryAfter: { } after })
            {
                return Clamp(after);
            }

            // OpenAI-compatible clients (System.ClientModel) keep the HTTP response of a 429.
            if (e is ClientResultException { Status: 429 } clientError
                && clientError.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var header) == true
                && ParseRetryAfter(header) is { } fromHeader)
            {
                return Clamp(fromHeader);
            }
        }

        return null;
    }

    /// <summary>Retry-After is delta-seconds or an HTTP date.</summary>
    internal static TimeSpan? ParseRetryAfter(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date - DateTimeOffset.UtcNow
            : null;
    }

    private static TimeSpan Clamp(TimeSpan after) => after < TimeSpan.Zero ? TimeSpan.Zero : after > MaxRetryAfter ? MaxRetryAfter : after;

    private ResiliencePipeline Build(int retry, TimeSpan? timeout)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _timeProvider };
        if (retry > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context)),
                DelayGenerator = static args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
                OnRetry = static args =>
                {
                    if (args.Context.Properties.TryGetValue(StepKey, out var step) && step is not null)
                    {
                        var reason = args.Outcome.Exception is { } ex ? RunContext.Describe(ex) : "no result";
                        step.Emit(new RetryScheduled(step.RunId, step.Step, step.Run.Now, args.AttemptNumber + 1, args.RetryDelay, reason));
                    }

                    return default;
                },
            });
        }

        if (timeout is { } perAttempt)
        {
            builder.AddTimeout(perAttempt < MinTimeout ? MinTimeout : perAttempt);
        }

        return builder.Build();
    }

    private static bool ShouldRetry(Exception? error, ResilienceContext context)
    {
        if (error is null)
        {
            return false;
        }

        // The caller's cancellation ends everything; an OperationCanceledException from elsewhere
        // (an HTTP client's own timeout) is a failure like any other.
        if (error is OperationCanceledException && error is not TimeoutRejectedException && context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return !context.Properties.TryGetValue(CanRetryKey, out var canRetry) || canRetry is null || canRetry(error);
    }
}
