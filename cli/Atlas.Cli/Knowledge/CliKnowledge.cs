using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Embeddings.MiniLM;
using Atlas.Knowledge;
using Atlas.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Atlas.Cli.Knowledge;

/// <summary>
/// The CLI's knowledge bases: every declared one on its real store (SQLite file or ChromaDB server), embedded
/// with the local MiniLM model (loaded once per process on first use) or with the provider its <c>embedder</c>
/// names (<see cref="ProviderEmbedders"/>: OpenAI, OpenAI-compatible or Ollama, API key from the environment).
/// </summary>
/// <remarks>
/// A provider that can't embed (its API key variable unset, say) is a <see cref="UsageException"/> naming the
/// knowledge base, the provider and why. Each provider's generator is made once per instance. Thread-safe.
/// </remarks>
internal sealed class CliKnowledge : IKnowledgeBaseFactory
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private readonly string _commandName;
    private readonly IReadOnlyDictionary<string, ProviderDescriptor> _providers;
    private readonly AtlasRuntimeOptions _providerClients;
    private readonly ConcurrentDictionary<string, Lazy<IEmbeddingGenerator<string, Embedding<float>>>> _embedders = new(StringComparer.Ordinal);

    /// <param name="commandName">Prefixes messages (<c>atlas ingest</c>).</param>
    /// <param name="providers">The declared providers, for knowledge bases whose embedder is one.</param>
    /// <param name="getEnvironmentVariable">Reads a provider's API key variable.</param>
    public CliKnowledge(string commandName, IEnumerable<ProviderDescriptor> providers, Func<string, string?> getEnvironmentVariable)
    {
        _commandName = commandName;
        _providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        // What a provider embedder is made with: every kind's client, the API keys from this environment.
        _providerClients = new AtlasRuntimeOptions { GetEnvironmentVariable = getEnvironmentVariable }.UseEveryPackage();
    }

    /// <summary>The knowledge bases of <paramref name="project"/>, with the providers it declares and the environment's keys.</summary>
    public static CliKnowledge For(AtlasProject project, CliEnvironment environment, string commandName) =>
        new(commandName, project.Program.Model.Providers.Select(Atlas.Interpreter.Descriptors.Provider), environment.GetEnvironmentVariable);

    /// <summary>For the runtime: checked now, built (and MiniLM loaded) on the first search, so commands that never search don't pay for it.</summary>
    public IKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Embedder != "minilm")
        {
            _ = ProviderEmbedder(descriptor);
        }

        var kb = new Lazy<KnowledgeBase>(() => CreateKnowledgeBase(descriptor, baseDirectory), LazyThreadSafetyMode.ExecutionAndPublication);
        return new DeferredKnowledgeBase(kb);
    }

    /// <exception cref="UsageException">The embedder or the store is one the CLI can't use.</exception>
    public KnowledgeBase CreateKnowledgeBase(KnowledgeDescriptor descriptor, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        IEmbeddingGenerator<string, Embedding<float>> generator;
        Tokenizer? tokenizer = null;
        if (descriptor.Embedder == "minilm")
        {
            (generator, tokenizer) = (MiniLmEmbeddingGenerator.Shared, MiniLmEmbeddingGenerator.SharedTokenizer);
        }
        else
        {
            generator = ProviderEmbedder(descriptor);
        }

        try
        {
            return KnowledgeBase.Create(descriptor, baseDirectory, generator, tokenizer, Http);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            throw new UsageException($"{_commandName}: {ex.Message}");
        }
    }

    /// <summary>The generator of the provider a knowledge base embeds with; chunks are sized with cl100k_base.</summary>
    /// <exception cref="UsageException">No such provider, or it can't embed (e.g. its API key variable is unset).</exception>
    private IEmbeddingGenerator<string, Embedding<float>> ProviderEmbedder(KnowledgeDescriptor descriptor)
    {
        if (!_providers.TryGetValue(descriptor.Embedder, out var provider))
        {
            throw new UsageException($"{_commandName}: knowledge '{descriptor.Name}' embeds with '{descriptor.Embedder}', which is neither minilm nor a declared provider");
        }

        // A failed attempt is not cached: the Lazy is dropped so a later call says the same thing again.
        var lazy = _embedders.GetOrAdd(provider.Name, _ => new Lazy<IEmbeddingGenerator<string, Embedding<float>>>(
            () => ProviderEmbedders.TryCreate(provider, _providerClients, out var generator, out var reason)
                ? generator
                : throw new UsageException($"{_commandName}: knowledge '{descriptor.Name}' cannot embed with provider '{provider.Name}': {reason}"),
            LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch (UsageException)
        {
            _embedders.TryRemove(provider.Name, out _);
            throw;
        }
    }

    private sealed class DeferredKnowledgeBase(Lazy<KnowledgeBase> kb) : IKnowledgeBase
    {
        public Task<System.Collections.Generic.IReadOnlyList<Passage>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken) =>
            kb.Value.SearchAsync(query, options, cancellationToken);
    }

    /// <summary>Where a knowledge base's store is, for messages: the SQLite file relative to the current folder, or the server.</summary>
    public static string Describe(KnowledgeBase kb) => kb switch
    {
        SqliteKnowledgeBase sqlite => Path.GetRelativePath(Environment.CurrentDirectory, sqlite.Store.Path),
        _ => kb.Store.Location,
    };

    /// <summary>
    /// Before <c>atlas run</c> and <c>atlas chat</c>: brings every declared SQLite store up to date (an incremental
    /// ingest: only new and changed files are embedded), one line on stderr each, so an example runs from a fresh
    /// clone with no separate step. ChromaDB stores are shared servers and are left to <c>atlas ingest</c>.
    /// </summary>
    public async Task PrepareAsync(AtlasProject project, CliEnvironment environment, CancellationToken cancellationToken)
    {
        foreach (var model in project.Program.Model.KnowledgeBases)
        {
            var descriptor = Atlas.Interpreter.Descriptors.Knowledge(model);
            if (descriptor.Store != Atlas.Runtime.StoreKind.Sqlite)
            {
                // Not ingested here, but a glob that matches nothing is worth a word all the same.
                var unmatched = KnowledgeSources.Unmatched(project.BaseDirectory, descriptor.Sources);
                if (unmatched.Count > 0) environment.Error.WriteLine($"{_commandName}: {KnowledgeSources.Warning(descriptor.Name, unmatched)}");
                continue;
            }

            var kb = CreateKnowledgeBase(descriptor, project.BaseDirectory);
            var report = await kb.RefreshAsync(cancellationToken).ConfigureAwait(false); // waits for another process's ingest of it
            var store = Describe(kb);
            var changed = report.Added + report.Updated + report.Removed;
            var line = changed == 0 && report.Skipped.Count == 0
                ? $"{_commandName}: knowledge '{descriptor.Name}' is up to date ({report.Unchanged} documents in {store})"
                : $"{_commandName}: knowledge '{descriptor.Name}' ingested into {store}: {Summary(report)}";
            environment.Error.WriteLine(line);
            if (report.UnmatchedSources.Count > 0)
            {
                environment.Error.WriteLine($"{_commandName}: {KnowledgeSources.Warning(descriptor.Name, report.UnmatchedSources)}");
            }

            foreach (var skip in report.Skipped)
            {
                environment.Error.WriteLine($"{_commandName}: knowledge '{descriptor.Name}': skipped {skip.Source}: {skip.Reason}");
            }
        }
    }

    /// <summary>"2 added, 1 updated, 4 unchanged, 0 removed, 1 failed; 12 chunks in 1.3 s".</summary>
    public static string Summary(IngestReport report) => string.Create(
        CultureInfo.InvariantCulture,
        $"{report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged, {report.Removed} removed, {report.Skipped.Count} failed; {report.ChunksWritten} chunks in {report.Elapsed.TotalSeconds:0.0} s{(report.Rebuilt ? " (rebuilt: the embedder changed)" : "")}");

    /// <summary>The declared knowledge base called <paramref name="name"/>, or the only one.</summary>
    /// <exception cref="UsageException">No such knowledge base, none at all, or several and no name.</exception>
    public static KnowledgeDescriptor Select(AtlasProject project, string? name, string commandName)
    {
        var all = project.Program.Model.KnowledgeBases.Select(Atlas.Interpreter.Descriptors.Knowledge).ToList();
        var names = string.Join(", ", all.Select(k => k.Name));
        if (name is not null)
        {
            return all.FirstOrDefault(k => k.Name == name)
                ?? throw new UsageException($"{commandName}: no knowledge base '{name}' in {project.DisplayPath}; " + (all.Count == 0 ? "it declares none" : $"it has {names}"));
        }

        return all.Count switch
        {
            0 => throw new UsageException($"{commandName}: {project.DisplayPath} declares no knowledge base"),
            1 => all[0],
            _ => throw new UsageException($"{commandName}: {project.DisplayPath} has {all.Count} knowledge bases ({names}); choose one with --knowledge NAME"),
        };
    }
}
