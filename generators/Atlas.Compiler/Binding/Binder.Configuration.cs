using System;
using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Syntax;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Binding;

// The declarations configured by attribute blocks: providers, routes, MCP servers, knowledge bases, agents and humans.
internal sealed partial class Binder
{
    private static readonly string[] ProviderAttributes = { "kind", "model", "endpoint", "api_key", "supports", "cost", "latency", "max_concurrency", "embedding_model", "timeout" };
    private static readonly string[] ProviderKinds = ProviderKindSpellings.All;
    private static readonly string[] CostAttributes = { "input", "output" };
    private static readonly string[] RouteAttributes = { "strategy", "use", "require", "retry", "timeout", "cache" };
    private static readonly string[] RouteStrategies = { "fallback", "round_robin", "cheapest", "fastest" };
    private static readonly string[] McpAttributes = { "command", "args" };
    private static readonly string[] KnowledgeAttributes = { "sources", "chunking", "embedder", "store" };
    private static readonly string[] ChunkingStrategies = { "fixed", "recursive", "markdown" };
    private static readonly string[] SizeAndOverlap = { "size", "overlap" };
    private static readonly string[] SizeOnly = { "size" };
    private static readonly string[] StoreKinds = { "sqlite", "chroma" };
    private static readonly string[] AgentAttributes = { "model", "temperature", "max_tokens", "instructions", "prompt", "tools", "delegates", "max_depth", "max_tool_calls", "budget", "cache" };
    private static readonly string[] HumanAttributes = { "prompt", "timeout" };
    private static readonly string[] CacheAttributes = { "ttl" };

    internal const string BuiltInEmbedder = "minilm";
    private const int DefaultChunkSize = 800;

    // ---------- provider ----------

    private void BindProvider(Symbol symbol)
    {
        var syntax = (ProviderSyntax)symbol.Syntax;
        var file = symbol.File;
        var attributes = ReadBlock(syntax.Body, file, "provider " + symbol.Name, ProviderAttributes);

        ProviderKind? kind = null;
        string? kindName = null;
        if (attributes.TryGetValue("kind", out var kindAttribute))
        {
            kindName = ReadOption(kindAttribute, file, "provider kind", ProviderKinds);
            var index = Array.IndexOf(ProviderKinds, kindName);
            kind = index < 0 ? null : (ProviderKind)index;
            if (kind is not null) CheckRuntimePackage(file, kindAttribute.Value.Span, RuntimePackage.ForProviderKind(kindName!), symbol.Name, kindName);
        }
        else
        {
            ReportMissing(symbol, "kind", "; add `kind = ` one of " + string.Join(", ", ProviderKinds));
        }

        string? model = null;
        if (attributes.TryGetValue("model", out var modelAttribute)) model = ReadString(modelAttribute, file);
        else if (kind is not null and not ProviderKind.Mock) ReportMissing(symbol, "model", "; add `model = \"...\"` naming the model to call");

        string? endpoint = null;
        if (attributes.TryGetValue("endpoint", out var endpointAttribute)) endpoint = ReadString(endpointAttribute, file);
        else if (kind == ProviderKind.OpenAICompatible) ReportMissing(symbol, "endpoint", " because its kind is `openai_compatible`; add `endpoint = \"https://...\"`");

        string? apiKey = attributes.TryGetValue("api_key", out var keyAttribute) ? ReadApiKey(keyAttribute, file) : null;

        List<string>? capabilities = attributes.TryGetValue("supports", out var supports)
            ? ReadOptionList(supports, file, "capability", ProviderDefaults.CapabilityNames)
            : null;
        symbol.Capabilities.AddRange(capabilities ?? ProviderDefaults.Capabilities(kindName));

        CostModel? cost = attributes.TryGetValue("cost", out var costAttribute) ? ReadCost(costAttribute, symbol) : null;
        long? latency = attributes.TryGetValue("latency", out var latencyAttribute) ? ReadDuration(latencyAttribute, file, allowZero: true) : null;
        int? maxConcurrency = attributes.TryGetValue("max_concurrency", out var concurrency) ? ReadInt(concurrency, file, 1) : null;
        string? embeddingModel = attributes.TryGetValue("embedding_model", out var embeddingAttribute) ? ReadString(embeddingAttribute, file) : null;
        long? timeout = attributes.TryGetValue("timeout", out var timeoutAttribute) ? ReadTimeout(timeoutAttribute, file) : null;

        symbol.Model = new ProviderModel(
            symbol.Name,
            kind ?? ProviderKind.Mock,
            model,
            endpoint,
            apiKey,
            symbol.Capabilities.ToEquatableArray(),
            cost,
            latency,
            maxConcurrency,
            embeddingModel,
            timeout);
    }

