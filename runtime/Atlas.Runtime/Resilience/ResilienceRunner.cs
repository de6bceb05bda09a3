using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Atlas.Runtime;

/// <summary>
/// Retries and per-attempt timeouts, with Polly: the retry outside the timeout, so every attempt gets the full timeout.
/// For a model call, a route retries each provider (<see cref="RetryAsync{T}"/>) around the provider's circuit breaker
/// and the attempt's timeout (<see cref="CircuitBreakerChatClient"/>, <see cref="TimeoutChatClient"/>), so a timed-out
/// attempt counts against the provider's circuit. Retry and timeout pipelines are cached per setting. Thread-safe.
/// </summary>
/// <remarks>
/// A retry waits what a rate-limited provider's <c>Retry-After</c> asks for, but never longer than its time budget:
/// the policy's timeout (what one attempt may take), the provider's own <c>timeout</c>, what is left of an enclosing
/// attempt's timeout (a route's retry inside a step's <c>with { timeout }</c>), and at most 2 minutes. A provider that
/// asks for more is not retried: the call fails at once (a route falls back to its next provider), saying how long
/// it asked to wait.
/// </remarks>
internal sealed class ResilienceRunner
{
    /// <summary>The first retry waits this long, then it doubles (jittered).</summary>
    internal static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly ResiliencePropertyKey<StepContext?> StepKey = new("atlas.step");
    private static readonly ResiliencePropertyKey<Func<Exception, bool>?> CanRetryKey = new("atlas.can-retry");
    private static readonly ResiliencePropertyKey<StepPolicy?> PolicyKey = new("atlas.policy");
    private static readonly ResiliencePropertyKey<TimeSpan?> ProviderTimeoutKey = new("atlas.provider-timeout");
    private static readonly ResiliencePropertyKey<string?> RefusedKey = new("atlas.retry-refused");

    // When the innermost timed attempt running on this async flow must end: a retry inside it can't wait past that.
    private static readonly AsyncLocal<DateTimeOffset?> DeadlineSlot = new();

    private readonly ConcurrentDictionary<int, ResiliencePipeline> _retries = new();
    private readonly ConcurrentDictionary<TimeSpan, ResiliencePipeline> _timeouts = new();
    private readonly TimeProvider _timeProvider;

