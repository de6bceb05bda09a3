using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
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
    /// Makes the client a descriptor asks for, through its kind's registered <see cref="ProviderClientFactory"/>, or says why
    /// it can't. The API key is read here, handed to the factory, and never shown: <paramref name="secrets"/> keeps it only to
    /// blank it out of text.
    /// </summary>
    /// <returns>
    /// The client, with the HTTP client under it for a remote kind (the pipeline's error normalisation owns it) and the kind's
    /// factory; or why not.
    /// </returns>
    public static (IChatClient? Client, HttpClient? Http, ProviderClientFactory? Factory, string? Reason) CreateClient(ProviderDescriptor descriptor, AtlasRuntimeOptions options, SecretRedactor secrets)
    {
        if (descriptor.Kind == ProviderKind.Mock)
        {
            return (new MockChatClient(descriptor.Model, descriptor.Latency, options.TimeProvider), null, null, null);
        }

        if (!TryGetFactory(descriptor.Kind, options, out var factory, out var notRegistered))
        {
            return (null, null, null, notRegistered);
        }

        if (!TryReadApiKey(descriptor, options.GetEnvironmentVariable, secrets, out var key, out var unset))
        {
            return (null, null, factory, unset);
        }

        var context = CreateContext(descriptor, key, secrets, options.TimeProvider ?? TimeProvider.System);
        try
        {
            return (factory.CreateChatClient(context), context.CreatedHttpClient, factory, null);
        }
        catch (Exception ex) when (Unusable(ex, descriptor, descriptor.Model, "client") is { } reason)
        {
            context.CreatedHttpClient?.Dispose();
            return (null, null, factory, reason);
        }
    }

    /// <summary>The registered factory of a remote kind, or one line naming the package that registers it.</summary>
    public static bool TryGetFactory(ProviderKind kind, AtlasRuntimeOptions options, [NotNullWhen(true)] out ProviderClientFactory? factory, [NotNullWhen(false)] out string? reason)
    {
        if (options.ProviderClientFactories.TryGetValue(kind, out factory))
        {
            reason = null;
            return true;
        }

        reason = RuntimePackage.ForProviderKind(Spelling(kind)) is { } package
            ? package.NotRegistered()
            : $"no client is registered for provider kind '{Spelling(kind)}' (AtlasRuntimeOptions.ProviderClientFactories)";
        return false;
    }

    /// <summary>The API key its variable holds (noted as a secret); false, saying so, when the variable is named but unset.</summary>
    public static bool TryReadApiKey(ProviderDescriptor descriptor, Func<string, string?> getEnvironmentVariable, SecretRedactor secrets, out string? key, [NotNullWhen(false)] out string? reason)
    {
        key = null;
        reason = null;
        if (descriptor.ApiKeyVariable is { Length: > 0 } variable)
        {
            key = getEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(key))
            {
                reason = $"{variable} is not set";
                return false;
            }

            secrets.Add(key);
        }

        // Credentials in the endpoint URL are secrets too: blanked from any error that quotes the URL.
        secrets.AddEndpoint(descriptor.Endpoint);
        return true;
    }

    /// <summary>What a factory makes a client from: its HTTP client is made only if the factory asks for it.</summary>
    public static ProviderClientContext CreateContext(ProviderDescriptor descriptor, string? key, SecretRedactor secrets, TimeProvider time) =>
        new(descriptor, key, () => RemoteClients.CreateHttpClient(descriptor, secrets, time), RemoteClients.Backstop(descriptor));

    /// <summary>Why a factory could not make a client (its own reason, or the kind of error a library's constructor threw); null for any other error.</summary>
    public static string? Unusable(Exception error, ProviderDescriptor descriptor, string? model, string what) => error switch
    {
        ProviderUnavailableException unavailable => unavailable.Message,
        // The message of a client constructor never holds the key; still, name only the kind and model.
        ArgumentException or UriFormatException or InvalidOperationException or FormatException =>
            $"{Spelling(descriptor.Kind)} {what} could not be created for model '{model}': {error.GetType().Name}",
        _ => null,
    };
}