    /// <summary>Only <c>env("NAME")</c>: a key written into a source file would end up in source control.</summary>
    private string? ReadApiKey(AttributeSyntax attribute, SourceFile file)
    {
        const string Expected = "`env(\"NAME\")` (a secret belongs in an environment variable, never in a source file)";
        if (attribute.Value is CallValueSyntax { Name.Name: "env" } call)
        {
            var arguments = Items(call.Arguments).ToList();
            if (arguments.Count == 1 && TryGetString(arguments[0], file, out var variable) && variable.Trim().Length > 0) return variable;
            Report(At(file, call.Span).InvalidAttributeValue(attribute.Name.Name, "`env(\"NAME\")` with the name of one environment variable", "`" + Snippet(file, call.Span) + "`"));
            return null;
        }

        ReportWrongKind(attribute, file, Expected);
        return null;
    }

    private CostModel? ReadCost(AttributeSyntax attribute, Symbol symbol)
    {
        var file = symbol.File;
        if (attribute.Value is not BlockValueSyntax { Head: null } block)
        {
            ReportWrongKind(attribute, file, "a block `{ input = 0.15, output = 0.60 }` (USD per million tokens)");
            return null;
        }

        var attributes = ReadBlock(block.Block, file, "cost", CostAttributes);
        double? Read(string name)
        {
            if (attributes.TryGetValue(name, out var value)) return ReadNumber(value, file, 0, double.PositiveInfinity);
            Report(At(file, attribute.Name.Span).MissingAttribute("The cost of provider", symbol.Name, name, $"; add `{name} = <USD per million tokens>`"));
            return null;
        }

        var input = Read("input");
        var output = Read("output");
        return new CostModel(input ?? 0, output ?? 0);
    }

    // ---------- route ----------

    private void BindRoute(Symbol symbol)
    {
        var syntax = (RouteSyntax)symbol.Syntax;
        var file = symbol.File;
        var attributes = ReadBlock(syntax.Body, file, "route " + symbol.Name, RouteAttributes);

        var strategy = RouteStrategy.Fallback;
        if (attributes.TryGetValue("strategy", out var strategyAttribute))
        {
            strategy = ReadOption(strategyAttribute, file, "route strategy", RouteStrategies) switch
            {
                "round_robin" => RouteStrategy.RoundRobin,
                "cheapest" => RouteStrategy.Cheapest,
                "fastest" => RouteStrategy.Fastest,
                _ => RouteStrategy.Fallback,
            };
        }

        var use = new List<Symbol>();
        bool allResolved = true;
        if (attributes.TryGetValue("use", out var useAttribute))
        {
            var names = ReadNameList(useAttribute, file, "a list of provider names");
            allResolved = names is not null;
            foreach (var name in names ?? new List<IdentifierSyntax>())
            {
                var provider = ResolveReference(name, symbol, "a provider", SymbolKind.Provider);
                if (provider is null)
                {
                    allResolved = false;
                }
                else if (!use.Contains(provider))
                {
                    use.Add(provider);
                    // A provider without a cost would rank as free and win; the mock is free by definition.
                    if (strategy == RouteStrategy.Cheapest && provider.Model is ProviderModel { Cost: null, Kind: not ProviderKind.Mock })
                        Report(At(file, name.Span).CheapestRouteWithoutCost(symbol.Name, provider.Name));
                }
            }

            if (names is { Count: 0 })
            {
                Report(At(file, useAttribute.Value.Span).EmptyAttribute("use", "name at least one provider"));
            }
        }
        else
        {
            ReportMissing(symbol, "use", "; add `use = [provider, ...]` listing the providers to route between");
        }

        var require = new List<string>();
        if (attributes.TryGetValue("require", out var requireAttribute))
        {
            require = ReadOptionList(requireAttribute, file, "capability", ProviderDefaults.CapabilityNames) ?? require;
            if (allResolved && use.Count > 0 && require.Count > 0 && !use.Any(p => require.All(p.Capabilities.Contains)))
            {
                Report(At(file, requireAttribute.Value.Span).RouteCannotMeetRequirements(symbol.Name, require, Offers(use)));
            }
        }

        int retry = attributes.TryGetValue("retry", out var retryAttribute) ? ReadInt(retryAttribute, file, 0) ?? 0 : 0;
        long? timeout = attributes.TryGetValue("timeout", out var timeoutAttribute) ? ReadTimeout(timeoutAttribute, file) : null;
        var cache = attributes.TryGetValue("cache", out var cacheAttribute) ? ReadCache(cacheAttribute, file) : null;

        symbol.Model = new RouteModel(
            symbol.Name,
            strategy,
            use.Select(p => p.Name).ToEquatableArray(),
            require.ToEquatableArray(),
            retry,
            timeout,
            cache);
    }

