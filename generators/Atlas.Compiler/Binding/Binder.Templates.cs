using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// Agent prompt and instruction templates: {{a.b.c}} paths and {{for x in path}} ... {{end}} loops.
internal sealed partial class Binder
{
    /// <summary>How deeply expressions and template loops may nest before binding stops descending.</summary>
    private const int MaxNesting = 100;

    private TemplateModel? BindTemplate(AttributeSyntax attribute, Symbol agent)
    {
        var file = agent.File;
        StringValueSyntax? text = attribute.Value switch
        {
            StringValueSyntax { Value: not null } s => s,
            NameValueSyntax { Name.Name: { } name } n when file.IsYaml =>
                new StringValueSyntax(name, SourceMap.Contiguous(n.Span.Start, name.Length), n.Span, IsBareYamlScalar: true),
            _ => null,
        };

        if (text is null)
        {
            ReportWrongKind(attribute, file, "a string");
            return null;
        }

        var template = TemplateParser.Parse(text, file, _diagnostics);
        if (template is null) return new TemplateModel(EquatableArray<TemplatePart>.Empty);

        // Scope: the agent's parameters, then each enclosing {{for}} variable (innermost last).
        var scope = agent.Parameters.Select(p => new KeyValuePair<string, TypeRef>(p.Name, p.Type)).ToList();
        return new TemplateModel(BindTemplateParts(template.Parts, scope, file, 0));
    }

    private EquatableArray<TemplatePart> BindTemplateParts(ImmutableArray<TemplatePartSyntax> parts, List<KeyValuePair<string, TypeRef>> scope, SourceFile file, int depth)
    {
        var result = new List<TemplatePart>();
        foreach (var part in Items(parts))
        {
            switch (part)
            {
                case TemplateTextSyntax text:
                    result.Add(new TextPart(text.Text ?? ""));
                    break;

                case TemplatePathSyntax path:
                    ResolveTemplatePath(path.Path, scope, file);
                    result.Add(new PathPart(PathNames(path.Path)));
                    break;

                case TemplateForSyntax loop:
                    if (depth >= MaxNesting)
                    {
                        Report(At(file, loop.Span).NestingTooDeep("template loop", MaxNesting));
                        break;
                    }

                    var source = ResolveTemplatePath(loop.Source, scope, file);
                    var element = TypeRef.Error;
                    if (source.Kind != TypeKind.Error)
                    {
                        if (source.IsList) element = source.Element;
                        else Report(At(file, PathSpan(loop.Source)).NotAList(string.Join(".", PathNames(loop.Source)), source));
                    }

                    var variable = loop.Variable?.Name;
                    if (variable is not null) scope.Add(new KeyValuePair<string, TypeRef>(variable, element));
                    var body = BindTemplateParts(loop.Body, scope, file, depth + 1);
                    if (variable is not null) scope.RemoveAt(scope.Count - 1);
                    result.Add(new ForPart(variable ?? "", PathNames(loop.Source), body));
                    break;
            }
        }

        return result.ToEquatableArray();
    }

    /// <summary>The type a template path reads; its first segment must be in scope, each further one a member.</summary>
    private TypeRef ResolveTemplatePath(ImmutableArray<IdentifierSyntax> path, List<KeyValuePair<string, TypeRef>> scope, SourceFile file)
    {
        var segments = Items(path).Where(s => s.Name is not null).ToList();
        if (segments.Count == 0) return TypeRef.Error;

        var first = segments[0];
        int index = scope.FindLastIndex(entry => string.Equals(entry.Key, first.Name, StringComparison.Ordinal));
        if (index < 0)
        {
            Report(At(file, first.Span).UnknownName(first.Name, Suggest(first.Name, scope.Select(e => e.Key))));
            return TypeRef.Error;
        }

        var type = scope[index].Value;
        for (int i = 1; i < segments.Count && type.Kind != TypeKind.Error; i++) type = MemberType(type, segments[i], file);
        return type;
    }

    private static EquatableArray<string> PathNames(ImmutableArray<IdentifierSyntax> path) =>
        Items(path).Select(s => s.Name ?? "").ToEquatableArray();

    private static TextSpan PathSpan(ImmutableArray<IdentifierSyntax> path)
    {
        var segments = Items(path).ToList();
        return segments.Count == 0 ? default : segments[0].Span.Cover(segments[segments.Count - 1].Span);
    }
}
