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
        var callable = new CallableClass("Agent", CSharpNames.AgentClass(agent.Name), agent.Name, agent.Parameters, agent.Returns, unit.Options.Namespace);
        bool isText = unit.ResultSchema is null;
        var w = callable.Start(unit.Options, $"The Atlas agent <c>{callable.Signature}</c> on <c>{agent.Model}</c>.");
        w.WriteLine("/// <summary>What the runtime needs to run this agent: parameters, result schema, model, prompt templates.</summary>");
        w.WriteLine("public static AgentDescriptor Descriptor { get; } = new(");
        w.Indent();
        var descriptor = callable.DescriptorStart(unit.ResultSchema);
        descriptor.Add(Lines($"Model: {CSharpLiterals.String(agent.Model)}"));
        descriptor.Add(TemplateLines("Prompt: ", agent.Prompt));
        if (agent.Instructions is { } instructions) descriptor.Add(TemplateLines("Instructions: ", instructions));
        if (agent.Temperature is { } temperature) descriptor.Add(Lines("Temperature: " + CSharpLiterals.Double(temperature)));
        if (agent.MaxTokens is { } maxTokens) descriptor.Add(Lines("MaxTokens: " + CSharpLiterals.Int(maxTokens)));
        if (agent.Tools.Count > 0) descriptor.Add(Lines("Tools: " + CSharpLiterals.StringList(agent.Tools)));
        if (agent.Delegates.Count > 0) descriptor.Add(Lines($"Delegates: [{Join(agent.Delegates.Select(d => CSharpNames.AgentClass(d) + ".Descriptor"))}]"));
        if (unit.ParametersSchema is { } parametersSchema) descriptor.Add(Lines("ParametersSchema: " + CSharpLiterals.Raw(parametersSchema)));
        if (agent.MaxDepth is { } maxDepth) descriptor.Add(Lines("MaxDepth: " + CSharpLiterals.Int(maxDepth)));
        if (agent.Budget is { } budget) descriptor.Add(Lines("Budget: " + CSharpLiterals.Budget(budget)));
        if (agent.MaxToolCalls is { } maxToolCalls) descriptor.Add(Lines("MaxToolCalls: " + CSharpLiterals.Int(maxToolCalls)));
        if (agent.Cache is { } cache) descriptor.Add(Lines("Cache: " + CSharpLiterals.Cache(cache)));
        WriteArguments(w, descriptor);
        w.Unindent();
        w.WriteLine(");");
        w.WriteLine();

        callable.WriteInvoke(
            w,
            "InvokeAgentAsync",
            "Creates the agent on a runtime (which holds its providers and routes).",
            $"Runs the agent once and returns its {(isText ? "text" : "validated, typed result")}.",
            "Runs the agent once as part of a workflow step (its events belong to <paramref name=\"step\"/>).");
        if (isText)
        {
            w.WriteLines($$"""

                /// <summary>Runs the agent and streams its text as it arrives.</summary>{{callable.ParameterDocs}}
                /// <param name="cancellationToken">Stops the call.</param>
                public IAsyncEnumerable<string> StreamAsync({{callable.ParameterPrefix}}CancellationToken cancellationToken = default) =>
                    _runtime.StreamAgentAsync(Descriptor, CreateArguments({{string.Join(", ", callable.Names)}}), null, cancellationToken);
                """);
        }

        callable.WriteCreateArguments(w);
        w.CloseBrace();
        return w.ToString();
    }

    /// <summary>
    /// The parts an agent's class and a human's share: a typed signature over the runtime's JSON call, the descriptor's
    /// first arguments, and the runtime held by the instance.
    /// </summary>
    private sealed class CallableClass
    {
        private readonly string _kind;
        private readonly string _name;
        private readonly TypeRef _returns;
        private readonly string _ns;
        private readonly IReadOnlyList<ParameterModel> _parameters;
        private readonly List<string> _typedParameters;

        /// <param name="kind">"Agent" or "Human", for messages.</param>
        /// <param name="className">The generated class's name.</param>
        /// <param name="name">The declared name.</param>
        /// <param name="parameters">The declared parameters.</param>
        /// <param name="returns">The declared result type.</param>
        /// <param name="ns">The generated code's namespace.</param>
        public CallableClass(string kind, string className, string name, IReadOnlyList<ParameterModel> parameters, TypeRef returns, string ns)
        {
            _kind = kind;
            ClassName = className;
            _name = name;
            _parameters = parameters;
            _returns = returns;
            _ns = ns;
            Names = CSharpNames.Parameters(parameters, "step", "cancellationToken");
            _typedParameters = parameters.Select((p, i) => CSharpNames.Type(p.Type, ns) + " " + Names[i]).ToList();
            ParameterPrefix = string.Concat(_typedParameters.Select(p => p + ", "));
            ParameterDocs = string.Concat(parameters.Select((p, i) => $"\n/// <param name=\"{CSharpNames.Bare(Names[i])}\"><c>{p.Name}: {p.Type}</c></param>"));
        }

        public string ClassName { get; }

        /// <summary>The C# parameter names, in declared order.</summary>
        public string[] Names { get; }

        /// <summary>The typed parameters each followed by <c>", "</c>, to go before <c>step</c> or the token.</summary>
        public string ParameterPrefix { get; }

        /// <summary>One <c>&lt;param&gt;</c> line a parameter, each starting with a line break.</summary>
        public string ParameterDocs { get; }

        /// <summary><c>name(a: T) -&gt; R</c>, for XML docs.</summary>
        public string Signature => $"{_name}({Join(_parameters.Select(p => p.Name + ": " + p.Type))}) -&gt; {_returns}";

        /// <summary>The file's start, up to the class's opening brace, with <paramref name="summary"/> as its doc.</summary>
        public SourceWriter Start(EmitOptions options, string summary)
        {
            var w = StartFile(options, "System", "System.Collections.Generic", "System.Text.Json", "System.Text.Json.Nodes", "System.Threading", "System.Threading.Tasks", "Atlas.Runtime");
            w.WriteLine("/// <summary>");
            w.WriteLine("/// " + summary);
            w.WriteLine("/// Thread-safe; cheap to create (it holds only the runtime).");
            w.WriteLine("/// </summary>");
            w.WriteLine($"public sealed partial class {ClassName}");
            w.OpenBrace();
            return w;
        }

        /// <summary>The descriptor's name, parameters, result type name and result schema (a C# expression, or null for text).</summary>
        public List<List<string>> DescriptorStart(string? resultSchema) => new()
        {
            Lines($"Name: {CSharpLiterals.String(_name)}"),
            Lines($"Parameters: [{Join(_parameters.Select(p => $"new ParameterDescriptor({CSharpLiterals.String(p.Name)}, {CSharpLiterals.String(p.Type.ToString())})"))}]"),
            Lines($"ResultTypeName: {CSharpLiterals.String(_returns.ToString())}"),
            Lines("ResultSchema: " + (resultSchema ?? "null")),
        };

        /// <summary>
        /// The runtime field, the constructor, and <c>InvokeAsync</c> (without and with a step), which calls
        /// <c>_runtime.<paramref name="runtimeMethod"/>(Descriptor, arguments, step, token)</c> and converts its JSON result.
        /// </summary>
        public void WriteInvoke(SourceWriter w, string runtimeMethod, string constructorSummary, string invokeSummary, string stepSummary)
        {
            var returns = CSharpNames.Type(_returns, _ns);
            var arguments = string.Concat(Names.Select(n => n + ", "));
            var nullCheck = _returns.IsOptional || CSharpNames.IsValueType(_returns)
                ? ""
                : $"\n        ?? throw new JsonException(\"{_kind} {_name} returned null; its result is {_returns}.\")";
            w.WriteLines($$"""
                private readonly AtlasRuntime _runtime;

                /// <summary>{{constructorSummary}}</summary>
                public {{ClassName}}(AtlasRuntime runtime)
                {
                    ArgumentNullException.ThrowIfNull(runtime);
                    _runtime = runtime;
                }

                /// <summary>{{invokeSummary}}</summary>{{ParameterDocs}}
                /// <param name="cancellationToken">Stops the call.</param>
                public Task<{{returns}}> InvokeAsync({{ParameterPrefix}}CancellationToken cancellationToken = default) =>
                    InvokeAsync({{arguments}}null, cancellationToken);

                /// <summary>{{stepSummary}}</summary>{{ParameterDocs}}
                /// <param name="step">The workflow step this call belongs to, or null outside workflows.</param>
                /// <param name="cancellationToken">Stops the call.</param>
                public async Task<{{returns}}> InvokeAsync({{ParameterPrefix}}StepContext? step, CancellationToken cancellationToken = default)
                {
                    JsonNode? result = await _runtime.{{runtimeMethod}}(Descriptor, CreateArguments({{string.Join(", ", Names)}}), step, cancellationToken).ConfigureAwait(false);
                    return AtlasJson.FromNode<{{returns}}>(result){{nullCheck}};
                }
                """);
        }

        /// <summary><c>CreateArguments</c>: the typed arguments as JSON, by declared parameter name.</summary>
        public void WriteCreateArguments(SourceWriter w)
        {
            w.WriteLine();
            w.WriteLine($"private static Dictionary<string, JsonNode?> CreateArguments({Join(_typedParameters)}) => new(StringComparer.Ordinal)");
            w.OpenBrace();
            for (int i = 0; i < Names.Length; i++) w.WriteLine($"[{CSharpLiterals.String(_parameters[i].Name)}] = AtlasJson.ToNode({Names[i]}),");
            w.CloseBrace(";");
        }
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