    /// <summary>
    /// <c>cache = true</c>, <c>cache = false</c> (no cache: null) or <c>cache { ttl = 24h }</c> on an agent or a route.
    /// In YAML, <c>cache: true</c> or <c>cache: { ttl: 24h }</c>.
    /// </summary>
    private CacheModel? ReadCache(AttributeSyntax attribute, SourceFile file)
    {
        switch (attribute.Value)
        {
            case BoolValueSyntax flag:
                return flag.Value ? new CacheModel(null) : null;
            case BlockValueSyntax { Head: null } block:
                var attributes = ReadBlock(block.Block, file, "cache", CacheAttributes);
                long? ttl = attributes.TryGetValue("ttl", out var ttlAttribute) ? ReadDuration(ttlAttribute, file, allowZero: false) : null;
                return new CacheModel(ttl);
            default:
                ReportWrongKind(attribute, file, "`true`, `false` or a block `{ ttl = 24h }` (how long a recorded reply answers)");
                return null;
        }
    }

    /// <summary>
    /// ATL2034 when no provider the agent's model can use supports what the agent needs: `tools` for an
    /// agent with tools or delegates, `json` for a structured (non-text) result. For a route, a provider
    /// must also meet the route's own `require`, since the route uses no other.
    /// </summary>
    private void CheckModelServesAgent(Symbol agent, Symbol target, AttributeSyntax modelAttribute, bool callsTools)
    {
        var needs = new List<string>();
        if (callsTools) needs.Add("tools");
        bool returnsText = agent.Returns.Kind == TypeKind.String && !agent.Returns.IsList;
        if (!returnsText && agent.Returns.Kind != TypeKind.Error) needs.Add("json");
        if (needs.Count == 0) return;

        List<Symbol> providers;
        var routeRequire = new List<string>();
        if (target.Kind == SymbolKind.Provider)
        {
            providers = new List<Symbol> { target };
        }
        else if (target.Model is RouteModel route)
        {
            providers = route.Use.Select(Lookup).Where(p => p is { Kind: SymbolKind.Provider }).Select(p => p!).ToList();
            routeRequire.AddRange(route.Require);
        }
        else
        {
            return; // the route did not bind; that is reported already
        }

        var required = needs.Union(routeRequire).ToList();

        if (providers.Count == 0 || providers.Any(p => required.All(p.Capabilities.Contains))) return;

        Report(At(agent.File, modelAttribute.Value.Span).ModelCannotServeAgent(
            agent.Name,
            callsTools,
            needs.Contains("json") ? agent.Returns : null,
            target.Name,
            target.Kind == SymbolKind.Provider ? ModelTargetKind.Provider : ModelTargetKind.Route,
            routeRequire,
            Offers(providers)));
    }

    /// <summary>What each provider supports, for ATL2012 and ATL2034.</summary>
    private static IEnumerable<(string Name, IEnumerable<string> Capabilities)> Offers(IEnumerable<Symbol> providers) =>
        providers.Select(p => (p.Name, (IEnumerable<string>)p.Capabilities));

