using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Makes the clients of the providers of one kind (<c>openai</c>, <c>anthropic</c>, <c>ollama</c>...) over their client
/// library. Atlas.Runtime carries no provider library itself: each kind's package (Atlas.Runtime.OpenAI,
/// Atlas.Runtime.Anthropic, Atlas.Runtime.Ollama) derives one and registers it in
/// <see cref="AtlasRuntimeOptions.ProviderClientFactories"/> with its <c>Use...</c> method, which generated <c>AddAtlas()</c>
/// calls for the kinds a project declares. Only the built-in <see cref="ProviderKind.Mock"/> needs none.
/// </summary>
/// <remarks>
/// <para>
/// The runtime does everything around the library the same way for every kind: it reads the API key, gives the library an
/// <see cref="System.Net.Http.HttpClient"/> (<see cref="ProviderClientContext.HttpClient"/>) that bounds each request and turns
/// error statuses into <see cref="ProviderException"/>s, and puts the client in the provider's pipeline of middleware, under
/// error normalisation, which asks <see cref="DescribeFailure"/> about the library's own exceptions. A factory turns the
/// library's own retries off (the runtime retries under the route's policy) and sets the library's timeout to
/// <see cref="ProviderClientContext.LibraryTimeout"/>.
/// </para>
/// <para>Implementations must be thread-safe: one instance serves every runtime built from the options that hold it.</para>
/// </remarks>
public abstract class ProviderClientFactory
{
    /// <summary>Makes the chat client of one provider, over <see cref="ProviderClientContext.HttpClient"/>. No request is made yet.</summary>
    /// <param name="context">The provider's descriptor, its API key and the HTTP client to send with.</param>
    /// <returns>The provider's client; the runtime owns it and disposes it with the provider's pipeline.</returns>
    /// <exception cref="ProviderUnavailableException">The provider cannot be used as declared (no model, no endpoint, no API key...).</exception>
    public abstract IChatClient CreateChatClient(ProviderClientContext context);

    /// <summary>
    /// Makes the embedding generator of one provider, with its <see cref="ProviderDescriptor.EmbeddingModel"/>, for a knowledge
    /// base whose <c>embedder</c> names it (<see cref="ProviderEmbedders"/>). By default the kind does not embed.
    /// </summary>
    /// <param name="context">The provider's descriptor (its embedding model is set), its API key and the HTTP client to send with.</param>
    /// <returns>The generator; the caller of <see cref="ProviderEmbedders"/> owns it.</returns>
    /// <exception cref="ProviderUnavailableException">The provider cannot embed as declared.</exception>
    public virtual IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderClientContext context) =>
        throw new ProviderUnavailableException("this kind of provider does not embed");

    /// <summary>
    /// What a failure of the client library means, for the one line that names the provider: called for each exception of
    /// a failure's chain (outermost first) that the runtime does not recognise by its .NET type (a <see cref="System.Text.Json.JsonException"/>,
    /// an <see cref="System.IO.IOException"/>, a timeout...). By default, nothing: the runtime's own reading applies.
    /// </summary>
    /// <param name="error">One exception of the failure's chain.</param>
    /// <returns>What it means, or <see langword="null"/> when this factory does not know it.</returns>
    public virtual ProviderFailure? DescribeFailure(Exception error) => null;

    /// <summary>
    /// The text the model sent as the arguments of <paramref name="call"/>, a tool call of a whole reply whose arguments
    /// did not parse as JSON, from the library's raw representation of the call; so a trace shows what the model sent.
    /// </summary>
    /// <param name="call">A call with <see cref="FunctionCallContent.Exception"/> set.</param>
    /// <returns>The model's text, or <see langword="null"/> when the library does not keep it.</returns>
    public virtual string? ReadToolCallArguments(FunctionCallContent call) => null;

    /// <summary>
    /// The pieces of tool-call arguments in one streamed update, from the library's raw representation of it; the runtime
    /// joins the pieces of a call (by <see cref="ToolCallArgumentsPiece.Index"/>) to show what the model sent when they do
    /// not parse as JSON.
    /// </summary>
    /// <param name="update">One update of a streamed reply.</param>
    /// <returns>Its pieces; none by default.</returns>
    public virtual IEnumerable<ToolCallArgumentsPiece> ReadToolCallArgumentPieces(ChatResponseUpdate update) => [];
}
