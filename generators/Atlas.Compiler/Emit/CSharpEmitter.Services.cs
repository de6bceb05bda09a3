using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

// AtlasDeclarations (descriptors) and AddAtlas() for Microsoft.Extensions.DependencyInjection.
public static partial class CSharpEmitter
{
    private static string EmitDeclarations(DeclarationsUnit unit)
    {
        var w = StartFile(unit.Options, "System", "System.Collections.Generic", "Atlas.Runtime");
        w.WriteLines("""
            /// <summary>The providers, routes, knowledge bases and MCP servers declared in the project's Atlas files, as runtime descriptors.</summary>
            public static class AtlasDeclarations
            {
                /// <summary>The declared providers (API keys are read from the environment by the runtime, never stored here).</summary>
            """);
        w.Indent();
        WriteList(w, "ProviderDescriptor", "Providers", unit.Providers.Select(Provider));
        w.WriteLine();
        w.WriteLine("/// <summary>The declared routes.</summary>");
        WriteList(w, "RouteDescriptor", "Routes", unit.Routes.Select(Route));
        w.WriteLine();
        w.WriteLine("/// <summary>The declared knowledge bases.</summary>");
        WriteList(w, "KnowledgeDescriptor", "KnowledgeBases", unit.KnowledgeBases.Select(Knowledge));
        w.WriteLine();
        w.WriteLine("/// <summary>The declared MCP servers; each starts on first use, in the runtime's BaseDirectory.</summary>");
        WriteList(w, "McpDescriptor", "McpServers", unit.McpServers.Select(m => $"new McpDescriptor({CSharpLiterals.String(m.Name)}, {CSharpLiterals.String(m.Command)}, {CSharpLiterals.StringList(m.Arguments)})"));
        w.WriteLine();
        var baseDirectory = unit.Options.BaseDirectory;
        if (baseDirectory is not null)
        {
            w.WriteLines($$"""
                /// <summary>
                /// The folder of the project's Atlas files when it was built. Knowledge sources, SQLite stores and MCP servers'
                /// working directories are relative to it, as for <c>atlas run</c>; a deployed app whose files live elsewhere
                /// sets <see cref="AtlasRuntimeOptions.BaseDirectory"/> in its configure callback.
                /// </summary>
                public const string BaseDirectory = {{CSharpLiterals.String(baseDirectory)}};

                """);
        }

        var registrations = RuntimePackage.All.Where(package => Uses(unit, package)).ToList();
        var toolsParameter = unit.HasTools ? "AtlasTools? tools, " : "";
        var toolsArgument = unit.HasTools ? "tools" : "null";
        w.WriteLines($$"""
            {{(registrations.Count == 0
                ? $"/// <summary>Adds the declarations{(unit.HasTools ? ", and the tools when given," : "")} to <paramref name=\"options\"/>.</summary>"
                : $"/// <summary>\n/// Adds the declarations{(unit.HasTools ? ", and the tools when given," : "")} to <paramref name=\"options\"/>, and registers the clients of\n/// the provider kinds (and MCP servers) they use.\n/// </summary>")}}
            public static void AddTo(AtlasRuntimeOptions options{{(unit.HasTools ? ", AtlasTools? tools = null" : "")}})
            {
                ArgumentNullException.ThrowIfNull(options);
            """);
        if (baseDirectory is not null) w.WriteLine("    options.BaseDirectory = BaseDirectory;");
        w.WriteLines("""
                foreach (var provider in Providers) options.Providers.Add(provider);
                foreach (var route in Routes) options.Routes.Add(route);
                foreach (var knowledge in KnowledgeBases) options.KnowledgeBases.Add(knowledge);
                foreach (var server in McpServers) options.McpServers.Add(server);
            """);
        if (registrations.Count > 0)
        {
            // The build references these packages: ATL2036 fails it otherwise.
            w.WriteLine("    // The clients of the declared provider kinds and MCP servers, each from its own package.");
            foreach (var package in registrations) w.WriteLine($"    options.{package.Register}();");
        }

        if (unit.HasTools)
        {
            w.WriteLines("""
                    if (tools is not null)
                    {
                        foreach (var function in tools.CreateFunctions()) options.Tools[function.Name] = function;
                    }
                """);
        }

        w.WriteLines($$"""
            }

            /// <summary>
            /// A runtime for the declarations, for use without dependency injection; <paramref name="configure"/>
            /// runs last (e.g. to add chat clients of your own). The caller owns (and disposes) the runtime.
            /// </summary>
            public static AtlasRuntime CreateRuntime({{toolsParameter}}Action<AtlasRuntimeOptions>? configure = null)
            {
                var options = new AtlasRuntimeOptions();
                AddTo(options{{(unit.HasTools ? ", " + toolsArgument : "")}});
                configure?.Invoke(options);
            """);
        if (unit.KnowledgeBases.Count > 0) w.WriteLine("    options.KnowledgeFactory ??= CreateKnowledgeFactory(options);");
        w.WriteLines("""
                return new AtlasRuntime(options);
            }
            """);
        if (unit.KnowledgeBases.Count > 0) WriteKnowledgeFactory(w, unit.KnowledgeBases.Any(k => k.Embedder == MiniLmEmbedder));
        w.CloseBrace();
        return w.ToString();
    }