    /// <summary>
    /// Resolves a name that must be a declaration of one of <paramref name="kinds"/>; marks it used.
    /// Reports ATL2015 for a declaration of another kind and ATL2001 (did-you-mean over the right kinds) for an unknown name.
    /// </summary>
    private Symbol? ResolveReference(IdentifierSyntax name, Symbol user, string expected, params SymbolKind[] kinds)
    {
        var symbol = Lookup(name.Name);
        if (symbol is not null)
        {
            MarkUsed(name.Name, user);
            if (Array.IndexOf(kinds, symbol.Kind) >= 0) return symbol;
            Report(At(user.File, name.Span).WrongKindOfName(name.Name, Symbol.Describe(symbol.Kind), expected));
            return null;
        }

        Report(At(user.File, name.Span).UnknownName(name.Name, Suggest(name.Name, NamesOf(kinds))));
        return null;
    }

    // ---------- mcp ----------

    private void BindMcp(Symbol symbol)
    {
        var syntax = (McpSyntax)symbol.Syntax;
        var file = symbol.File;
        var attributes = ReadBlock(syntax.Body, file, "mcp " + symbol.Name, McpAttributes);

        string? command = null;
        if (attributes.TryGetValue("command", out var commandAttribute)) command = ReadString(commandAttribute, file);
        else ReportMissing(symbol, "command", "; add `command = \"...\"`, the program that serves it");

        var arguments = attributes.TryGetValue("args", out var argsAttribute) ? ReadStringList(argsAttribute, file, allowSingle: false) : null;
        CheckRuntimePackage(file, syntax.Name.Span, RuntimePackage.Mcp, symbol.Name, providerKind: null);

        symbol.Model = new McpModel(symbol.Name, command ?? "", (arguments ?? new List<string>()).ToEquatableArray());
    }

    // ---------- knowledge ----------

    private void BindKnowledge(Symbol symbol)
    {
        var syntax = (KnowledgeSyntax)symbol.Syntax;
        var file = symbol.File;
        var attributes = ReadBlock(syntax.Body, file, "knowledge " + symbol.Name, KnowledgeAttributes);

        List<string>? sources = null;
        if (attributes.TryGetValue("sources", out var sourcesAttribute))
        {
            sources = ReadStringList(sourcesAttribute, file, allowSingle: true);
            if (sources is { Count: 0 })
            {
                Report(At(file, sourcesAttribute.Value.Span).EmptyAttribute("sources", "list at least one file, folder or glob such as \"docs/**/*.md\""));
            }
        }
        else
        {
            ReportMissing(symbol, "sources", "; add `sources = [\"docs/**/*.md\"]`");
        }

        var chunking = attributes.TryGetValue("chunking", out var chunkingAttribute)
            ? ReadChunking(chunkingAttribute, file)
            : null;

        string embedder = BuiltInEmbedder;
        if (attributes.TryGetValue("embedder", out var embedderAttribute)) embedder = ReadEmbedder(embedderAttribute, symbol) ?? embedder;

        var store = attributes.TryGetValue("store", out var storeAttribute) ? ReadStore(storeAttribute, file) : null;
        var finalStore = store ?? new StoreModel(StoreKind.Sqlite, symbol.Name + ".db");
        CheckStoreNotShared(symbol, finalStore, embedder, storeAttribute?.Value.Span ?? syntax.Name.Span);
        if (sources is { Count: > 0 } && sourcesAttribute is not null) CheckSourcesMatch(symbol, sources, sourcesAttribute.Value.Span);
        CheckKnowledgePackages(symbol, embedder, syntax.Name.Span);

        symbol.Model = new KnowledgeModel(
            symbol.Name,
            (sources ?? new List<string>()).ToEquatableArray(),
            chunking ?? new ChunkingModel(ChunkingStrategy.Recursive, DefaultChunkSize, DefaultChunkSize / 8),
            embedder,
            finalStore);
    }

