using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime;

/// <summary>
/// A route as a chat client (or a provider an agent names directly, a route of one): for each request it orders the
/// route's providers by its strategy (<c>fallback</c>, <c>round_robin</c>, <c>cheapest</c>, <c>fastest</c>), skipping
/// unavailable ones, ones lacking a required capability and ones whose circuit is open, and sends the request to the
/// first, retrying it there with Polly under the route's <c>retry</c> and falling back to the next on an error. Each
/// attempt goes through the member's pipeline: the provider's circuit breaker, the route's timeout, then the
/// provider's own pipeline. Each choice is a <see cref="ProviderSelected"/> event with its reason.
/// </summary>
/// <remarks>
/// <para>
/// The request's <see cref="ModelCallContext"/> gives the step (events), whether a piece of the reply already reached
/// a caller who can't take it back (then no retry and no fallback), and the session of a tool loop: its first request
/// makes the plan and the next ones keep to the provider that answered the last one, falling back from there; a
/// provider is selected (an event) only when it changes.
/// </para>
/// <para>
/// A rate-limited provider (429) is retried only when it is the last one left to try. When none answers, the request
/// fails with an <see cref="InvalidOperationException"/>: <c>No provider of route 'smart' could answer: ...</c>, each
/// provider's error named, keys blanked out. A streamed request is answered with the whole reply once a provider gave
/// it: the pieces reach the step and the caller as they arrive, through the context's token events.
/// </para>
/// <para>Thread-safe; one per route (and per provider) per runtime. It owns no client.</para>
/// </remarks>
internal sealed class RouteChatClient : IChatClient
{
    private const string NoCostDeclared = "cheapest (no cost declared: ranked after the providers whose cost is known)";

    private readonly RouteDescriptor? _route;
    private readonly IReadOnlyList<(string Name, RouteMember? Member)> _members;
    private readonly ResilienceRunner _resilience;
    private readonly SecretRedactor _secrets;
    private readonly TimeProvider _timeProvider;
    private readonly ModelPlan? _directPlan;
    private int _turn = -1;

    private RouteChatClient(RouteDescriptor? route, IReadOnlyList<(string Name, RouteMember? Member)> members, ResilienceRunner resilience, SecretRedactor secrets, TimeProvider timeProvider)
    {
        _route = route;
        _members = members;
        _resilience = resilience;
        _secrets = secrets;
        _timeProvider = timeProvider;
        if (route is null)
        {
            // The plan of a provider named directly is the same for every call while it is usable: made once.
            var member = members[0].Member!;
            _directPlan = new ModelPlan($"provider '{member.Provider.Name}'", [(member, "the agent's model")], [], StepPolicy.Default);
        }
    }

    /// <summary>The client of a route over <paramref name="providers"/> (by the names in its <c>use</c>).</summary>
    public static RouteChatClient ForRoute(RouteDescriptor route, ProviderRegistry providers, ResilienceRunner resilience, SecretRedactor secrets, TimeProvider timeProvider) =>
        new(
            route,
            route.Use.Select(name => (name, providers.TryGet(name, out var provider) ? RouteMember.For(provider, route.Timeout, resilience, timeProvider) : null)).ToList(),
            resilience,
            secrets,
            timeProvider);

    /// <summary>The client of a provider an agent names directly: no retry, no timeout of a route.</summary>
    public static RouteChatClient ForProvider(Provider provider, ResilienceRunner resilience, SecretRedactor secrets, TimeProvider timeProvider) =>
        new(null, [(provider.Name, RouteMember.For(provider, null, resilience, timeProvider))], resilience, secrets, timeProvider);

    /// <summary>Whether the route ranks by what a call would cost (only then is the prompt's size estimated).</summary>
    private bool RanksByCost => _route?.Strategy == RouteStrategy.Cheapest;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var context = ModelCallContext.Of(options);
        var step = context?.Step;
        var session = context?.Session;
        if (context is not null)
        {
            context.Delivered = false;
        }

