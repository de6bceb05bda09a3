using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.AI;

namespace Atlas.Cli.Tests;

/// <summary>Builds small assemblies for <c>--tools</c> with Roslyn, in process (no project, no restore).</summary>
internal static class ToolAssemblies
{
    /// <summary>Compiles <paramref name="source"/> to <paramref name="directory"/>/<paramref name="name"/>.dll against the framework, Atlas.Runtime and <paramref name="references"/>.</summary>
    public static string Build(string directory, string name, string source, params string[] references)
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll");
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            platform.Append(typeof(AtlasToolAttribute).Assembly.Location).Concat(references).Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var path = Path.Combine(directory, name + ".dll");
        var result = compilation.Emit(path);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return path;
    }
}

/// <summary>The filesystem MCP server that <c>.ci/mcp-servers.sh</c> installs into <c>.ci/mcp/node_modules</c>.</summary>
internal static class McpTestServer
{
    public static string Script { get; } = Path.Combine(
        Cli.RepositoryRoot, ".ci", "mcp", "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");

    public static bool Installed => File.Exists(Script);
}

/// <summary>Skipped locally (with the reason) when the MCP test server is not installed; under CI (<c>CI=true</c>) it runs and fails instead.</summary>
internal sealed class McpServerFactAttribute : FactAttribute
{
    public McpServerFactAttribute()
    {
        if (!McpTestServer.Installed && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"the MCP test server is not installed ({McpTestServer.Script}); run .ci/mcp-servers.sh";
        }
    }
}

/// <summary>A model that asks for one tool call, then replies <c>tool said: RESULT</c>.</summary>
internal sealed class OneToolCallClient(string tool, IDictionary<string, object?> arguments) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault();
        var reply = result is null
            ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", tool, new Dictionary<string, object?>(arguments))])
            : new ChatMessage(ChatRole.Assistant, $"tool said: {result.Result}");
        return Task.FromResult(new ChatResponse(reply));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
