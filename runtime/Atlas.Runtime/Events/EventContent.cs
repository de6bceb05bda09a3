using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// What events say of a run's content — a model request's messages and its reply, a tool's result, a delegate's answer —
/// each capped at <see cref="MaxChars"/> characters after its secrets are redacted (where events are emitted, so that a
/// key cut in two by the cap cannot leave half of itself).
/// </summary>
public static class EventContent
{
    /// <summary>The most characters an event keeps of one piece of content; the rest is cut and counted (<c>… [N more characters]</c>).</summary>
    public const int MaxChars = 16_384;

    /// <summary><paramref name="text"/>, cut to <see cref="MaxChars"/> characters with a note of how many were cut.</summary>
    internal static string Cap(string text) =>
        text.Length <= MaxChars
            ? text
            : string.Create(CultureInfo.InvariantCulture, $"{text.AsSpan(0, MaxChars)}… [{text.Length - MaxChars:N0} more characters]");

    /// <summary>The event with its content capped (<see cref="Cap"/>); the same event when nothing is too long.</summary>
    internal static AtlasEvent Capped(AtlasEvent atlasEvent) => atlasEvent switch
    {
        ModelCalled e when e.Messages.Length > MaxChars || e.Reply.Length > MaxChars => e with { Messages = Cap(e.Messages), Reply = Cap(e.Reply) },
        ToolCalled { Result.Length: > MaxChars } e => e with { Result = Cap(e.Result) },
        DelegationCompleted { Answer.Length: > MaxChars } e => e with { Answer = Cap(e.Answer) },
        _ => atlasEvent,
    };

    /// <summary>A request's messages as JSON (<c>[{"role":"user","contents":[{"text":"..."}]}]</c>, as the run store keeps them).</summary>
    internal static string Messages(IEnumerable<ChatMessage> messages) =>
        new JsonArray(messages.Select(ModelRequests.Message).ToArray()).ToJsonString(TemplateRenderer.Compact);

    /// <summary>A reply: its text, or when it has none (tool calls only) its messages as JSON.</summary>
    internal static string Reply(ChatResponse response) =>
        response.Text is { Length: > 0 } text ? text : Messages(response.Messages);

    /// <summary>A value (a tool's result, a delegate's answer) as compact JSON; <see langword="null"/> for none.</summary>
    internal static string? Value(object? value) => ModelRequests.Value(value)?.ToJsonString(TemplateRenderer.Compact);
}