    /// <summary>
    /// ATL2025 (atlas check and run, which see the files): globs that match nothing, so the knowledge base would be empty
    /// and every search would answer "no passages" without a word. Skipped when the folder is not there to look in.
    /// </summary>
    private void CheckSourcesMatch(Symbol symbol, List<string> sources, TextSpan span)
    {
        if (_host?.SourcesMatch is not { } matches) return;
        var unmatched = sources.Where(glob => matches(symbol.File.Path, glob) == false).ToList();
        if (unmatched.Count == 0) return;
        Report(At(symbol.File, span).SourcesMatchNoFiles(unmatched, symbol.Name));
    }

    /// <summary>The assemblies generated code needs to search a knowledge base as atlas run does, by its embedder.</summary>
    internal static IEnumerable<string> KnowledgePackages(string embedder) =>
        embedder == BuiltInEmbedder ? new[] { "Atlas.Knowledge", "Atlas.Embeddings.MiniLM" } : new[] { "Atlas.Knowledge" };

    /// <summary>
    /// ATL2031 (dotnet build, which knows the references): without Atlas.Knowledge (and MiniLM for `embedder = minilm`)
    /// generated code could not search the declared store, and a fallback would answer differently from atlas run.
    /// </summary>
    private void CheckKnowledgePackages(Symbol symbol, string embedder, TextSpan span)
    {
        if (_host?.References is not { } references) return;
        var missing = KnowledgePackages(embedder).Where(p => !references(p)).ToList();
        if (missing.Count == 0) return;
        var what = embedder == BuiltInEmbedder ? "Atlas.Knowledge (its store) and Atlas.Embeddings.MiniLM (the `minilm` embedder)" : "Atlas.Knowledge (its store)";
        Report(At(symbol.File, span).KnowledgePackageMissing(symbol.Name, what, missing));
    }

    /// <summary>
    /// ATL2036 (dotnet build, which knows the references): a provider of a remote kind, or an <c>mcp</c> server, whose client
    /// lives in a package of its own (<see cref="RuntimePackage"/>) that the project does not reference. Generated
    /// <c>AddAtlas()</c> registers the package's client, so without it the generated code could not compile, and a runtime
    /// without it could not reach the provider or start the server.
    /// </summary>
    private void CheckRuntimePackage(SourceFile file, TextSpan span, RuntimePackage? package, string name, string? providerKind)
    {
        if (package is null || _host?.References is not { } references || references(package.Name)) return;
        Report(At(file, span).RuntimePackageMissing(name, providerKind, package.Name));
    }

    /// <summary>SQLite files already claimed by a knowledge base: the file (resolved against its .atlas file's folder) → who and with which embedder.</summary>
    private readonly Dictionary<string, (string Name, string Embedder)> _sqliteStores = new(StringComparer.Ordinal);

    /// <summary>
    /// ATL2030: two knowledge bases in one SQLite file. An ingest removes the documents its sources no longer
    /// match, so each would delete the other's; and a store holds the vectors of one embedder (dimension) only.
    /// Chroma collections are per knowledge base, so only SQLite files can clash.
    /// </summary>
    private void CheckStoreNotShared(Symbol symbol, StoreModel store, string embedder, TextSpan span)
    {
        if (store.Kind != StoreKind.Sqlite || store.Target.Length == 0) return;
        var key = ResolveStorePath(symbol.File.Path, store.Target);
        if (_sqliteStores.TryGetValue(key, out var first))
        {
            Report(At(symbol.File, span).SharedKnowledgeStore(symbol.Name, store.Target, first.Name, first.Embedder, embedder));
            return;
        }

        _sqliteStores[key] = (symbol.Name, embedder);
    }

    /// <summary>The store file relative to the declaring file's folder, '/' separated, with "." and ".." applied (no file system access).</summary>
    private static string ResolveStorePath(string atlasFile, string target)
    {
        var normalizedTarget = target.Replace('\\', '/');
        var rooted = normalizedTarget.StartsWith("/", StringComparison.Ordinal) || (normalizedTarget.Length > 1 && normalizedTarget[1] == ':');
        var folder = atlasFile.Replace('\\', '/');
        var slash = folder.LastIndexOf('/');
        var combined = rooted ? normalizedTarget : (slash < 0 ? "" : folder.Substring(0, slash + 1)) + normalizedTarget;
        var parts = new List<string>();
        foreach (var part in combined.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..") parts.RemoveAt(parts.Count - 1);
            else parts.Add(part);
        }

        return (combined.StartsWith("/", StringComparison.Ordinal) ? "/" : "") + string.Join("/", parts);
    }

