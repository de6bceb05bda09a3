using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A provider's circuit breaker (<see cref="ProviderCircuit"/>, Polly): every attempt of a call goes through it, so
/// failures open the circuit and, while it is open, a call fails at once with Polly's <c>BrokenCircuitException</c>
/// (routes skip the provider before they get here). Counted as failures: error statuses other than 400, 404, 413 and
/// 422, timeouts of the attempt, broken or malformed replies; a caller's cancellation is not.
/// </summary>
/// <remarks>
/// It sits outside the attempt's timeout, so a timed-out attempt counts. A stream is one outcome: its last piece or
/// its error. The circuit is shared by every route that uses the provider; this client owns only its inner client.
/// Thread-safe.
/// </remarks>
internal sealed class CircuitBreakerChatClient : DelegatingChatClient
{
    private readonly ProviderCircuit _circuit;

    public CircuitBreakerChatClient(IChatClient inner, ProviderCircuit circuit)
        : base(inner) => _circuit = circuit;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _circuit.Pipeline.ExecuteAsync(
            static async (call, ct) => await call.Inner.GetResponseAsync(call.Messages, call.Options, ct).ConfigureAwait(false),
            (Inner: InnerClient, Messages: messages, Options: options),
            cancellationToken).AsTask();

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ResilientStreams.ReadThroughAsync(_circuit.Pipeline, ct => InnerClient.GetStreamingResponseAsync(messages, options, ct), cancellationToken);
}
