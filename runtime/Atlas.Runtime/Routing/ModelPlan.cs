using System.Collections.Generic;

namespace Atlas.Runtime;

/// <summary>
/// The order in which one request (or one tool loop) tries a route's providers: the usable ones with why each was
/// chosen, the skipped ones with why, and the route's retries and timeout.
/// </summary>
/// <param name="Describe">The route or provider, for the error when none answers: <c>route 'smart'</c>, <c>provider 'openai'</c>.</param>
/// <param name="Candidates">The providers to try, in order, each through its member pipeline, with the reason it is tried.</param>
/// <param name="Skipped">"provider: why" for each provider left out (unavailable, lacking a capability, its circuit open).</param>
/// <param name="Policy">The route's retries per provider, and the per-attempt timeout (which also bounds a retry's wait).</param>
internal sealed record ModelPlan(string Describe, IReadOnlyList<(RouteMember Member, string Reason)> Candidates, IReadOnlyList<string> Skipped, StepPolicy Policy);
