using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>A prompt or instruction template as declared: text, <c>{{path}}</c> and <c>{{for}}</c> segments.</summary>
/// <param name="Segments">The template's pieces in order, as generated code and the CLI build them from the declaration.</param>
public sealed record PromptTemplate(IReadOnlyList<TemplateSegment> Segments)
{
    /// <summary>
    /// Renders the template with the agent's arguments (JSON values keyed by parameter name as declared).
    /// </summary>
    /// <remarks>
    /// Strings render as they are, numbers as their JSON text, booleans as <c>true</c>/<c>false</c>,
    /// null (or a missing member) as nothing, a list of scalars as its items joined with ", ",
    /// objects and lists holding objects or lists as compact JSON. <c>{{for x in a.b}}</c> repeats its
    /// body for each item of the list with <c>x</c> bound to it. Thread-safe; the template is immutable.
    /// </remarks>
    /// <param name="arguments">The agent's arguments by parameter name; a name the template uses but this lacks renders as nothing.</param>
    /// <returns>The rendered text.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="arguments"/> is <see langword="null"/>.</exception>
    public string Render(IReadOnlyDictionary<string, JsonNode?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var output = new StringBuilder();
        TemplateRenderer.Render(Segments, new TemplateScope(arguments, null, null, null), output);
        return output.ToString();
    }
}

/// <summary>
/// A piece of a <see cref="PromptTemplate"/>: <see cref="TextSegment"/>, <see cref="PathSegment"/> or <see cref="LoopSegment"/>.
/// Generated code and the CLI build them from the template the .atlas file declares; the renderer knows only these three.
/// </summary>
public abstract record TemplateSegment;

/// <summary>Literal text, rendered as it is.</summary>
/// <param name="Text">The text between tags, with the template's own line breaks and spaces.</param>
public sealed record TextSegment(string Text) : TemplateSegment;

/// <summary><c>{{a.b.c}}</c>: the first name is an agent parameter or a loop variable; names are as declared.</summary>
/// <param name="Path">The names, first to last (<c>a</c>, <c>b</c>, <c>c</c>); a missing member renders as nothing.</param>
public sealed record PathSegment(IReadOnlyList<string> Path) : TemplateSegment;

/// <summary><c>{{for x in a.b}} ... {{end}}</c>: <see cref="Body"/> rendered once per item of the list <see cref="Source"/> names.</summary>
/// <remarks>A source that is missing or not a list renders nothing.</remarks>
/// <param name="Variable">The loop variable (<c>x</c>), bound to each item in turn and visible in <see cref="Body"/> only.</param>
/// <param name="Source">The path of the list (<c>a.b</c>): an agent parameter or an outer loop variable, then members.</param>
/// <param name="Body">The segments between the <c>for</c> tag and its <c>end</c>.</param>
public sealed record LoopSegment(string Variable, IReadOnlyList<string> Source, IReadOnlyList<TemplateSegment> Body) : TemplateSegment;