    private const string MiniLmEmbedder = "minilm";

    /// <summary>Whether the declarations need what <paramref name="package"/> adds: one of its provider kinds, or an MCP server.</summary>
    private static bool Uses(DeclarationsUnit unit, RuntimePackage package) =>
        package == RuntimePackage.Mcp
            ? unit.McpServers.Count > 0
            : unit.Providers.Any(p => package.ProviderKinds.Contains(ProviderKindSpellings.Of(p.Kind)));

    // What atlas run searches with (cli/Atlas.Cli/Knowledge/CliKnowledge.cs): the declared store, MiniLM or the named
    // provider, a SQLite store brought up to date first. The generator makes sure the packages are referenced (ATL2031).
    private static void WriteKnowledgeFactory(SourceWriter w, bool usesMiniLm)
    {
        w.WriteLines("""

            /// <summary>
            /// The declared knowledge bases as <c>atlas run</c> searches them: each on its declared store (SQLite or ChromaDB,
            /// Atlas.Knowledge), embedded with the embedder it names (MiniLM from Atlas.Embeddings.MiniLM, or a declared
            /// provider's), relative paths from the options' base directory, and a SQLite store brought up to date with its
            /// sources before its first search. <c>CreateRuntime</c> and <c>AddAtlas()</c> use it when the options have no
            /// <see cref="AtlasRuntimeOptions.KnowledgeFactory"/> (nor the container an <see cref="IKnowledgeBaseFactory"/>).
            /// </summary>
            public static IKnowledgeBaseFactory CreateKnowledgeFactory(AtlasRuntimeOptions options)
            {
                ArgumentNullException.ThrowIfNull(options);
                var factory = new global::Atlas.Knowledge.KnowledgeBaseFactory { IngestBeforeFirstSearch = true };
            """);
        if (usesMiniLm)
        {
            w.WriteLine("    // The model loads on the first search, once per process.");
            w.WriteLine("    factory.AddEmbedder(\"minilm\", static () => global::Atlas.Embeddings.MiniLM.MiniLmEmbeddingGenerator.Shared, global::Atlas.Embeddings.MiniLM.MiniLmEmbeddingGenerator.SharedTokenizer);");
        }

        w.WriteLines("""
                factory.AddProviders(options);
                return factory;
            }
            """);
    }

    private static void WriteList(SourceWriter w, string type, string name, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            w.WriteLine($"public static IReadOnlyList<{type}> {name} {{ get; }} = [];");
            return;
        }

