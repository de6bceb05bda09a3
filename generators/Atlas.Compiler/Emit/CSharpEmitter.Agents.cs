using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

// agent a(...) -> R  →  public sealed partial class AAgent
public static partial class CSharpEmitter
{
    private static string EmitAgent(AgentUnit unit)
    {
        var agent = unit.Agent;
        var ns = unit.Options.Namespace;
        var className = CSharpNames.AgentClass(agent.Name);
        var returns = CSharpNames.Type(agent.Returns, ns);
        var names = CSharpNames.Parameters(agent.Parameters, "step", "cancellationToken");
        var parameters = agent.Parameters.Select((p, i) => CSharpNames.Type(p.Type, ns) + " " + names[i]).ToList();
        var prefix = string.Concat(parameters.Select(p => p + ", "));
        var arguments = string.Concat(names.Select(n => n + ", "));
        bool isText = unit.ResultSchema is null;
        var w = StartFile(unit.Options, "System", "System.Collections.Generic", "System.Text.Json", "System.Text.Json.Nodes", "System.Threading", "System.Threading.Tasks", "Atlas.Runtime");

        w.WriteLine($"/// <summary>");
        w.WriteLine($"/// The Atlas agent <c>{agent.Name}({Join(agent.Parameters.Select(p => p.Name + ": " + p.Type))}) -&gt; {agent.Returns}</c> on <c>{agent.Model}</c>.");
        w.WriteLine($"/// Thread-safe; cheap to create (it holds only the runtime).");
        w.WriteLine($"/// </summary>");
        w.WriteLine($"public sealed partial class {className}");
        w.OpenBrace();
        w.WriteLine("/// <summary>What the runtime needs to run this agent: parameters, result schema, model, prompt templates.</summary>");
        w.WriteLine("public static AgentDescriptor Descriptor { get; } = new(");
        w.Indent();
        var descriptor = new List<List<string>>
        {
            Lines($"Name: {CSharpLiterals.String(agent.Name)}"),
            Lines($"Parameters: [{Join(agent.Parameters.Select(p => $"new ParameterDescriptor({CSharpLiterals.String(p.Name)}, {CSharpLiterals.String(p.Type.ToString())})"))}]"),
            Lines($"ResultTypeName: {CSharpLiterals.String(agent.Returns.ToString())}"),
            Lines("ResultSchema: " + (unit.ResultSchema ?? "null")),
            Lines($"Model: {CSharpLiterals.String(agent.Model)}"),
            TemplateLines("Prompt: ", agent.Prompt),
        };
        if (agent.Instructions is { } instructions) descriptor.Add(TemplateLines("Instructions: ", instructions));
        if (agent.Temperature is { } temperature) descriptor.Add(Lines("Temperature: " + CSharpLiterals.Double(temperature)));
        if (agent.MaxTokens is { } maxTokens) descriptor.Add(Lines("MaxTokens: " + CSharpLiterals.Int(maxTokens)));
        if (agent.Tools.Count > 0) descriptor.Add(Lines("Tools: " + CSharpLiterals.StringList(agent.Tools)));
        if (agent.Delegates.Count > 0) descriptor.Add(Lines($"Delegates: [{Join(agent.Delegates.Select(d => CSharpNames.AgentClass(d) + ".Descriptor"))}]"));
        if (unit.ParametersSchema is { } parametersSchema) descriptor.Add(Lines("ParametersSchema: " + CSharpLiterals.Raw(parametersSchema)));
        if (agent.MaxDepth is { } maxDepth) descriptor.Add(Lines("MaxDepth: " + CSharpLiterals.Int(maxDepth)));
        if (agent.Budget is { } budget) descriptor.Add(Lines("Budget: " + CSharpLiterals.Budget(budget)));
        if (agent.MaxToolCalls is { } maxToolCalls) descriptor.Add(Lines("MaxToolCalls: " + CSharpLiterals.Int(maxToolCalls)));
        WriteArguments(w, descriptor);
        w.Unindent();
        w.WriteLine(");");
        w.WriteLine();

        var paramDocs = string.Concat(agent.Parameters.Select((p, i) => $"\n/// <param name=\"{CSharpNames.Bare(names[i])}\"><c>{p.Name}: {p.Type}</c></param>"));
        var nullCheck = agent.Returns.IsOptional || CSharpNames.IsValueType(agent.Returns)
            ? ""
            : $"\n        ?? throw new JsonException(\"Agent {agent.Name} returned null; its result is {agent.Returns}.\")";
        w.WriteLines($$"""
            private readonly AtlasRuntime _runtime;

            /// <summary>Creates the agent on a runtime (which holds its providers and routes).</summary>
            public {{className}}(AtlasRuntime runtime)
            {
                ArgumentNullException.ThrowIfNull(runtime);
                _runtime = runtime;
            }

            /// <summary>Runs the agent once and returns its {{(isText ? "text" : "validated, typed result")}}.</summary>{{paramDocs}}
            /// <param name="cancellationToken">Stops the call.</param>
            public Task<{{returns}}> InvokeAsync({{prefix}}CancellationToken cancellationToken = default) =>
                InvokeAsync({{arguments}}null, cancellationToken);

            /// <summary>Runs the agent once as part of a workflow step (its events belong to <paramref name="step"/>).</summary>{{paramDocs}}
            /// <param name="step">The workflow step this call belongs to, or null outside workflows.</param>
            /// <param name="cancellationToken">Stops the call.</param>
            public async Task<{{returns}}> InvokeAsync({{prefix}}StepContext? step, CancellationToken cancellationToken = default)
            {
                JsonNode? result = await _runtime.InvokeAgentAsync(Descriptor, CreateArguments({{string.Join(", ", names)}}), step, cancellationToken).ConfigureAwait(false);
                return AtlasJson.FromNode<{{returns}}>(result){{nullCheck}};
            }
            """);
        if (isText)
        {
            w.WriteLines($$"""

                /// <summary>Runs the agent and streams its text as it arrives.</summary>{{paramDocs}}
                /// <param name="cancellationToken">Stops the call.</param>
                public IAsyncEnumerable<string> StreamAsync({{prefix}}CancellationToken cancellationToken = default) =>
                    _runtime.StreamAgentAsync(Descriptor, CreateArguments({{string.Join(", ", names)}}), null, cancellationToken);
                """);
        }

        w.WriteLine();
        w.WriteLine($"private static Dictionary<string, JsonNode?> CreateArguments({Join(parameters)}) => new(StringComparer.Ordinal)");
        w.OpenBrace();
        for (int i = 0; i < names.Length; i++) w.WriteLine($"[{CSharpLiterals.String(agent.Parameters[i].Name)}] = AtlasJson.ToNode({names[i]}),");
        w.CloseBrace(";");
        w.CloseBrace();
        return w.ToString();
    }

