using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime;

public sealed partial class AtlasRuntime
{
    /// <summary>
    /// Calls a model: a provider directly, or a route's providers in its strategy's order, skipping
    /// unavailable ones, ones lacking a required capability and ones whose circuit is open, and
    /// falling back to the next on an error. Each choice is a <see cref="ProviderSelected"/> event.
    /// The route's retry and timeout apply to each provider; each attempt goes through the
    /// provider's circuit breaker and holds one of its concurrency slots.
    /// </summary>
    /// <remarks>
    /// <paramref name="alreadyDelivered"/> turns true once output reached a caller that can't take it back: then no retry and no fallback.
    /// A rate-limited provider (429) is retried only when it is the last one left to try.
    /// <paramref name="estimate"/> (the prompt's size, the output cap) lets <c>cheapest</c> rank by what this call would cost.
    /// With a <paramref name="session"/> (the model requests of one tool loop), the first request makes the plan and
    /// the next ones keep to the provider that answered the last one, falling back from there; a provider is
    /// selected (an event) only when it changes.
    /// </remarks>
    internal async Task<T> CallModelAsync<T>(string model, StepContext? step, Func<ProviderState, CancellationToken, Task<T>> call, Func<bool>? alreadyDelivered, CancellationToken cancellationToken, CallEstimate? estimate = null, ModelSession? session = null)
    {
        var plan = session?.Plan ?? Plan(model, estimate);
        var first = 0;
        List<string>? failures = null;
        (string Provider, string Error)? previous = null;
        if (session is not null)
        {
            session.Plan = plan;
            first = Math.Max(0, session.Current);

            // The session gave up on the provider it kept to (see ModelSession.Abandon): carry on after it, saying why.
            if (session.Abandoned is { } abandoned)
            {
                first = session.Current + 1;
                previous = abandoned;
                failures = [.. plan.Skipped, .. session.Failures];
                session.Abandoned = null;
                session.Current = -1;
            }
        }

        Exception? lastError = null;
        Func<Exception, bool>? canRetry = alreadyDelivered is null ? null : _ => !alreadyDelivered();

        Func<Exception, bool>? canRetryUnlessRateLimited = null;
        for (var i = first; i < plan.Candidates.Count; i++)
        {
            var (provider, why) = plan.Candidates[i];
            var remaining = plan.Candidates.Count - i - 1;
            var reason = previous is { } p ? $"fallback after {p.Provider} failed: {p.Error}" : why;
            if (provider.CircuitNote() is { } note)
            {
                reason += "; " + note;
            }

            // The provider that answered the tool loop's last request carries on with it: no new choice to report.
            if (step is { Observed: true } && (session is null || session.Current != i))
            {
                step.Emit(new ProviderSelected(step.RunId, step.Step, step.Run.Now, provider.Name, Secrets.Redact(reason)));
            }
            var started = TimeProvider.GetTimestamp();
            try
            {
                var result = await Resilience.ExecuteAsync(
                    plan.Policy,
                    step,
                    async ct =>
                    {
                        using var lease = await provider.AcquireAsync(ct).ConfigureAwait(false);
                        return await call(provider, ct).ConfigureAwait(false);
                    },
                    remaining > 0 ? canRetryUnlessRateLimited ??= UnlessRateLimited(canRetry) : canRetry,
                    cancellationToken,
                    provider.Breaker,
                    provider.Descriptor.Timeout).ConfigureAwait(false);
                provider.RecordLatency(TimeProvider.GetElapsedTime(started), succeeded: true);
                if (session is not null)
                {
                    session.Current = i;
                }

                return result;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && alreadyDelivered?.Invoke() != true)
            {
                provider.RecordLatency(TimeProvider.GetElapsedTime(started), succeeded: false);
                var error = Secrets.Redact(RunContext.Describe(ex));
                (failures ??= new List<string>(plan.Skipped)).Add($"{provider.Name}: {error}");
                previous = (provider.Name, error);
                lastError = ex;
            }
        }

        // The last error is kept for diagnosis unless its text holds a key (a host's own client may copy a request into it).
        var inner = lastError is not null && !Secrets.Contains(lastError.ToString()) ? lastError : null;
        throw new InvalidOperationException(Secrets.Redact($"No provider of {plan.Describe} could answer: {string.Join("; ", failures ?? plan.Skipped)}."), inner);
    }

    /// <summary>
    /// A provider that answers "not now" (429) is not waited for while the route has another one to try: its
    /// Retry-After may be 30 s or more, and falling back is what the route is for. (A method, so a lone provider's
    /// call allocates no closure for it.)
    /// </summary>
    private static Func<Exception, bool> UnlessRateLimited(Func<Exception, bool>? canRetry) =>
        error => !ResilienceRunner.IsRateLimited(error) && (canRetry is null || canRetry(error));

