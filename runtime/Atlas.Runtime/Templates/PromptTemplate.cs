using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json.Nodes;

namespace Atlas.Runtime;

/// <summary>A prompt or instruction template as declared: text, <c>{{path}}</c> and <c>{{for}}</c> segments.</summary>
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
    public string Render(IReadOnlyDictionary<string, JsonNode?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var output = new StringBuilder();
        TemplateRenderer.Render(Segments, new TemplateScope(arguments, null, null, null), output);
        return output.ToString();
    }
}

public abstract record TemplateSegment;

public sealed record TextSegment(string Text) : TemplateSegment;

/// <summary><c>{{a.b.c}}</c>: the first name is an agent parameter or a loop variable; names are as declared.</summary>
public sealed record PathSegment(IReadOnlyList<string> Path) : TemplateSegment;

public sealed record LoopSegment(string Variable, IReadOnlyList<string> Source, IReadOnlyList<TemplateSegment> Body) : TemplateSegment;
