using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Yaml;

/// <summary>
/// Loads the YAML form of Atlas (<c>*.atlas.yaml</c>) into the same syntax tree the .atlas parser
/// produces for the equivalent text, with every span pointing into the YAML file.
/// </summary>
/// <remarks>
/// The top level is a mapping of sections (<c>providers</c>, <c>routes</c>, <c>enums</c>,
/// <c>types</c>, <c>agents</c>, <c>humans</c>, <c>tools</c>, <c>mcp</c>, <c>knowledge</c>, <c>workflows</c>), each a
/// mapping of declaration names to their bodies. Never throws for bad input: YAML syntax errors
/// are ATL1001, nodes of the wrong shape ATL1002, unknown sections ATL1003, unknown keys ATL1005, a
/// missing <c>returns</c> ATL1006, and one bad declaration does not stop the others from loading. Thread-safe (no shared state).
/// </remarks>
public static class YamlLoader
{
    /// <summary>The sections of an Atlas YAML file, in the order the language sketch presents them.</summary>
    public static readonly ImmutableArray<string> Sections =
        ImmutableArray.Create("providers", "routes", "enums", "types", "agents", "humans", "tools", "mcp", "knowledge", "workflows");

    private static readonly string[] ToolKeys = { "params", "returns", "read_only" };
    private static readonly string[] WorkflowKeys = { "params", "returns", "steps", "return", "budget" };

