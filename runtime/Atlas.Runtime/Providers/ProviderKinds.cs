using System;
using System.Collections.Generic;
using System.Net.Http;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>The provider kinds, what each supports by default (<see cref="ProviderDefaults"/>), and how its client is made.</summary>
internal static class ProviderKinds
{
    /// <summary>The kind's .atlas spelling, for messages and for <see cref="ProviderDefaults"/>'s rows.</summary>
    public static string Spelling(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Ollama => "ollama",
        ProviderKind.OpenAICompatible => "openai_compatible",
        ProviderKind.Mock => "mock",
        ProviderKind.Custom => "custom",
        _ => "unknown",
    };

    /// <summary>The kind's row of <see cref="ProviderDefaults"/>, the table the binder reads too.</summary>
    public static IReadOnlyList<string> DefaultCapabilities(ProviderKind kind) => ProviderDefaults.Capabilities(Spelling(kind));

    /// <summary>
    /// Makes the client a descriptor asks for, or says why it can't. The API key is read here, handed
    /// to the client, and never shown: <paramref name="secrets"/> keeps it only to blank it out of text.
    /// </summary>
    /// <returns>The client, with the HTTP client under it for a remote kind (the pipeline's error normalisation owns it); or why not.</returns>
    public static (IChatClient? Client, HttpClient? Http, string? Reason) CreateClient(ProviderDescriptor descriptor, AtlasRuntimeOptions options, SecretRedactor secrets)
    {
        if (descriptor.Kind == ProviderKind.Mock)
        {
            return (new MockChatClient(descriptor.Model, descriptor.Latency, options.TimeProvider), null, null);
        }

        string? key = null;
        if (descriptor.ApiKeyVariable is { Length: > 0 } variable)
        {
            key = options.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(key))
            {
                return (null, null, $"{variable} is not set");
            }

            secrets.Add(key);
        }

        // Credentials in the endpoint URL are secrets too: blanked from any error that quotes the URL.
        secrets.AddEndpoint(descriptor.Endpoint);
        try
        {
            return RemoteClients.Create(descriptor, key, secrets, options.TimeProvider ?? TimeProvider.System);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or InvalidOperationException or FormatException)
        {
            // The message of a client constructor never holds the key; still, name only the kind and model.
            return (null, null, $"{Spelling(descriptor.Kind)} client could not be created for model '{descriptor.Model}': {ex.GetType().Name}");
        }
    }
}