    /// <summary>
    /// <c>fixed|recursive { size, overlap }</c> or <c>markdown { size }</c>; a bare strategy name takes
    /// the defaults. In YAML, <c>{ recursive: { size: 800 } }</c> means the headed block.
    /// </summary>
    private ChunkingModel? ReadChunking(AttributeSyntax attribute, SourceFile file)
    {
        const string Expected = "a strategy block such as `recursive { size = 800, overlap = 100 }`";
        IdentifierSyntax? head = null;
        BlockSyntax? block = null;
        switch (attribute.Value)
        {
            case BlockValueSyntax { Head: { } h } headed:
                head = h;
                block = headed.Block;
                break;
            case BlockValueSyntax { Head: null } headless when file.IsYaml
                && headless.Block is { } outer
                && !outer.Attributes.IsDefault
                && outer.Attributes.Length == 1
                && outer.Attributes[0] is { Name: { } yamlHead, Value: BlockValueSyntax { Head: null } inner }:
                head = yamlHead;
                block = inner.Block;
                break;
            default:
                if (TryGetName(attribute.Value, file, out var name)) head = name;
                break;
        }

        if (head is null)
        {
            ReportWrongKind(attribute, file, Expected);
            return null;
        }

        var strategyName = CheckOption(head, file, "chunking strategy", ChunkingStrategies);
        if (strategyName is null) return null;
        var strategy = strategyName switch
        {
            "fixed" => ChunkingStrategy.Fixed,
            "markdown" => ChunkingStrategy.Markdown,
            _ => ChunkingStrategy.Recursive,
        };

        var attributes = ReadBlock(block, file, strategyName, strategy == ChunkingStrategy.Markdown ? SizeOnly : SizeAndOverlap);
        int size = attributes.TryGetValue("size", out var sizeAttribute) ? ReadInt(sizeAttribute, file, 1) ?? DefaultChunkSize : DefaultChunkSize;
        int overlap = strategy == ChunkingStrategy.Markdown ? 0 : size / 8;
        if (attributes.TryGetValue("overlap", out var overlapAttribute))
        {
            if (overlapAttribute.Value is not NumberValueSyntax number)
            {
                ReportWrongKind(overlapAttribute, file, "a whole number");
            }
            else if (number.IsInteger && number.Value >= size && number.Value >= 0)
            {
                Report(At(file, number.Span).AttributeOutOfRange("overlap", $"less than `size` ({size.ToString(System.Globalization.CultureInfo.InvariantCulture)})", number.Text));
            }
            else if (CheckInt("overlap", number, file, 0) is { } value)
            {
                overlap = value;
            }
        }

        return new ChunkingModel(strategy, size, overlap);
    }

    /// <summary><c>minilm</c> (built in) or a provider that can embed.</summary>
    private string? ReadEmbedder(AttributeSyntax attribute, Symbol symbol)
    {
        var file = symbol.File;
        if (!TryGetName(attribute.Value, file, out var name))
        {
            ReportWrongKind(attribute, file, "`minilm` or the name of a provider (written without quotes)");
            return null;
        }

        if (name.Name == BuiltInEmbedder && Lookup(name.Name) is null) return BuiltInEmbedder;

        var provider = Lookup(name.Name);
        if (provider is null)
        {
            var candidates = NamesOf(SymbolKind.Provider).Concat(new[] { BuiltInEmbedder });
            Report(At(file, name.Span).UnknownName(name.Name, Suggest(name.Name, candidates)));
            return null;
        }

        MarkUsed(name.Name, symbol);
        if (provider.Kind != SymbolKind.Provider)
        {
            Report(At(file, name.Span).WrongKindOfName(name.Name, Symbol.Describe(provider.Kind), "`minilm` or a provider"));
            return null;
        }

        // The mock answers chats only; `minilm` is the offline embedder.
        if (!provider.Capabilities.Contains("embeddings") || provider.Model is ProviderModel { Kind: ProviderKind.Mock })
        {
            Report(At(file, name.Span).InvalidAttributeValue(
                "embedder",
                "`minilm` or a provider that supports `embeddings`",
                provider.Model is ProviderModel { Kind: ProviderKind.Mock }
                    ? $"provider `{name.Name}`, a mock, which does not embed"
                    : $"provider `{name.Name}`, which supports [{string.Join(", ", provider.Capabilities)}]"));
            return null;
        }

        // A provider embeds with its embedding model, not its chat model.
        if (provider.Model is ProviderModel { EmbeddingModel: null })
        {
            Report(At(file, name.Span).InvalidAttributeValue(
                "embedder",
                "`minilm` or a provider that sets `embedding_model`",
                $"provider `{name.Name}`, which sets none (add `embedding_model = \"...\"` to it)"));
            return null;
        }

        return name.Name;
    }