    public ResilienceRunner(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>
    /// Runs <paramref name="action"/> under <paramref name="policy"/>: its retries around its per-attempt timeout;
    /// <paramref name="canRetry"/> may veto a retry (e.g. once output was streamed).
    /// <paramref name="providerTimeout"/> (a provider's declared <c>timeout</c>) bounds a retry's wait too.
    /// </summary>
    public Task<T> ExecuteAsync<T>(StepPolicy policy, StepContext? step, Func<CancellationToken, Task<T>> action, Func<Exception, bool>? canRetry, CancellationToken cancellationToken, TimeSpan? providerTimeout = null)
    {
        var attempt = action;
        if (policy.Timeout is { } timeout)
        {
            attempt = ct => TimedAsync(timeout, action, ct);
        }

        return RetryAsync(policy, step, attempt, canRetry, providerTimeout, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> with <paramref name="policy"/>'s retries only (its timeout is the attempt's own
    /// business, e.g. a route member's <see cref="TimeoutChatClient"/>, though it still bounds a retry's wait).
    /// </summary>
    public Task<T> RetryAsync<T>(StepPolicy policy, StepContext? step, Func<CancellationToken, Task<T>> attempt, Func<Exception, bool>? canRetry, TimeSpan? providerTimeout, CancellationToken cancellationToken) =>
        policy.Retry > 0 ? RetryCoreAsync(policy, step, attempt, canRetry, providerTimeout, cancellationToken) : attempt(cancellationToken);

    /// <summary>
    /// Runs one attempt that must end within <paramref name="timeout"/> (Polly's timeout: the attempt's token is cancelled
    /// and <see cref="Polly.Timeout.TimeoutRejectedException"/> thrown). A retry inside it (a route's, inside a step's timed attempt)
    /// waits no longer than what is left of it.
    /// </summary>
    public async Task<T> TimedAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var pipeline = _timeouts.GetOrAdd(timeout, BuildTimeout);

        // Set here, it flows into the attempt (and any retry inside it) and ends with this method.
        var end = _timeProvider.GetUtcNow() + timeout;
        if (DeadlineSlot.Value is not { } outer || end < outer)
        {
            DeadlineSlot.Value = end;
        }

        return await pipeline.ExecuteAsync(static async (call, ct) => await call(ct).ConfigureAwait(false), attempt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The timeout an attempt really gets: at least 10 ms, at most the longest the runtime keeps (<see cref="ProviderLimits.MaxTimeout"/>).</summary>
    internal static TimeSpan Effective(TimeSpan timeout) =>
        timeout < MinTimeout ? MinTimeout : timeout > ProviderLimits.MaxTimeout ? ProviderLimits.MaxTimeout : timeout;

    /// <summary>The longest a retry of this policy may wait before its next attempt, and how to name that bound.</summary>
    private static (TimeSpan Budget, string What) Budget(StepPolicy policy, TimeSpan? providerTimeout)
    {
        (TimeSpan, string) budget = (MaxRetryAfter, $"the {Durations.Format(MaxRetryAfter)} a retry waits at most");
        if (policy.Timeout is { } timeout && timeout < budget.Item1)
        {
            budget = (timeout, $"the {Durations.Format(timeout)} timeout");
        }

        if (providerTimeout is { } own && own < budget.Item1)
        {
            budget = (own, $"the provider's {Durations.Format(own)} timeout");
        }

        return budget;
    }

    /// <summary>How long a rate-limited (or unavailable) provider asked us to wait, if it said.</summary>
    internal static TimeSpan? RetryAfter(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ProviderRateLimitedException { RetryAfter: { } after }:
                    return Clamp(after);
                case ProviderException { RetryAfter: { } after }:
                    return Clamp(after);

            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="error"/> says the provider refused the call for now (HTTP 429).</summary>
    internal static bool IsRateLimited(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is ProviderRateLimitedException or ProviderException { StatusCode: 429 })
            {
                return true;
            }
        }

        return false;
    }

    private static TimeSpan Clamp(TimeSpan after) => after < TimeSpan.Zero ? TimeSpan.Zero : after;

    private async Task<T> RetryCoreAsync<T>(StepPolicy policy, StepContext? step, Func<CancellationToken, Task<T>> attempt, Func<Exception, bool>? canRetry, TimeSpan? providerTimeout, CancellationToken cancellationToken)
    {
        var pipeline = _retries.GetOrAdd(policy.Retry, BuildRetry);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StepKey, step);
        context.Properties.Set(CanRetryKey, canRetry);
        context.Properties.Set(PolicyKey, policy);
        context.Properties.Set(ProviderTimeoutKey, providerTimeout);
        context.Properties.Set(RefusedKey, null);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (ctx, callback) => await callback(ctx.CancellationToken).ConfigureAwait(false),
                context,
                attempt).ConfigureAwait(false);
        }
        catch (Exception ex) when (context.Properties.TryGetValue(RefusedKey, out var refused) && refused is not null)
        {
            throw ex is ProviderException provider
                ? new ProviderException(provider.Provider, provider.Message + refused, provider.StatusCode, provider.RetryAfter, provider)
                : new InvalidOperationException($"{ex.Message.TrimEnd('.')}{refused}.", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline BuildRetry(int retry) =>
        new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                // The budget is asked only when a retry is left: after the last attempt nothing waits.
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context) && (args.AttemptNumber >= retry || WithinBudget(args.Outcome.Exception!, args.Context))),
                DelayGenerator = static args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
                OnRetry = static args =>
                {
                    if (args.Context.Properties.TryGetValue(StepKey, out var step) && step is not null)
                    {
                        var reason = args.Outcome.Exception is { } ex ? RunContext.Describe(ex) : "no result";
                        step.Emit(new RetryScheduled(step.RunId, step.Step, step.Run.Now, args.AttemptNumber + 1, args.RetryDelay, reason));
                        if (step.Runtime.Logger.IsEnabled(LogLevel.Information)) RuntimeLog.RetryScheduled(step.Runtime.Logger, step.Step, step.RunId, args.AttemptNumber + 1, RuntimeLog.Milliseconds(args.RetryDelay), step.Runtime.Secrets.Redact(reason));
                    }

                    return default;
                },
            })
            .Build();

    private ResiliencePipeline BuildTimeout(TimeSpan timeout) =>
        new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddTimeout(Effective(timeout))
            .Build();

    /// <summary>
    /// Whether the wait <paramref name="error"/> asks for (its Retry-After) fits the retry's budget (see the remarks
    /// on this class); if not, the reason is kept for the error the caller gets.
    /// </summary>
    private bool WithinBudget(Exception error, ResilienceContext context)
    {
        if (RetryAfter(error) is not { } after || !context.Properties.TryGetValue(PolicyKey, out var policy) || policy is null)
        {
            return true;
        }

        // Worked out only for a provider that asked to wait: most retries have no Retry-After.
        var (limit, what) = Budget(policy, context.Properties.GetValue(ProviderTimeoutKey, null));
        if (DeadlineSlot.Value is { } deadline && deadline - _timeProvider.GetUtcNow() is var left && left < limit)
        {
            (limit, what) = (left < TimeSpan.Zero ? TimeSpan.Zero : left, $"the {Durations.Format(left < TimeSpan.Zero ? TimeSpan.Zero : left)} left of the enclosing timeout");
        }

        if (after <= limit)
        {
            return true;
        }

        context.Properties.Set(RefusedKey, $"; not retried: it asked to wait {Durations.Format(after)}, longer than {what}");
        return false;
    }

    private static bool ShouldRetry(Exception? error, ResilienceContext context)
    {
        switch (error)
        {
            case null:
                return false;

            // The caller's cancellation ends everything; an OperationCanceledException from elsewhere
            // (an HTTP client's own timeout) is a failure like any other.
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return false;

            // An open circuit fails fast: the route falls back to its next provider instead.
            case BrokenCircuitException:
                return false;

            // Spending more cannot bring a run back under its budget.
            case BudgetExceededException:
                return false;

            // A bad request or a bad key stays bad however often it is sent.
            case ProviderException { IsTransient: false }:
                return false;
        }

        return !context.Properties.TryGetValue(CanRetryKey, out var canRetry) || canRetry is null || canRetry(error);
    }
}