        var plan = session?.Plan ?? Plan(RanksByCost ? new CallEstimate(MockChatClient.EstimateTokens(messages.Sum(m => m.Text.Length)), options?.MaxOutputTokens) : null);
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

        // Once a piece of the reply reached a caller who can't take it back: no retry, no fallback.
        var streamsToCaller = context?.OnChunk is not null;
        Func<Exception, bool>? canRetry = streamsToCaller ? _ => !context!.Delivered : null;
        Func<Exception, bool>? canRetryUnlessRateLimited = null;
        Exception? lastError = null;
        for (var i = first; i < plan.Candidates.Count; i++)
        {
            var (member, why) = plan.Candidates[i];
            var provider = member.Provider;
            var remaining = plan.Candidates.Count - i - 1;
            var reason = previous is { } p ? $"fallback after {p.Provider} failed: {p.Error}" : why;
            if (provider.Circuit?.Note() is { } note)
            {
                reason += "; " + note;
            }

            // The provider that answered the tool loop's last request carries on with it: no new choice to report.
            if (step is not null && (session is null || session.Current != i))
            {
                if (step.Observed) step.Emit(new ProviderSelected(step.RunId, step.Step, step.Run.Now, provider.Name, _secrets.Redact(reason)));
                if (step.Runtime.Logger.IsEnabled(LogLevel.Information)) RuntimeLog.ProviderChosen(step.Runtime.Logger, step.Step, step.RunId, provider.Name, _secrets.Redact(reason));
            }

            var started = _timeProvider.GetTimestamp();
            try
            {
                var response = await _resilience.RetryAsync(
                    plan.Policy,
                    step,
                    ct => member.Pipeline!.GetResponseAsync(messages, options, ct),
                    remaining > 0 ? canRetryUnlessRateLimited ??= UnlessRateLimited(canRetry) : canRetry,
                    provider.Descriptor.Timeout,
                    cancellationToken).ConfigureAwait(false);
                provider.RecordLatency(_timeProvider.GetElapsedTime(started), succeeded: true);
                if (session is not null)
                {
                    session.Current = i;
                }

                return response;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && !(streamsToCaller && context!.Delivered))
            {
                provider.RecordLatency(_timeProvider.GetElapsedTime(started), succeeded: false);
                var error = _secrets.Redact(RunContext.Describe(ex));
                (failures ??= new List<string>(plan.Skipped)).Add($"{provider.Name}: {error}");
                previous = (provider.Name, error);
                lastError = ex;
            }
        }