    /// <summary><c>sqlite("path")</c> or <c>chroma("url")</c>.</summary>
    private StoreModel? ReadStore(AttributeSyntax attribute, SourceFile file)
    {
        const string Expected = "`sqlite(\"path\")` or `chroma(\"url\")`";
        if (attribute.Value is not CallValueSyntax { Name: { Name: not null } head } call)
        {
            ReportWrongKind(attribute, file, Expected);
            return null;
        }

        var kindName = CheckOption(head, file, "store", StoreKinds);
        var arguments = Items(call.Arguments).ToList();
        if (arguments.Count != 1 || !TryGetString(arguments[0], file, out var target))
        {
            Report(At(file, call.Span).InvalidAttributeValue("store", $"`{head.Name}(\"...\")` with one string", "`" + Snippet(file, call.Span) + "`"));
            return null;
        }

        if (kindName == "chroma"
            && !(Uri.TryCreate(target, UriKind.Absolute, out var server) && (server.Scheme == "http" || server.Scheme == "https")))
        {
            Report(At(file, arguments[0].Span).InvalidAttributeValue("store", "`chroma(\"http://host:port\")`, the ChromaDB server's URL", "`" + Snippet(file, arguments[0].Span) + "`"));
            return null;
        }

        return kindName switch
        {
            "sqlite" => new StoreModel(StoreKind.Sqlite, target),
            "chroma" => new StoreModel(StoreKind.Chroma, target),
            _ => null,
        };
    }

    // ---------- agent ----------

