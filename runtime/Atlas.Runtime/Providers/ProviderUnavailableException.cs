using System;

namespace Atlas.Runtime;

/// <summary>
/// Thrown by a <see cref="ProviderClientFactory"/> for a provider that cannot be used as declared: the runtime makes it
/// unavailable (<see cref="ProviderStatus.Reason"/>) with the message, and a route skips it, saying why.
/// </summary>
/// <param name="reason">Why, in one short clause that holds no API key: <c>no model is set</c>.</param>
public sealed class ProviderUnavailableException(string reason) : Exception(reason);
