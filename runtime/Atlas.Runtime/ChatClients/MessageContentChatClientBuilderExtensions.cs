using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>Adds <see cref="MessageContentChatClient"/> to a provider's pipeline.</summary>
internal static class MessageContentChatClientBuilderExtensions
{
    /// <summary>Records each request's messages and reply, secrets blanked out, on the <c>chat</c> span around it.</summary>
    public static ChatClientBuilder UseMessageContent(this ChatClientBuilder builder, SecretRedactor secrets) =>
        builder.Use(inner => new MessageContentChatClient(inner, secrets));
}