        w.WriteLine($"public static IReadOnlyList<{type}> {name} {{ get; }} =");
        w.WriteLine("[");
        w.Indent();
        foreach (var item in list) w.WriteLine(item + ",");
        w.Unindent();
        w.WriteLine("];");
    }

    private static string Provider(ProviderModel p)
    {
        // As for routes: the runtime's ProviderKind has the model's members (RuntimeEnumTests).
        var args = new List<string> { CSharpLiterals.String(p.Name), "global::Atlas.Runtime.ProviderKind." + p.Kind };
        if (p.Model is not null) args.Add("Model: " + CSharpLiterals.String(p.Model));
        if (p.Endpoint is not null) args.Add("Endpoint: " + CSharpLiterals.String(p.Endpoint));
        if (p.ApiKeyVariable is not null) args.Add("ApiKeyVariable: " + CSharpLiterals.String(p.ApiKeyVariable));
        args.Add("Capabilities: " + CSharpLiterals.StringList(p.Capabilities));
        if (p.Cost is { } cost)
        {
            args.Add("InputCostPerMillion: " + CSharpLiterals.Double(cost.InputPerMillion));
            args.Add("OutputCostPerMillion: " + CSharpLiterals.Double(cost.OutputPerMillion));
        }

        if (p.LatencyMs is { } latency) args.Add("Latency: " + CSharpLiterals.TimeSpan(latency));
        if (p.MaxConcurrency is { } max) args.Add("MaxConcurrency: " + CSharpLiterals.Int(max));
        if (p.EmbeddingModel is not null) args.Add("EmbeddingModel: " + CSharpLiterals.String(p.EmbeddingModel));
        if (p.TimeoutMs is { } timeout) args.Add("Timeout: " + CSharpLiterals.TimeSpan(timeout));
        return $"new ProviderDescriptor({Join(args)})";
    }

    private static string Route(RouteModel r)
    {
        // The runtime's RouteStrategy has the model's members (RuntimeEnumTests holds them equal): the
        // generated code names the member, and the runtime never parses a spelling back.
        var args = new List<string> { CSharpLiterals.String(r.Name), "global::Atlas.Runtime.RouteStrategy." + r.Strategy, CSharpLiterals.StringList(r.Use) };
        if (r.Require.Count > 0) args.Add("Require: " + CSharpLiterals.StringList(r.Require));
        if (r.Retry != 0) args.Add("Retry: " + CSharpLiterals.Int(r.Retry));
        if (r.TimeoutMs is { } timeout) args.Add("Timeout: " + CSharpLiterals.TimeSpan(timeout));
        if (r.Cache is { } cache) args.Add("Cache: " + CSharpLiterals.Cache(cache));
        return $"new RouteDescriptor({Join(args)})";
    }

    // The runtime's ChunkingStrategy and StoreKind have the model's members (RuntimeEnumTests): members, never spellings.
    private static string Knowledge(KnowledgeModel k) =>
        $"new KnowledgeDescriptor({CSharpLiterals.String(k.Name)}, {CSharpLiterals.StringList(k.Sources)}, global::Atlas.Runtime.ChunkingStrategy.{k.Chunking.Strategy}, " +
        $"{CSharpLiterals.Int(k.Chunking.Size)}, {CSharpLiterals.Int(k.Chunking.Overlap)}, {CSharpLiterals.String(k.Embedder)}, " +
        $"global::Atlas.Runtime.StoreKind.{k.Store.Kind}, {CSharpLiterals.String(k.Store.Target)})";

    private static string EmitServices(ServicesUnit unit)
    {
        var w = StartFile(unit.Options, "System", "Atlas.Runtime", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.DependencyInjection.Extensions");
        w.WriteLines($$"""
            /// <summary>Registers what the project's Atlas files declare with Microsoft.Extensions.DependencyInjection.</summary>
            public static class AtlasServiceCollectionExtensions
            {
                /// <summary>
                /// Registers the Atlas runtime (with the declared providers, routes and knowledge bases{{(unit.HasTools ? ", and the tools of <see cref=\"AtlasTools\"/>" : "")}}),
                /// and every agent{{(unit.Humans.Count > 0 ? ", human" : "")}} and workflow class, all as singletons. With no arguments it works as is:
                /// API keys come from the environment and routes fall through to a <c>mock</c> provider offline.
                /// </summary>
                /// <param name="services">The service collection.</param>
                /// <param name="configure">Changes the runtime's options after the declarations are added (e.g. chat clients of your own).</param>
                public static IServiceCollection AddAtlas(this IServiceCollection services, Action<AtlasRuntimeOptions>? configure = null)
                {
                    ArgumentNullException.ThrowIfNull(services);
            """);
        w.Indent();
        w.Indent();
        // CreateRuntime, so that the declared knowledge stores come last: after the host's configure and a factory
        // registered in the container. The tools come from the container too (so AtlasTools can take services).
        if (unit.HasTools) w.WriteLine("services.TryAddSingleton<AtlasTools>();");
        w.WriteLines($$"""
            services.TryAddSingleton(provider => AtlasDeclarations.CreateRuntime({{(unit.HasTools ? "provider.GetRequiredService<AtlasTools>(), " : "")}}options =>
            {
                configure?.Invoke(options);
                options.UseServices(provider); // a registered IKnowledgeBaseFactory (AddAtlasKnowledge)
            }));
            """);

        foreach (var agent in unit.Agents) w.WriteLine($"services.TryAddSingleton<{CSharpNames.AgentClass(agent)}>();");
        foreach (var human in unit.Humans) w.WriteLine($"services.TryAddSingleton<{CSharpNames.HumanClass(human)}>();");
        foreach (var workflow in unit.Workflows) w.WriteLine($"services.TryAddSingleton<{CSharpNames.WorkflowClass(workflow)}>();");
        w.WriteLine("return services;");
        w.Unindent();
        w.Unindent();
        w.WriteLines("""
                }
            }
            """);
        return w.ToString();
    }
}