        // The last error is kept for diagnosis unless its text holds a key (a host's own client may copy a request into it).
        var inner = lastError is not null && !_secrets.Contains(lastError.ToString()) ? lastError : null;
        throw new InvalidOperationException(_secrets.Redact($"No provider of {plan.Describe} could answer: {string.Join("; ", failures ?? plan.Skipped)}."), inner);
    }

    // Retries and fallback need the whole reply before it leaves; its pieces went to the step and the caller as they came.
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        WholeReplies.AsStreamAsync(ct => GetResponseAsync(messages, options, ct), cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <summary>Nothing to dispose: the providers' pipelines are the provider registry's.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// A provider that answers "not now" (429) is not waited for while the route has another one to try: its
    /// Retry-After may be 30 s or more, and falling back is what the route is for. (A method, so a lone provider's
    /// call allocates no closure for it.)
    /// </summary>
    private static Func<Exception, bool> UnlessRateLimited(Func<Exception, bool>? canRetry) =>
        error => !ResilienceRunner.IsRateLimited(error) && (canRetry is null || canRetry(error));

    /// <summary>The order this request tries the providers in; <paramref name="estimate"/> (the prompt's size, the output cap) for <c>cheapest</c>.</summary>
    private ModelPlan Plan(CallEstimate? estimate)
    {
        if (_route is null)
        {
            var direct = _directPlan!.Candidates[0].Member.Provider;
            return !direct.Available
                ? new ModelPlan(_directPlan.Describe, [], [$"{direct.Name}: {direct.UnavailableReason}"], StepPolicy.Default)
                : direct.Circuit?.OpenReason() is { } open
                    ? new ModelPlan(_directPlan.Describe, [], [$"{direct.Name}: {open}"], StepPolicy.Default)
                    : _directPlan;
        }

        var route = _route;
        var usable = new List<RouteMember>();
        var skipped = new List<string>();
        foreach (var (name, member) in _members)
        {
            if (member is null)
            {
                skipped.Add($"{name}: no such provider");
            }
            else if (!member.Provider.Available)
            {
                skipped.Add($"{name}: {member.Provider.UnavailableReason}");
            }
            else if (route.Require?.FirstOrDefault(c => !member.Provider.Supports(c)) is { } missing)
            {
                skipped.Add($"{name}: does not support {missing}");
            }
            else if (member.Provider.Circuit?.OpenReason() is { } open)
            {
                skipped.Add($"{name}: {open}");
            }
            else
            {
                usable.Add(member);
            }
        }

        var skippedNote = skipped.Count == 0 ? string.Empty : $"; skipped {string.Join(", ", skipped)}";
        var candidates = route.Strategy switch
        {
            RouteStrategy.RoundRobin => RoundRobin(usable),
            // What this call would cost on each: the prompt's tokens at the input price, the output cap
            // (else as many tokens as the prompt) at the output price. A long prompt with a short answer
            // favours a low input price; the sum of the two prices alone would not see that.
            // A provider with no declared cost is not free: it comes after every one whose price is known.
            RouteStrategy.Cheapest when estimate is { } e => usable
                .OrderBy(m => m.Provider.CostKnown ? 0 : 1)
                .ThenBy(m => e.CostOn(m.Provider))
                .ThenBy(m => m.Provider.PricePerMillion)
                .Select(m => (m, m.Provider.CostKnown
                    ? string.Create(CultureInfo.InvariantCulture, $"cheapest (about {e.CostOn(m.Provider):0.#########} USD for ~{e.InputTokens} tokens in, {e.OutputTokens} out)")
                    : NoCostDeclared)),
            RouteStrategy.Cheapest => usable
                .OrderBy(m => m.Provider.CostKnown ? 0 : 1)
                .ThenBy(m => m.Provider.PricePerMillion)
                .Select(m => (m, m.Provider.CostKnown
                    ? string.Create(CultureInfo.InvariantCulture, $"cheapest ({m.Provider.PricePerMillion:0.####} USD per million tokens)")
                    : NoCostDeclared)),
            // Untried first, then by average latency; one whose latest call failed comes after those that
            // answered, however fast it failed (a 500 in 2 ms would otherwise be the fastest on every call).
            RouteStrategy.Fastest => usable
                .OrderBy(m => m.Provider.AverageLatencyMs.HasValue ? (m.Provider.LastCallFailed ? 2 : 1) : 0)
                .ThenBy(m => m.Provider.AverageLatencyMs ?? 0)
                .Select(m => (m, m.Provider.AverageLatencyMs is { } ms
                    ? string.Create(CultureInfo.InvariantCulture, $"fastest (average {ms:0} ms{(m.Provider.LastCallFailed ? "; its last call failed" : string.Empty)})")
                    : "fastest (not tried yet)")),
            _ => usable.Select((m, i) => (m, i == 0 ? "first available" : "next available")),
        };

        var policy = new StepPolicy(route.Retry, route.Timeout);
        return new ModelPlan($"route '{route.Name}'", candidates.Select(c => (c.m, c.Item2 + skippedNote)).ToList(), skipped, policy);
    }

    private IEnumerable<(RouteMember m, string)> RoundRobin(List<RouteMember> usable)
    {
        if (usable.Count == 0)
        {
            return [];
        }

        var turn = Interlocked.Increment(ref _turn);
        var start = (int)((uint)turn % (uint)usable.Count);
        return Enumerable.Range(0, usable.Count).Select(i => (usable[(start + i) % usable.Count], string.Create(CultureInfo.InvariantCulture, $"round robin (turn {turn + 1})")));
    }
}
