using System;
using System.Collections.Generic;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>The provider kinds, what each supports by default (<see cref="ProviderDefaults"/>), and how its client is made.</summary>
internal static class ProviderKinds
{
    public const string Mock = "mock";
    public const string OpenAI = "openai";
    public const string OpenAICompatible = "openai_compatible";
    public const string Ollama = "ollama";
    public const string Anthropic = "anthropic";

    /// <summary>A host's own client registered under a name no descriptor declares.</summary>
    public const string Custom = "custom";

    /// <summary>The kind's row of <see cref="ProviderDefaults"/>, the table the binder reads too.</summary>
    public static IReadOnlyList<string> DefaultCapabilities(string kind) => ProviderDefaults.Capabilities(kind);

    /// <summary>
    /// Makes the client a descriptor asks for, or says why it can't. The API key is read here, handed
    /// to the client, and never shown: <paramref name="secrets"/> keeps it only to blank it out of text.
    /// </summary>
    public static (IChatClient? Client, string? Reason) CreateClient(ProviderDescriptor descriptor, AtlasRuntimeOptions options, SecretRedactor secrets)
    {
        if (descriptor.Kind == Mock)
        {
            return (new MockChatClient(descriptor.Model, descriptor.Latency, options.TimeProvider), null);
        }

        string? key = null;
        if (descriptor.ApiKeyVariable is { Length: > 0 } variable)
        {
            key = options.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(key))
            {
                return (null, $"{variable} is not set");
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
            return (null, $"{descriptor.Kind} client could not be created for model '{descriptor.Model}': {ex.GetType().Name}");
        }
    }
}