    private static List<string> Lines(string text) => new(text.Split('\n'));

    /// <summary>Writes argument blocks separated by commas (the last line of each but the last gets one).</summary>
    private static void WriteArguments(SourceWriter w, List<List<string>> arguments)
    {
        for (int a = 0; a < arguments.Count; a++)
        {
            var lines = arguments[a];
            for (int i = 0; i < lines.Count; i++) w.WriteLine(lines[i] + (i == lines.Count - 1 && a < arguments.Count - 1 ? "," : ""));
        }
    }

    /// <summary><c>label new PromptTemplate([...])</c>, one segment a line.</summary>
    private static List<string> TemplateLines(string label, TemplateModel template)
    {
        if (template.Parts.Count == 0) return Lines(label + "new PromptTemplate([])");
        var lines = new List<string> { label + "new PromptTemplate([" };
        SegmentLines(lines, template.Parts, "    ");
        lines.Add("])");
        return lines;
    }

    private static void SegmentLines(List<string> lines, IReadOnlyList<TemplatePart> parts, string indent)
    {
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart text:
                    lines.Add($"{indent}new TextSegment({CSharpLiterals.String(text.Text)}),");
                    break;
                case PathPart path:
                    lines.Add($"{indent}new PathSegment({CSharpLiterals.StringList(path.Path)}),");
                    break;
                case ForPart loop when loop.Body.Count == 0:
                    lines.Add($"{indent}new LoopSegment({CSharpLiterals.String(loop.Variable)}, {CSharpLiterals.StringList(loop.Source)}, []),");
                    break;
                case ForPart loop:
                    lines.Add($"{indent}new LoopSegment({CSharpLiterals.String(loop.Variable)}, {CSharpLiterals.StringList(loop.Source)}, [");
                    SegmentLines(lines, loop.Body, indent + "    ");
                    lines.Add(indent + "]),");
                    break;
            }
        }
    }
}
