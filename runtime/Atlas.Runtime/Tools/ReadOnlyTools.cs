using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime;

/// <summary>
/// Which tools only read: a declared tool with <c>read_only = true</c> (generated code and <c>atlas run</c>
/// mark its <see cref="AIFunction"/> with <see cref="Property"/>), a C# host's function marked with
/// <see cref="Mark"/>, or an MCP server's tool with MCP's <c>readOnlyHint</c>. The offline <c>mock</c>
/// provider calls only those (and delegates); every other call it would make is recorded, not made.
/// </summary>
public static class ReadOnlyTools
{
    /// <summary>The <see cref="AITool.AdditionalProperties"/> key whose value <c>true</c> marks a read-only tool.</summary>
    public const string Property = "atlas.read_only";

    /// <summary>The additional properties of a read-only tool: <c>{ "atlas.read_only": true }</c>.</summary>
    public static IReadOnlyDictionary<string, object?> Properties { get; } =
        new ReadOnlyDictionary<string, object?>(new Dictionary<string, object?>(StringComparer.Ordinal) { [Property] = true });

    /// <summary>Whether calling <paramref name="tool"/> changes nothing outside the run.</summary>
    /// <param name="tool">A tool offered to a model.</param>
    /// <returns><see langword="true"/> for a tool marked with <see cref="Property"/> (Atlas.Runtime.Mcp marks an MCP tool with <c>readOnlyHint</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tool"/> is <see langword="null"/>.</exception>
    public static bool IsReadOnly(AITool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return tool.AdditionalProperties.TryGetValue(Property, out var value) && value is true;
    }

    /// <summary><paramref name="function"/>, marked read-only (for <see cref="AtlasRuntimeOptions.Tools"/> from C#).</summary>
    /// <param name="function">A function that only reads.</param>
    /// <returns><paramref name="function"/> itself if it is marked already, else a wrapper that delegates to it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    public static AIFunction Mark(AIFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return IsReadOnly(function) ? function : new MarkedFunction(function);
    }

    private sealed class MarkedFunction(AIFunction inner) : DelegatingAIFunction(inner)
    {
        public override IReadOnlyDictionary<string, object?> AdditionalProperties => Properties;
    }
}