    private void BindAgent(Symbol symbol)
    {
        var syntax = (AgentSyntax)symbol.Syntax;
        var file = symbol.File;
        var attributes = ReadBlock(syntax.Body, file, "agent " + symbol.Name, AgentAttributes);

        string model = "";
        var modelKind = ModelTargetKind.Provider;
        if (attributes.TryGetValue("model", out var modelAttribute))
        {
            if (TryGetName(modelAttribute.Value, file, out var name))
            {
                var target = ResolveReference(name, symbol, "a provider or route", SymbolKind.Provider, SymbolKind.Route);
                if (target is not null)
                {
                    model = target.Name;
                    modelKind = target.Kind == SymbolKind.Route ? ModelTargetKind.Route : ModelTargetKind.Provider;
                }
            }
            else
            {
                ReportWrongKind(modelAttribute, file, "the name of a provider or route (the model's own name belongs in the provider)");
            }
        }
        else
        {
            ReportMissing(symbol, "model", "; add `model = <provider or route>`");
        }

        double? temperature = attributes.TryGetValue("temperature", out var temperatureAttribute) ? ReadNumber(temperatureAttribute, file, 0, 2) : null;
        int? maxTokens = attributes.TryGetValue("max_tokens", out var maxTokensAttribute) ? ReadInt(maxTokensAttribute, file, 1) : null;

        var instructions = attributes.TryGetValue("instructions", out var instructionsAttribute) ? BindTemplate(instructionsAttribute, symbol) : null;

        var prompt = BindPrompt(symbol, attributes, "the message sent to the model");

        var tools = new List<string>();
        if (attributes.TryGetValue("tools", out var toolsAttribute))
        {
            foreach (var name in ReadNameList(toolsAttribute, file, "a list of tool or MCP server names") ?? new List<IdentifierSyntax>())
            {
                if (ResolveReference(name, symbol, "a tool or MCP server", SymbolKind.Tool, SymbolKind.Mcp) is { } tool && !tools.Contains(tool.Name)) tools.Add(tool.Name);
            }
        }

        var delegates = new List<string>();
        if (attributes.TryGetValue("delegates", out var delegatesAttribute))
        {
            foreach (var name in ReadNameList(delegatesAttribute, file, "a list of agent names") ?? new List<IdentifierSyntax>())
            {
                if (ResolveReference(name, symbol, "an agent", SymbolKind.Agent) is { } agent && !delegates.Contains(agent.Name))
                {
                    delegates.Add(agent.Name);
                    if (symbol.IsPrimary) symbol.Delegations.Add(name);
                }
            }
        }

        int? maxDepth = attributes.TryGetValue("max_depth", out var maxDepthAttribute) ? ReadInt(maxDepthAttribute, file, 1) : null;
        var budget = attributes.TryGetValue("budget", out var budgetAttribute) ? ReadBudget(budgetAttribute, file) : null;
        int? maxToolCalls = null;
        if (attributes.TryGetValue("max_tool_calls", out var maxToolCallsAttribute))
        {
            maxToolCalls = ReadInt(maxToolCallsAttribute, file, 1);

            // Written on an agent that cannot call anything, the limit guards nothing: a sign of a missing `tools`.
            if (maxToolCalls is not null && !attributes.ContainsKey("tools") && !attributes.ContainsKey("delegates"))
            {
                Report(At(file, maxToolCallsAttribute.Name.Span).ToolCallLimitWithoutTools(symbol.Name));
            }
        }

        var cache = attributes.TryGetValue("cache", out var cacheAttribute) ? ReadCache(cacheAttribute, file) : null;
        if (modelAttribute is not null && Lookup(model) is { } target2) CheckModelServesAgent(symbol, target2, modelAttribute, tools.Count + delegates.Count > 0);

        symbol.Model = new AgentModel(
            symbol.Name,
            symbol.Parameters.ToEquatableArray(),
            symbol.Returns,
            model,
            modelKind,
            temperature,
            maxTokens,
            instructions,
            prompt,
            tools.ToEquatableArray(),
            delegates.ToEquatableArray(),
            maxDepth,
            budget,
            maxToolCalls,
            cache);
    }

    /// <summary>
    /// The <c>prompt</c> template of an agent or a human, bound against its parameters; ATL2011 when it has none
    /// (<paramref name="what"/> says what the prompt is, for the hint), and then an empty template.
    /// </summary>
    private TemplateModel BindPrompt(Symbol symbol, Dictionary<string, AttributeSyntax> attributes, string what)
    {
        if (attributes.TryGetValue("prompt", out var promptAttribute)) return BindTemplate(promptAttribute, symbol) ?? EmptyTemplate;
        ReportMissing(symbol, "prompt", $"; add `prompt = \"...\"`, {what}");
        return EmptyTemplate;
    }

    private static readonly TemplateModel EmptyTemplate = new(EquatableArray<TemplatePart>.Empty);

    // ---------- human ----------

    /// <summary>
    /// A human: its prompt (the question a person sees, bound like an agent's) and an optional <c>timeout</c>, any duration
    /// longer than zero. Unlike a call's timeout it has no 24h bound: the question waits in the run store, not on a timer.
    /// </summary>
    private void BindHuman(Symbol symbol)
    {
        var syntax = (HumanSyntax)symbol.Syntax;
        var file = symbol.File;
        var attributes = ReadBlock(syntax.Body, file, "human " + symbol.Name, HumanAttributes);
        var prompt = BindPrompt(symbol, attributes, "the question shown to the person who answers");
        long? timeout = attributes.TryGetValue("timeout", out var timeoutAttribute) ? ReadDuration(timeoutAttribute, file, allowZero: false) : null;
        symbol.Model = new HumanModel(symbol.Name, symbol.Parameters.ToEquatableArray(), symbol.Returns, prompt, timeout);
    }
}
