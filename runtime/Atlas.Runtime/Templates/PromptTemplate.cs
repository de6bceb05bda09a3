using System.Collections.Generic;

namespace Atlas.Runtime;

/// <summary>A prompt or instruction template as declared: text, <c>{{path}}</c> and <c>{{for}}</c> segments.</summary>
public sealed record PromptTemplate(IReadOnlyList<TemplateSegment> Segments);

public abstract record TemplateSegment;

public sealed record TextSegment(string Text) : TemplateSegment;

/// <summary><c>{{a.b.c}}</c>: the first name is an agent parameter or a loop variable; names are as declared.</summary>
public sealed record PathSegment(IReadOnlyList<string> Path) : TemplateSegment;

public sealed record LoopSegment(string Variable, IReadOnlyList<string> Source, IReadOnlyList<TemplateSegment> Body) : TemplateSegment;
