using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// The built-in <c>mock</c> provider: offline and deterministic (the same messages and options give
/// the same reply). With a JSON-schema response format it answers a JSON value valid against the
/// schema; otherwise a short sentence about the start of the last user message. Offered tools
/// (functions) are each called once, with arguments generated from their JSON schemas, before it
/// answers: its first reply asks for all of them, and once their results are in the conversation it
/// answers (a text answer names the tools it consulted). Only delegates and read-only tools
/// (<see cref="ReadOnlyTools"/>) are called: any other call is made up, and may act outside the run,
/// so it is only recorded, as an informational <see cref="FunctionCallContent"/> (which the tool loop
/// does not invoke) and in a text answer ("would call page_team").
/// </summary>
/// <remarks>
/// Streaming yields the reply word by word, waiting <see cref="Latency"/> (on the given
/// <see cref="TimeProvider"/>; on the system clock corrected for timer lateness, see
/// <see cref="MockLatency"/>) before each word; a non-streaming call waits <see cref="Latency"/> once.
/// Usage is estimated as one token per four characters. Thread-safe and stateless; disposing does nothing.
/// </remarks>
public sealed partial class MockChatClient : IChatClient
{
    private static readonly string[] Openings = ["Here is", "In short,", "Briefly:", "Summary:", "Answer:", "Noted:"];
    private static readonly string[] Closings =
    [
        "this looks straightforward.", "more detail would help.", "the usual steps apply.",
        "it can be resolved quickly.", "a follow-up may be needed.", "nothing unusual stands out.",
    ];

    /// <summary>The call id of a call the mock only records (never made).</summary>
    private const string WouldCallPrefix = "would_call_";

    private readonly TimeProvider _timeProvider;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a mock model.</summary>
    /// <param name="modelId">The model id it reports in its metadata and replies; <see langword="null"/> for <c>mock</c>.</param>
    /// <param name="latency">The delay before each streamed word (and once before a whole reply); <see langword="null"/> or not positive for none.</param>
    /// <param name="timeProvider">The clock the delays and the replies' <c>CreatedAt</c> use; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public MockChatClient(string? modelId = null, TimeSpan? latency = null, TimeProvider? timeProvider = null)
    {
        ModelId = modelId ?? "mock";
        Latency = latency is { } l && l > TimeSpan.Zero ? l : TimeSpan.Zero;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _metadata = new ChatClientMetadata("atlas-mock", null, ModelId);
    }

    /// <summary>The model id it reports (<c>mock</c> unless given).</summary>
    public string ModelId { get; }