    private ModelPlan Plan(string model, CallEstimate? estimate)
    {
        if (_providers.TryGetValue(model, out var direct))
        {
            return !direct.Available
                ? new ModelPlan($"provider '{model}'", [], [$"{model}: {direct.UnavailableReason}"], StepPolicy.Default)
                : direct.CircuitOpenReason() is { } open
                    ? new ModelPlan($"provider '{model}'", [], [$"{model}: {open}"], StepPolicy.Default)
                    : direct.DirectPlan;
        }

        if (!_routes.TryGetValue(model, out var route))
        {
            throw new InvalidOperationException($"'{model}' is neither a provider nor a route.");
        }

        var usable = new List<ProviderState>();
        var skipped = new List<string>();
        foreach (var name in route.Use)
        {
            if (!_providers.TryGetValue(name, out var provider))
            {
                skipped.Add($"{name}: no such provider");
            }
            else if (!provider.Available)
            {
                skipped.Add($"{name}: {provider.UnavailableReason}");
            }
            else if (route.Require?.FirstOrDefault(c => !provider.Supports(c)) is { } missing)
            {
                skipped.Add($"{name}: does not support {missing}");
            }
            else if (provider.CircuitOpenReason() is { } open)
            {
                skipped.Add($"{name}: {open}");
            }
            else
            {
                usable.Add(provider);
            }
        }

        var skippedNote = skipped.Count == 0 ? string.Empty : $"; skipped {string.Join(", ", skipped)}";
        var candidates = route.Strategy switch
        {
            RouteStrategy.RoundRobin => RoundRobin(route, usable),
            // What this call would cost on each: the prompt's tokens at the input price, the output cap
            // (else as many tokens as the prompt) at the output price. A long prompt with a short answer
            // favours a low input price; the sum of the two prices alone would not see that.
            // A provider with no declared cost is not free: it comes after every one whose price is known.
            RouteStrategy.Cheapest when estimate is { } e => usable
                .OrderBy(p => p.CostKnown ? 0 : 1)
                .ThenBy(p => e.CostOn(p))
                .ThenBy(p => p.PricePerMillion)
                .Select(p => (p, p.CostKnown
                    ? string.Create(CultureInfo.InvariantCulture, $"cheapest (about {e.CostOn(p):0.#########} USD for ~{e.InputTokens} tokens in, {e.OutputTokens} out)")
                    : NoCostDeclared)),
            RouteStrategy.Cheapest => usable
                .OrderBy(p => p.CostKnown ? 0 : 1)
                .ThenBy(p => p.PricePerMillion)
                .Select(p => (p, p.CostKnown
                    ? string.Create(CultureInfo.InvariantCulture, $"cheapest ({p.PricePerMillion:0.####} USD per million tokens)")
                    : NoCostDeclared)),
            // Untried first, then by average latency; one whose latest call failed comes after those that
            // answered, however fast it failed (a 500 in 2 ms would otherwise be the fastest on every call).
            RouteStrategy.Fastest => usable
                .OrderBy(p => p.AverageLatencyMs.HasValue ? (p.LastCallFailed ? 2 : 1) : 0)
                .ThenBy(p => p.AverageLatencyMs ?? 0)
                .Select(p => (p, p.AverageLatencyMs is { } ms
                    ? string.Create(CultureInfo.InvariantCulture, $"fastest (average {ms:0} ms{(p.LastCallFailed ? "; its last call failed" : string.Empty)})")
                    : "fastest (not tried yet)")),
            _ => usable.Select((p, i) => (p, i == 0 ? "first available" : "next available")),
        };

        var policy = new StepPolicy(route.Retry, route.Timeout);
        return new ModelPlan($"route '{route.Name}'", candidates.Select(c => (c.p, c.Item2 + skippedNote)).ToList(), skipped, policy);
    }

    private const string NoCostDeclared = "cheapest (no cost declared: ranked after the providers whose cost is known)";

    private IEnumerable<(ProviderState p, string)> RoundRobin(RouteDescriptor route, List<ProviderState> usable)
    {
        if (usable.Count == 0)
        {
            return [];
        }

        var turn = _roundRobin.AddOrUpdate(route.Name, 0, (_, n) => unchecked(n + 1));
        var start = (int)((uint)turn % (uint)usable.Count);
        return Enumerable.Range(0, usable.Count).Select(i => (usable[(start + i) % usable.Count], string.Create(CultureInfo.InvariantCulture, $"round robin (turn {turn + 1})")));
    }

    /// <summary>What a call is expected to use: the prompt's estimated tokens and the most output tokens asked for, if capped.</summary>
    internal readonly record struct CallEstimate(long InputTokens, int? MaxOutputTokens)
    {
        /// <summary>Output tokens assumed: the cap when set, else as many as the prompt.</summary>
        public long OutputTokens => MaxOutputTokens ?? InputTokens;

        public double CostOn(ProviderState provider) =>
            ((InputTokens * (provider.Descriptor.InputCostPerMillion ?? 0)) + (OutputTokens * (provider.Descriptor.OutputCostPerMillion ?? 0))) / 1_000_000d;
    }

    /// <summary>
    /// The model requests of one agent call's tool loop, or of a structured agent's call and its repair (see
    /// <see cref="CallModelAsync{T}"/>): the plan its first request made, and which of its candidates answered the
    /// last request (-1 before any did). Not thread-safe: a session sends one request at a time.
    /// </summary>
    internal sealed class ModelSession
    {
        private List<string>? _failures;

        public ModelPlan? Plan { get; set; }

        public int Current { get; set; } = -1;

        /// <summary>The provider given up on and why, until the next request falls back from it.</summary>
        public (string Provider, string Error)? Abandoned { get; set; }

        /// <summary>"provider: why" for each provider given up on, for the error when none is left.</summary>
        public IReadOnlyList<string> Failures => _failures ?? (IReadOnlyList<string>)[];

        /// <summary>
        /// Gives up on the provider that answered the last request, although it answered (its replies were no use):
        /// the next request goes to the plan's next candidate. False when there is none left to go to.
        /// </summary>
        public bool Abandon(string error)
        {
            if (Plan is null || Current < 0 || Current + 1 >= Plan.Candidates.Count)
            {
                return false;
            }

            var provider = Plan.Candidates[Current].Provider.Name;
            (_failures ??= []).Add($"{provider}: {error}");
            Abandoned = (provider, error);
            return true;
        }
    }

    internal sealed record ModelPlan(string Describe, IReadOnlyList<(ProviderState Provider, string Reason)> Candidates, IReadOnlyList<string> Skipped, StepPolicy Policy);
}
