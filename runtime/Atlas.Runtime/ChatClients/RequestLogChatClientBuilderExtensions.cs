using System;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime;

/// <summary>Adds <see cref="RequestLogChatClient"/> to a provider's pipeline.</summary>
internal static class RequestLogChatClientBuilderExtensions
{
    /// <summary>Logs each request (Debug) and each failure (Warning) of <paramref name="provider"/>, when the logger would write either.</summary>
    public static ChatClientBuilder UseRequestLog(this ChatClientBuilder builder, ILoggerFactory loggerFactory, ProviderDescriptor provider, SecretRedactor secrets, TimeProvider time)
    {
        var logger = loggerFactory.CreateLogger<RequestLogChatClient>();
        return logger.IsEnabled(LogLevel.Warning) || logger.IsEnabled(LogLevel.Debug)
            ? builder.Use(inner => new RequestLogChatClient(inner, logger, provider, secrets, time))
            : builder;
    }
}
