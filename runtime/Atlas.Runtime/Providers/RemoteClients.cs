using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Clients for providers reached over the network (openai, openai_compatible, ollama, anthropic).</summary>
internal static class RemoteClients
{
    public static (IChatClient? Client, string? Reason) Create(ProviderDescriptor descriptor, string? apiKey)
    {
        _ = apiKey;
        return (null, $"{descriptor.Kind} client not configured in this build");
    }
}