    /// <summary>The delay before each streamed word, and once before a whole reply; <see cref="TimeSpan.Zero"/> for none.</summary>
    public TimeSpan Latency { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        await MockLatency.DelayAsync(Latency, _timeProvider, cancellationToken).ConfigureAwait(false);

        var calls = ToolCalls(list, options);
        if (calls is { Calls: > 0 })
        {
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, calls.Contents))
            {
                ResponseId = calls.ResponseId,
                ModelId = ModelId,
                FinishReason = ChatFinishReason.ToolCalls,
                CreatedAt = _timeProvider.GetUtcNow(),
                Usage = EstimateUsage(list, calls.Text),
            };
        }

        var (text, responseId) = Compose(list, options, calls);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextContent(text), .. calls?.Recorded ?? []]))
        {
            ResponseId = responseId,
            ModelId = ModelId,
            FinishReason = ChatFinishReason.Stop,
            CreatedAt = _timeProvider.GetUtcNow(),
            Usage = EstimateUsage(list, text),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var calls = ToolCalls(list, options);
        if (calls is { Calls: > 0 })
        {
            await MockLatency.DelayAsync(Latency, _timeProvider, cancellationToken).ConfigureAwait(false);

            yield return new ChatResponseUpdate(ChatRole.Assistant, calls.Contents) { ResponseId = calls.ResponseId, MessageId = calls.ResponseId, ModelId = ModelId };
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(EstimateUsage(list, calls.Text))])
            {
                ResponseId = calls.ResponseId,
                MessageId = calls.ResponseId,
                ModelId = ModelId,
                FinishReason = ChatFinishReason.ToolCalls,
            };
            yield break;
        }

        var (text, responseId) = Compose(list, options, calls);
        foreach (var token in Tokens(text))
        {
            await MockLatency.DelayAsync(Latency, _timeProvider, cancellationToken).ConfigureAwait(false);

            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, token) { ResponseId = responseId, MessageId = responseId, ModelId = ModelId };
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [.. calls?.Recorded ?? [], new UsageContent(EstimateUsage(list, text))])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = ModelId,
            FinishReason = ChatFinishReason.Stop,
        };
    }

    /// <summary>Returns its <see cref="ChatClientMetadata"/> (provider <c>atlas-mock</c>), or itself for a type it is; <see langword="null"/> for anything else or any key.</summary>
    /// <param name="serviceType">The type of the service wanted.</param>
    /// <param name="serviceKey">A key for the service; the mock has no keyed services.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? _metadata : serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the mock holds no resources.</summary>
    public void Dispose()
    {
    }

    /// <summary>Splits a reply into stream chunks: words with their trailing space; long runs (compact JSON) in 24-character pieces.</summary>
    internal static IEnumerable<string> Tokens(string text)
    {
        foreach (Match match in WordRegex().Matches(text))
        {
            var word = match.Value;
            for (var i = 0; i < word.Length; i += 24)
            {
                yield return word.Substring(i, Math.Min(24, word.Length - i));
            }
        }
    }

    internal static int EstimateTokens(int characters) => Math.Max(1, (characters + 3) / 4);

    private static UsageDetails EstimateUsage(IReadOnlyList<ChatMessage> messages, string reply)
    {
        var input = EstimateTokens(messages.Sum(m => m.Text.Length));
        var output = EstimateTokens(reply.Length);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    /// <summary>
    /// The first turn of a conversation that offers functions: one call of each, arguments generated
    /// from its schema (deterministic, like every reply). Null once any function result is in the
    /// conversation (or none is offered): then the mock answers.
    /// </summary>
    private ToolCallReply? ToolCalls(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var functions = options?.Tools?.OfType<AIFunctionDeclaration>().ToList();
        if (functions is not { Count: > 0 } || messages.Any(m => m.Contents.Any(c => c is FunctionResultContent)))
        {
            return null;
        }

        var seed = Seed(messages, options);
        var random = new DeterministicRandom(seed);
        var words = Words(messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty);
        var contents = new List<AIContent>(functions.Count);
        var text = new StringBuilder();
        var calls = 0;
        for (var i = 0; i < functions.Count; i++)
        {
            var function = functions[i];
            var arguments = new MockJsonGenerator(function.JsonSchema, random, words).Generate() as JsonObject ?? new JsonObject();
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (name, value) in arguments)
            {
                values[name] = value is null ? null : ToElement(value);
            }

            // A tool that may change something outside the run (page a team, write a file) is never called with
            // made-up arguments: the call is only recorded (informational, so the tool loop does not make it).
            var call = MayCall(function)
                ? new FunctionCallContent($"call_{i + 1}_{function.Name}", function.Name, values)
                : new FunctionCallContent($"{WouldCallPrefix}{i + 1}_{function.Name}", function.Name, values) { InformationalOnly = true };
            calls += call.InformationalOnly ? 0 : 1;
            contents.Add(call);
            text.Append(function.Name).Append(arguments.ToJsonString());
        }

        return new ToolCallReply(contents, "mock-" + seed.ToString("x16", CultureInfo.InvariantCulture), text.ToString(), calls);
    }

    /// <summary>Delegates (agents of the run) and read-only tools (<see cref="ReadOnlyTools"/>); not a tool that may act outside the run.</summary>
    private static bool MayCall(AIFunctionDeclaration function) =>
        function.GetService(typeof(DelegateFunction)) is not null || ReadOnlyTools.IsReadOnly(function);

    /// <summary>As a provider's client hands arguments over: JSON elements.</summary>
    private static JsonElement ToElement(JsonNode value)
    {
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>The first turn's calls; <paramref name="Calls"/> of them are made, the rest only recorded (informational).</summary>
    private sealed record ToolCallReply(IList<AIContent> Contents, string ResponseId, string Text, int Calls)
    {
        /// <summary>The recorded calls, for the answer when nothing is called (then the mock answers at once).</summary>
        public IEnumerable<AIContent> Recorded => Contents.Where(c => c is FunctionCallContent call && call.CallId.StartsWith(WouldCallPrefix, StringComparison.Ordinal));
    }

    private (string Text, string ResponseId) Compose(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ToolCallReply? calls = null)
    {
        var seed = Seed(messages, options);
        var random = new DeterministicRandom(seed);
        var responseId = "mock-" + seed.ToString("x16", CultureInfo.InvariantCulture);
        var prompt = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var words = Words(prompt);
        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            JsonNode? value = json.Schema is { } schema
                ? new MockJsonGenerator(schema, random, words).Generate()
                : new JsonObject { ["text"] = Sentence(words, random) };
            return (value?.ToJsonString() ?? "null", responseId);
        }

        var sentence = Sentence(words, random);
        var (consulted, wouldCall) = Consulted(messages, calls);
        if (consulted is not null || wouldCall is not null)
        {
            var notes = new List<string>(2);
            if (consulted is not null) notes.Add("consulted " + string.Join(", ", consulted));
            if (wouldCall is not null) notes.Add("would call " + string.Join(", ", wouldCall) + " (not read-only: not called offline)");
            sentence += $" ({string.Join("; ", notes)})";
        }

        if (options?.MaxOutputTokens is { } max && max > 0 && sentence.Length > max * 4)
        {
            sentence = sentence[..(max * 4)];
        }

        return (sentence, responseId);
    }

    /// <summary>
    /// The functions the conversation called, and those it only recorded (with <paramref name="calls"/>, this turn's),
    /// each in order; null (and nothing allocated) when none: the common case.
    /// </summary>
    private static (List<string>? Consulted, List<string>? WouldCall) Consulted(IReadOnlyList<ChatMessage> messages, ToolCallReply? calls)
    {
        List<string>? names = null;
        List<string>? recorded = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var contents = messages[i].Contents;
            for (var j = 0; j < contents.Count; j++)
            {
                Note(contents[j]);
            }
        }

        foreach (var content in calls?.Recorded ?? [])
        {
            Note(content);
        }

        return (names, recorded);

        void Note(AIContent content)
        {
            if (content is not FunctionCallContent call)
            {
                return;
            }

            // By the mock's own call id: the tool loop marks every call it has made informational too.
            var list = call.CallId.StartsWith(WouldCallPrefix, StringComparison.Ordinal) ? recorded ??= [] : names ??= [];
            if (!list.Contains(call.Name))
            {
                list.Add(call.Name);
            }
        }
    }

    private static string Sentence(IReadOnlyList<string> words, DeterministicRandom random)
    {
        var about = words.Count == 0 ? "your request" : string.Join(' ', words.Take(6));
        return $"{Openings[random.Next(Openings.Length)]} a mock reply about \"{about}\": {Closings[random.Next(Closings.Length)]}";
    }

    private static List<string> Words(string prompt) =>
        PromptWordRegex().Matches(prompt).Select(m => m.Value).ToList();

    private ulong Seed(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var canonical = new StringBuilder();
        canonical.Append(ModelId).Append('\u0001');
        foreach (var message in messages)
        {
            canonical.Append(message.Role.Value).Append('\u0002').Append(message.Text).Append('\u0001');
            foreach (var content in message.Contents)
            {
                // Calls and results carry no text: without them, every turn of a tool loop would look alike.
                switch (content)
                {
                    case FunctionCallContent call:
                        canonical.Append("call:").Append(call.Name).Append('\u0002');
                        break;
                    case FunctionResultContent result:
                        canonical.Append("result:").Append(ResultText(result.Result)).Append('\u0002');
                        break;
                }
            }
        }

        if (options is not null)
        {
            canonical.Append(options.Temperature?.ToString(CultureInfo.InvariantCulture)).Append('\u0001');
            canonical.Append(options.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture)).Append('\u0001');
            canonical.Append(options.ModelId).Append('\u0001');
            if (options.ResponseFormat is ChatResponseFormatJson json)
            {
                canonical.Append("json:").Append(json.SchemaName).Append(json.Schema?.GetRawText());
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
        return BitConverter.ToUInt64(hash, 0);
    }

    private static string ResultText(object? result) => result switch
    {
        null => "null",
        string text => text,
        JsonNode node => node.ToJsonString(),
        JsonElement element => element.GetRawText(),
        _ => result.ToString() ?? "",
    };

    [GeneratedRegex(@"\s*\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex PromptWordRegex();
}

/// <summary>SplitMix64: a tiny generator whose sequence for a seed never changes between .NET versions.</summary>
internal sealed class DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Between(long min, long max) => max <= min ? min : min + (long)(NextUInt64() % (ulong)(max - min + 1));
}
