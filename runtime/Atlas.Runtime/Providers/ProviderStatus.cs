using System.Collections.Generic;

namespace Atlas.Runtime;

/// <summary>A provider's state: usable, or why not (e.g. "OPENAI_API_KEY is not set").</summary>
/// <param name="Name">The provider's name.</param>
/// <param name="Kind">Which client it has.</param>
/// <param name="Available">Whether calls can be made to it (its client could be created, its API key is set).</param>
/// <param name="Reason">Why it is unavailable; <see langword="null"/> when <paramref name="Available"/>.</param>
/// <param name="Capabilities">What it supports: the declared <c>supports</c>, or its kind's defaults.</param>
public sealed record ProviderStatus(string Name, ProviderKind Kind, bool Available, string? Reason, IReadOnlyList<string> Capabilities);
