using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests;

/// <summary>
/// The real MCP server the tests start: @modelcontextprotocol/server-filesystem, installed by
/// <c>.ci/mcp-servers.sh</c> (pinned in <c>.ci/mcp/package-lock.json</c>) into <c>.ci/mcp/node_modules</c>.
/// </summary>
internal static class McpServers
{
    public static string FilesystemServerScript { get; } = Path.Combine(
        RepositoryRoot(), ".ci", "mcp", "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");

    public static bool Installed => File.Exists(FilesystemServerScript);

    /// <summary>The filesystem server allowed to read and write <paramref name="directory"/> (and nothing else), as <c>mcp name</c>.</summary>
    public static McpDescriptor Filesystem(string name, string directory) =>
        new(name, "node", [FilesystemServerScript, directory], WorkingDirectory: directory);

    /// <summary>
    /// The ids of running processes whose command line holds <paramref name="marker"/> (Linux /proc). A test gives its
    /// server a unique folder, so this finds exactly that server's processes.
    /// </summary>
    public static IReadOnlyList<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                var state = File.ReadAllText(Path.Combine(directory, "stat"));
                // A zombie (state Z) has exited and only waits to be reaped: it is not running.
                var status = state[(state.LastIndexOf(')') + 2)..].Split(' ')[0];
                if (commandLine.Contains(marker, StringComparison.Ordinal) && status != "Z") found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// A test that starts the real MCP server. Without it installed it is skipped locally with the reason, and fails
/// under CI (<c>CI=true</c>), where <c>.ci/run</c> installs it: CI must never skip it silently.
/// </summary>
internal sealed class McpServerFactAttribute : FactAttribute
{
    public McpServerFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "the MCP server tests read /proc to check the server process stops";
        }
        else if (!McpServers.Installed && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"the MCP test server is not installed ({McpServers.FilesystemServerScript}); run .ci/mcp-servers.sh";
        }
    }
}

/// <summary>
/// A model that asks for one tool call, then replies with what the tool returned: <c>tool said: RESULT</c>.
/// Records the offered tools and the results it got.
/// </summary>
internal sealed class OneToolCallClient(string tool, Func<IDictionary<string, object?>> arguments) : IChatClient
{
    public List<string> OfferedTools { get; } = new();

    public List<object?> Results { get; } = new();

    /// <summary>Runs when the model is about to ask for the tool call (e.g. to kill the server first).</summary>
    public Action? BeforeCall { get; init; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault();
        if (result is null)
        {
            lock (OfferedTools) OfferedTools.AddRange((options?.Tools ?? []).Select(t => t.Name));
            BeforeCall?.Invoke();
            var call = new FunctionCallContent("call-" + Guid.NewGuid().ToString("N")[..8], tool, arguments());
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])));
        }

        lock (Results) Results.Add(result.Result);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"tool said: {result.Result}")));
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