    /// <summary>
    /// Loads <paramref name="file"/> into a syntax tree, adding every problem to <paramref name="diagnostics"/>
    /// (the caller owns the bag). Throws only <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static SyntaxTree Load(SourceFile file, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        var documents = YamlNodeReader.Read(file, diagnostics, cancellationToken);
        var loader = new Loader(new YamlValues(file, diagnostics), cancellationToken);
        foreach (var document in documents) loader.LoadDocument(document);
        return new SyntaxTree(file, loader.Declarations.ToImmutable());
    }

    private sealed class Loader
    {
        private readonly YamlValues _values;
        private readonly CancellationToken _cancellationToken;

        public Loader(YamlValues values, CancellationToken cancellationToken)
        {
            _values = values;
            _cancellationToken = cancellationToken;
        }

        public ImmutableArray<DeclarationSyntax>.Builder Declarations { get; } = ImmutableArray.CreateBuilder<DeclarationSyntax>();

        public void LoadDocument(YamlNode document)
        {
            if (document is YamlScalar { IsNull: true }) return; // an empty document (only comments, or `---`)
            if (document is not YamlMapping root)
            {
                _values.ReportUnsupported(document, "a mapping of sections (" + SectionList() + ")");
                return;
            }

            foreach (var pair in root.Pairs)
            {
                if (pair.Key is not YamlScalar key || key.IsNull)
                {
                    _values.ReportUnsupported(pair.Key, "a section name (" + SectionList() + ")");
                    continue;
                }
                if (!Sections.Contains(key.Value))
                {
                    _values.Report(_values.At(key).YamlUnknownSection(key.Value, Sections, Suggestions.Closest(key.Value, Sections)));
                    continue;
                }
                LoadSection(key.Value, pair.Value);
            }
        }

        private void LoadSection(string section, YamlNode value)
        {
            if (value is YamlScalar { IsNull: true }) return; // `agents:` with every entry commented out
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"the section `{section}` to be a mapping of names to {Describe(section)}");
                return;
            }

            foreach (var pair in mapping.Pairs)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                // A declaration cut short by a YAML syntax error (already reported) is left out
                // rather than checked half-read.
                if (!pair.Value.IsComplete) continue;
                var name = _values.Name(pair.Key, "a declaration in `" + section + "`");
                if (name is null) continue;
                try
                {
                    var declaration = LoadDeclaration(section, name, pair.Key, pair.Value);
                    if (declaration is not null) Declarations.Add(declaration);
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    _values.Report(DiagnosticBuilder.At(_values.File, name.Span).InternalError(ex.GetType().Name + ": " + ex.Message));
                }
            }
        }

        private DeclarationSyntax? LoadDeclaration(string section, IdentifierSyntax name, YamlNode key, YamlNode value)
        {
            var span = YamlValues.Cover(key, value);
            switch (section)
            {
                case "enums":
                    return LoadEnum(name, value, span);
                case "types":
                    return LoadType(name, value, span);
                case "agents":
                    return LoadAgent(name, value, span);
                case "humans":
                    return LoadHuman(name, value, span);
                case "tools":
                    return LoadTool(name, value, span);
                case "workflows":
                    return LoadWorkflow(name, value, span);
            }

            string keyword = Keyword(section);
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"the attributes of {keyword} `{name.Name}` as a mapping (e.g. `{{ kind: mock }}`)");
                return null;
            }
            var body = _values.Block(mapping, $"{keyword} `{name.Name}`");
            return section switch
            {
                "providers" => new ProviderSyntax(name, body, span),
                "routes" => new RouteSyntax(name, body, span),
                "mcp" => new McpSyntax(name, body, span),
                _ => new KnowledgeSyntax(name, body, span),
            };
        }

        private EnumSyntax? LoadEnum(IdentifierSyntax name, YamlNode value, TextSpan span)
        {
            if (value is not YamlSequence sequence)
            {
                _values.ReportUnsupported(value, $"the members of enum `{name.Name}` as a list (e.g. `[billing, bug]`)");
                return null;
            }
            var members = ImmutableArray.CreateBuilder<IdentifierSyntax>(sequence.Items.Count);
            foreach (var item in sequence.Items)
            {
                var member = _values.Name(item, $"a member of enum `{name.Name}`");
                if (member is not null) members.Add(member);
            }
            return new EnumSyntax(name, members.ToImmutable(), span);
        }

        private TypeSyntax? LoadType(IdentifierSyntax name, YamlNode value, TextSpan span)
        {
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"the fields of type `{name.Name}` as a mapping (e.g. `{{ id: string }}`)");
                return null;
            }
            var fields = ImmutableArray.CreateBuilder<FieldSyntax>(mapping.Pairs.Count);
            foreach (var pair in mapping.Pairs)
            {
                var field = _values.Name(pair.Key, $"a field of type `{name.Name}`");
                if (field is null) continue;
                var type = _values.TypeRef(pair.Value, $"field `{field.Name}`");
                if (type is not null) fields.Add(new FieldSyntax(field, type, YamlValues.Cover(pair.Key, pair.Value)));
            }
            return new TypeSyntax(name, fields.ToImmutable(), span);
        }

        private AgentSyntax? LoadAgent(IdentifierSyntax name, YamlNode value, TextSpan span) =>
            LoadCallable(name, value, "agent", "`params`, `returns`, `model` and `prompt`", "Triage") is { } agent
                ? new AgentSyntax(name, agent.Parameters, agent.Returns, agent.Body, span)
                : null;

        private HumanSyntax? LoadHuman(IdentifierSyntax name, YamlNode value, TextSpan span) =>
            LoadCallable(name, value, "human", "`params`, `returns` and `prompt`", "bool") is { } human
                ? new HumanSyntax(name, human.Parameters, human.Returns, human.Body, span)
                : null;

        /// <summary>
        /// An agent or a human: <c>params</c>, <c>returns</c>, and every other key an attribute of its body (the binder
        /// checks which it has). Null when it has no usable result type (reported).
        /// </summary>
        private (ImmutableArray<ParameterSyntax> Parameters, TypeRefSyntax Returns, BlockSyntax Body)? LoadCallable(
            IdentifierSyntax name, YamlNode value, string keyword, string keys, string example)
        {
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"{keyword} `{name.Name}` as a mapping with {keys}");
                return null;
            }

            var owner = $"{keyword} `{name.Name}`";
            var parameters = ImmutableArray<ParameterSyntax>.Empty;
            TypeRefSyntax? returns = null;
            bool hasReturns = false;
            var attributes = ImmutableArray.CreateBuilder<AttributeSyntax>(mapping.Pairs.Count);
            foreach (var pair in mapping.Pairs)
            {
                switch ((pair.Key as YamlScalar)?.Value)
                {
                    case "params":
                        parameters = Parameters(pair.Value, owner);
                        break;
                    case "returns":
                        hasReturns = true;
                        returns = _values.TypeRef(pair.Value, $"the result of {owner}");
                        break;
                    default:
                        var attribute = _values.Attribute(pair.Key, pair.Value, owner);
                        if (attribute is not null) attributes.Add(attribute);
                        break;
                }
            }

            if (!hasReturns) MissingReturns(name, owner, example);
            if (returns is null) return null;
            return (parameters, returns, new BlockSyntax(attributes.ToImmutable(), mapping.Span));
        }

        private ToolSyntax? LoadTool(IdentifierSyntax name, YamlNode value, TextSpan span)
        {
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"tool `{name.Name}` as a mapping with `params` and `returns`");
                return null;
            }

            var owner = $"tool `{name.Name}`";
            var parameters = ImmutableArray<ParameterSyntax>.Empty;
            TypeRefSyntax? returns = null;
            bool hasReturns = false;
            ImmutableArray<AttributeSyntax>.Builder? attributes = null;
            foreach (var pair in mapping.Pairs)
            {
                switch ((pair.Key as YamlScalar)?.Value)
                {
                    case "params":
                        parameters = Parameters(pair.Value, owner);
                        break;
                    case "returns":
                        hasReturns = true;
                        returns = _values.TypeRef(pair.Value, $"the result of {owner}");
                        break;
                    case "read_only":
                        if (_values.Attribute(pair.Key, pair.Value, owner) is { } attribute) (attributes ??= ImmutableArray.CreateBuilder<AttributeSyntax>()).Add(attribute);
                        break;
                    default:
                        UnknownKey(pair.Key, owner, ToolKeys);
                        break;
                }
            }

            if (!hasReturns) MissingReturns(name, owner, "string");
            var body = attributes is null ? null : new BlockSyntax(attributes.ToImmutable(), mapping.Span);
            return returns is null ? null : new ToolSyntax(name, parameters, returns, span, body);
        }

        private WorkflowSyntax? LoadWorkflow(IdentifierSyntax name, YamlNode value, TextSpan span)
        {
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"workflow `{name.Name}` as a mapping with `params`, `returns`, `steps` and `return`");
                return null;
            }

            var owner = $"workflow `{name.Name}`";
            var parameters = ImmutableArray<ParameterSyntax>.Empty;
            var steps = ImmutableArray<StepSyntax>.Empty;
            var settings = ImmutableArray.CreateBuilder<AttributeSyntax>();
            TypeRefSyntax? returns = null;
            ReturnSyntax? result = null;
            bool hasReturns = false;
            bool returnFailed = false;
            foreach (var pair in mapping.Pairs)
            {
                switch ((pair.Key as YamlScalar)?.Value)
                {
                    case "params":
                        parameters = Parameters(pair.Value, owner);
                        break;
                    case "returns":
                        hasReturns = true;
                        returns = _values.TypeRef(pair.Value, $"the result of {owner}");
                        break;
                    case "steps":
                        steps = Steps(pair.Value, owner, out bool stepFailed);
                        returnFailed |= stepFailed;
                        break;
                    case "return":
                        var expression = _values.Expression(pair.Value, $"the `return` of {owner}");
                        if (expression is not null) result = new ReturnSyntax(expression, YamlValues.Cover(pair.Key, pair.Value));
                        else returnFailed = true;
                        break;
                    case "budget":
                        if (_values.Attribute(pair.Key, pair.Value, owner) is { } setting) settings.Add(setting);
                        break;
                    default:
                        UnknownKey(pair.Key, owner, WorkflowKeys);
                        break;
                }
            }

            if (!hasReturns) MissingReturns(name, owner, "Reply");
            // A step or `return` that did not parse (already reported) leaves the workflow out, as
            // the .atlas parser does with a declaration it cannot read; kept without it, the binder
            // would also report the missing step as undeclared, or the workflow as having no `return`.
            if (returns is null || returnFailed) return null;
            return new WorkflowSyntax(name, parameters, returns, steps, result, span, settings.ToImmutable());
        }

        private ImmutableArray<ParameterSyntax> Parameters(YamlNode value, string owner)
        {
            if (value is YamlScalar { IsNull: true }) return ImmutableArray<ParameterSyntax>.Empty;
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"the `params` of {owner} as a mapping of names to types (e.g. `{{ ticket: Ticket }}`)");
                return ImmutableArray<ParameterSyntax>.Empty;
            }
            var parameters = ImmutableArray.CreateBuilder<ParameterSyntax>(mapping.Pairs.Count);
            foreach (var pair in mapping.Pairs)
            {
                var name = _values.Name(pair.Key, $"a parameter of {owner}");
                if (name is null) continue;
                var type = _values.TypeRef(pair.Value, $"parameter `{name.Name}`");
                if (type is not null) parameters.Add(new ParameterSyntax(name, type, YamlValues.Cover(pair.Key, pair.Value)));
            }
            return parameters.ToImmutable();
        }

        private ImmutableArray<StepSyntax> Steps(YamlNode value, string owner, out bool failed)
        {
            failed = false;
            if (value is YamlScalar { IsNull: true }) return ImmutableArray<StepSyntax>.Empty;
            if (value is not YamlMapping mapping)
            {
                _values.ReportUnsupported(value, $"the `steps` of {owner} as a mapping of step names to expressions (e.g. `triage: classifier(ticket)`)");
                return ImmutableArray<StepSyntax>.Empty;
            }
            var steps = ImmutableArray.CreateBuilder<StepSyntax>(mapping.Pairs.Count);
            foreach (var pair in mapping.Pairs)
            {
                var name = _values.Name(pair.Key, $"a step of {owner}");
                if (name is null) continue;
                var expression = _values.Expression(pair.Value, $"step `{name.Name}`");
                if (expression is not null) steps.Add(new StepSyntax(name, expression, YamlValues.Cover(pair.Key, pair.Value)));
                else failed = true;
            }
            return steps.ToImmutable();
        }

        private void MissingReturns(IdentifierSyntax name, string owner, string example) =>
            _values.Report(DiagnosticBuilder.At(_values.File, name.Span).YamlMissingReturns(YamlValues.Capitalize(owner), example));

        private void UnknownKey(YamlNode key, string owner, IReadOnlyList<string> keys)
        {
            if (key is not YamlScalar scalar || scalar.IsNull)
            {
                _values.ReportUnsupported(key, "a key (" + Join(keys) + ")");
                return;
            }
            _values.Report(_values.At(key).YamlUnknownKey(scalar.Value, owner, keys, Suggestions.Closest(scalar.Value, keys)));
        }

        private static string Keyword(string section) => section switch
        {
            "providers" => "provider",
            "routes" => "route",
            "mcp" => "mcp",
            _ => section,
        };

        private static string Describe(string section) => section switch
        {
            "providers" => "provider attributes",
            "routes" => "route attributes",
            "enums" => "lists of members",
            "types" => "fields",
            "agents" => "agents",
            "humans" => "humans",
            "tools" => "tools",
            "mcp" => "MCP server attributes",
            "knowledge" => "knowledge base attributes",
            _ => "workflows",
        };

        private static string SectionList() => Join(Sections);

        private static string Join(IReadOnlyList<string> names) => DiagnosticText.CodeList(names, "or");
    }
}
