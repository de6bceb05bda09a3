using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// A model (route or provider) as agents call it, with the run store in front: a request is answered from a replayed run
/// (<c>--replay</c>), from the earlier attempt of a resumed run, or from the cache (<c>cache</c> on the agent or route)
/// when one of them has its reply; otherwise it goes to the model, and in a recorded run the request and its reply are
/// written to the store before the reply is used.
/// </summary>
/// <remarks>
/// Without a recorded run and without a cache it only passes requests on. An answer from the store costs nothing and is a
/// <see cref="CacheHit"/> event; its text still reaches whoever takes the reply's pieces. Thread-safe; one per model.
/// </remarks>
internal sealed class RecordedModelClient(IChatClient model, string name, CacheDescriptor? cache, IRunStore? store, TimeProvider time) : DelegatingChatClient(model)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var context = ModelCallContext.Of(options);
        var step = context?.Step;
        var recorder = step?.Run.Recorder;
        var cached = context?.Call?.Agent.Cache ?? cache;
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        if (recorder is null && (cached is null || store is null))
        {
            return await SendAsync().ConfigureAwait(false);
        }

        var (request, key) = ModelRequests.Describe(name, list, options);
        var agent = context?.Call?.Agent.Name ?? name;
        var at = time.GetUtcNow();
        if (recorder?.Calls is { } calls)
        {
            if (calls.TakeModelCall(key) is { } recorded)
            {
                return await AnswerAsync(recorded, calls.Strict ? "replay" : "resume").ConfigureAwait(false);
            }

            if (calls.Strict)
            {
                throw new InvalidOperationException(
                    $"run {calls.RunId} recorded no reply to this request of agent '{agent}' (key {key[..12]}); a replay sends no request to a model");
            }
        }

        if (cached is not null && store is not null)
        {
            var notBefore = cached.Ttl is { } ttl ? at - ttl : DateTimeOffset.MinValue;
            if (await store.FindModelCallAsync(key, notBefore, cancellationToken).ConfigureAwait(false) is { } hit)
            {
                return await AnswerAsync(hit, "cache").ConfigureAwait(false);
            }
        }

        var started = time.GetTimestamp();
        var response = await SendAsync().ConfigureAwait(false);
        if (recorder is not null)
        {
            await recorder.RecordModelCallAsync(
                new ModelCallRecord(recorder.RunId, step!.Step, agent, name, context!.AnsweredBy, response.ModelId, key, request, ModelRequests.SerializeResponse(response), context.LastUsage, time.GetElapsedTime(started), at)
                {
                    Cacheable = cached is not null,
                },
                CancellationToken.None).ConfigureAwait(false); // a reply that came is recorded even if the run is being cancelled: it was paid for
        }

        return response;

        // The model answers; whoever observes the run sees what was sent and what came back.
        async Task<ChatResponse> SendAsync()
        {
            var sent = time.GetTimestamp();
            var reply = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            if (step is { Observed: true })
            {
                step.Emit(new ModelCalled(
                    step.RunId, step.Step, step.Run.Now, context?.Call?.Agent.Name ?? name, name, context?.AnsweredBy,
                    EventContent.Messages(list), EventContent.Reply(reply), context?.LastUsage ?? Usage.Zero, time.GetElapsedTime(sent)));
            }

            return reply;
        }

        // A reply from the store: its pieces to whoever takes them, a cache-hit event, and in a recorded run its record (free).
        async Task<ChatResponse> AnswerAsync(ModelCallRecord recorded, string source)
        {
            var reply = ModelRequests.ReadResponse(recorded.Response);
            if (context is { WantsPieces: true } && reply.Text is { Length: > 0 } text)
            {
                context.OnChunk?.Invoke(text);
                if (context.StreamsTokens) step!.Emit(new TokenEmitted(step.RunId, step.Step, step.Run.Now, text));
            }

            if (step is { Observed: true }) step.Emit(new CacheHit(step.RunId, step.Step, step.Run.Now, agent, source, recorded.RunId));
            // Recorded in this run as a free call, unless it is this run's own (a resume answers from its earlier attempt).
            if (recorder is not null && recorded.RunId != recorder.RunId)
            {
                await recorder.RecordModelCallAsync(
                    recorded with { RunId = recorder.RunId, Step = step!.Step, Agent = agent, Provider = null, Usage = Usage.Zero, Latency = TimeSpan.Zero, At = at, CacheHit = true, Cacheable = false },
                    CancellationToken.None).ConfigureAwait(false);
            }

            return reply;
        }
    }

    // Agents ask for whole replies (the pieces reach observers through the request's context); a stream is made of one.
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        WholeReplies.AsStreamAsync(ct => GetResponseAsync(messages, options, ct), cancellationToken);
}
