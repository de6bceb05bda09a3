using System;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Knowledge.Tests;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas ingest</c>, <c>atlas search</c> and <c>atlas run</c> on a knowledge base an openai_compatible provider embeds, served on 127.0.0.1.</summary>
public sealed class ProviderEmbedderCommandsTests
{
    private const string Key = "sk-cli-embeddings-9876543210";

    private static string Project(string endpoint) => $$"""
        provider local {
          kind            = openai_compatible
          model           = "chat-model"
          endpoint        = "{{endpoint}}"
          api_key         = env("EMBED_KEY")
          supports        = [chat, embeddings]
          embedding_model = "text-embedding-3-small"
        }

        knowledge handbook {
          sources  = ["docs/*.md"]
          chunking = markdown { size = 200 }
          embedder = local
        }

        workflow ask(question: string) -> Passage[] {
          found = handbook.search(question, top = 2)
          return found
        }
        """;

    private static CliResult Run(string? key, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Output = stdout,
            Error = stderr,
            GetEnvironmentVariable = name => name == "EMBED_KEY" ? key : null,
        };
        var exitCode = AtlasCli.RunAsync(args, environment).GetAwaiter().GetResult();
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task IngestSearchRun_OpenAICompatibleEmbedder_RightPassageFirstKeyNeverShown()
    {
        await using var server = await EmbeddingServer.StartAsync();
        using var dir = new TempDirectory();
        dir.Write("kb/handbook.atlas", Project(server.BaseUrl + "/v1"));
        dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days of purchase. Gift cards are never refunded.");
        dir.Write("kb/docs/shipping.md", "# Shipping\n\nParcels ship from the Rotterdam warehouse and arrive in two to four business days.");
        dir.Write("kb/docs/security.md", "# Security\n\nPasswords are hashed with Argon2id and never stored in clear text.");
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var ingest = Run(Key, "ingest", file);
        var search = Run(Key, "search", file, "when do parcels arrive from the warehouse", "--top", "2", "--json");
        var run = Run(Key, "run", file, "--input", "\"how are passwords stored\"");

        Assert.Equal(0, ingest.ExitCode);
        Assert.Contains("handbook: 3 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 3 chunks in", ingest.Stderr);
        Assert.Equal(0, search.ExitCode);
        Assert.Equal("docs/shipping.md", JsonNode.Parse(search.Stdout)!.AsArray()[0]!["source"]!.GetValue<string>());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("atlas run: knowledge 'handbook' is up to date (3 documents in ", run.Stderr);
        Assert.Equal("docs/security.md", JsonNode.Parse(run.Stdout)!.AsArray()[0]!["source"]!.GetValue<string>());
        Assert.All(server.Requests, r => Assert.Equal(("/v1/embeddings", "Bearer " + Key), (r.Path, r.Authorization)));
        Assert.DoesNotContain(Key, ingest.Stderr + search.Stdout + search.Stderr + run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestAndSearch_ApiKeyUnset_OneLineNamingKnowledgeProviderAndVariable()
    {
        await using var server = await EmbeddingServer.StartAsync();
        using var dir = new TempDirectory();
        dir.Write("kb/handbook.atlas", Project(server.BaseUrl + "/v1"));
        dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days.");
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var ingest = Run(null, "ingest", file);
        var search = Run(null, "search", file, "refunds", "--json");

        Assert.Equal(ExitCodes.Usage, ingest.ExitCode);
        Assert.Equal("atlas ingest: knowledge 'handbook' cannot embed with provider 'local': EMBED_KEY is not set\n", ingest.Stderr);
        Assert.Equal(ExitCodes.Usage, search.ExitCode);
        Assert.Equal("atlas search: knowledge 'handbook' cannot embed with provider 'local': EMBED_KEY is not set\n", search.Stderr);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Ingest_ProviderFailsOnOneDocument_ReportedAsFailedTheRestStored()
    {
        await using var server = await EmbeddingServer.StartAsync();
        server.FailWhen = text => text.Contains("kaboom", StringComparison.Ordinal);
        using var dir = new TempDirectory();
        dir.Write("kb/handbook.atlas", Project(server.BaseUrl + "/v1"));
        dir.Write("kb/docs/refunds.md", "# Refunds\n\nMoney back within 30 days.");
        dir.Write("kb/docs/broken.md", "# Broken\n\nkaboom");
        var file = Path.Combine(dir.Path, "kb/handbook.atlas");

        var ingest = Run(Key, "ingest", file);

        Assert.Equal(0, ingest.ExitCode);
        Assert.Contains("atlas ingest: skipped docs/broken.md: embedding failed: ", ingest.Stderr);
        Assert.Contains("handbook: 1 added, 0 updated, 0 unchanged, 0 removed, 1 failed;", ingest.Stderr);
        Assert.DoesNotContain(Key, ingest.Stderr, StringComparison.Ordinal);
    }
}
