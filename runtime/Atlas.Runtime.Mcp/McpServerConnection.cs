using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Atlas.Runtime;

/// <summary>
/// One <c>mcp</c> server of a runtime: started over stdio on first use, its tools listed once and
/// offered as <see cref="AIFunction"/>s, stopped (with its process tree) on dispose. A server that
/// has exited is started again on the next use. Thread-safe.
/// </summary>
internal sealed class McpServerConnection : IToolSource
{
    internal static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private readonly McpDescriptor _descriptor;
    private readonly string _workingDirectory;
    private readonly string _command;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly StandardErrorTail _stderr = new(capacity: 20);
    private Session? _session;
    private bool _disposed;
    private int _disposing;

    public McpServerConnection(McpDescriptor descriptor, string baseDirectory)
    {
        _descriptor = descriptor;
        _workingDirectory = Path.GetFullPath(descriptor.WorkingDirectory is { } directory ? Path.Combine(baseDirectory, directory) : baseDirectory);
        // "./server.js" or "bin/server" mean a file next to the .atlas file; a bare name is looked up on PATH.
        _command = descriptor.Command.IndexOfAny(['/', '\\']) >= 0 && !Path.IsPathRooted(descriptor.Command)
            ? Path.GetFullPath(Path.Combine(_workingDirectory, descriptor.Command))
            : descriptor.Command;
        CommandLine = string.Join(" ", new[] { descriptor.Command }.Concat(descriptor.Arguments).Select(Quote));
    }

    public string Name => _descriptor.Name;

    /// <summary>The command and its arguments as one line, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>The server's tools, starting the server if it is not running.</summary>
    /// <exception cref="McpServerException">The server did not start, did not complete the handshake in time, or could not list its tools.</exception>
    public async ValueTask<IReadOnlyList<AITool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { } session)
            {
                // A ping (one stdio round trip) notices a server that died since the last call, which
                // the client may not have seen yet; it is then started again rather than offered dead.
                if (await IsAliveAsync(session.Client, cancellationToken).ConfigureAwait(false)) return session.Tools;
                _session = null;
                await session.Client.DisposeAsync().ConfigureAwait(false);
            }

            var started = await StartAsync(cancellationToken).ConfigureAwait(false);
            _session = started;
            return started.Tools;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the server: closes its stdin, waits briefly, then kills its process tree.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1) return;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_session is { } session)
            {
                _session = null;
                await session.Client.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
            _lifetime.Dispose();
        }
    }

    private static async Task<bool> IsAliveAsync(McpClient client, CancellationToken cancellationToken)
    {
        if (client.Completion.IsCompleted) return false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(PingTimeout);
        try
        {
            await client.PingAsync(cancellationToken: deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Slow, not gone (e.g. busy with another agent's call): restarting it would cut that call off.
            return !client.Completion.IsCompleted;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<Session> StartAsync(CancellationToken cancellationToken)
    {
        var timeout = _descriptor.StartTimeout ?? DefaultStartTimeout;
        _stderr.Clear();
        if (!Directory.Exists(_workingDirectory))
        {
            throw Failure($"its working directory '{_workingDirectory}' does not exist", null);
        }

        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = _descriptor.Name,
            Command = _command,
            Arguments = _descriptor.Arguments.ToList(),
            WorkingDirectory = _workingDirectory,
            EnvironmentVariables = _descriptor.Environment?.ToDictionary(e => e.Key, e => e.Value),
            StandardErrorLines = _stderr.Add,
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        });

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        deadline.CancelAfter(timeout);
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(
                transport,
                new McpClientOptions
                {
                    ClientInfo = new Implementation { Name = "atlas", Version = typeof(McpServerConnection).Assembly.GetName().Version?.ToString() ?? "1.0" },
                    InitializationTimeout = timeout,
                },
                cancellationToken: deadline.Token).ConfigureAwait(false);
            var listed = await client.ListToolsAsync(cancellationToken: deadline.Token).ConfigureAwait(false);
            var tools = listed.Select(tool => (AITool)new McpServerTool(tool, this, client)).ToArray();
            return new Session(client, tools);
        }
        catch (Exception ex)
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
            var reason = deadline.IsCancellationRequested || ex is TimeoutException
                ? $"it did not complete the MCP handshake within {Durations.Format(timeout)}"
                : Reason(ex);
            throw Failure(reason, ex);
        }
    }

    /// <summary>One line: what failed, for which block and command, and the server's last words on stderr.</summary>
    internal McpServerException Failure(string reason, Exception? inner)
    {
        var stderr = _stderr.Last();
        var message = $"mcp '{Name}': could not start `{CommandLine}` in {_workingDirectory}: {reason}" + (stderr is null ? "" : $" (stderr: {stderr})");
        return new McpServerException(Name, CommandLine, OneLine(message), inner);
    }

    internal string ExitedMessage(string tool, McpClient client)
    {
        var details = client.Completion.IsCompletedSuccessfully ? client.Completion.Result : null;
        var code = details is StdioClientCompletionDetails { ExitCode: { } exit } ? $" with code {exit}" : "";
        var stderr = _stderr.Last();
        return OneLine($"Error: mcp server '{Name}' (`{CommandLine}`) exited{code} during the call to '{tool}'" + (stderr is null ? "" : $" (stderr: {stderr})") +
                       "; it is started again on the agent's next call");
    }

    /// <summary>The innermost messages, deduplicated: the SDK wraps the process error ("No such file or directory") in its own.</summary>
    private static string Reason(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Any(m => m.Contains(e.Message, StringComparison.Ordinal))) messages.Add(e.Message.TrimEnd('.'));
        }

        return messages.Count == 0 ? ex.GetType().Name : string.Join(": ", messages);
    }

    private static string OneLine(string text) =>
        string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Quote(string argument) => argument.Length == 0 || argument.Any(char.IsWhiteSpace) ? "\"" + argument + "\"" : argument;

    private sealed record Session(McpClient Client, IReadOnlyList<AITool> Tools);

    /// <summary>The last lines a server wrote to stderr (it explains most failures to start). Thread-safe.</summary>
    private sealed class StandardErrorTail(int capacity)
    {
        private readonly Queue<string> _lines = new();

        public void Add(string line)
        {
            if (string.IsNullOrWhiteSpace(line)) return;
            lock (_lines)
            {
                if (_lines.Count == capacity) _lines.Dequeue();
                _lines.Enqueue(line.Trim());
            }
        }

        public void Clear()
        {
            lock (_lines) _lines.Clear();
        }

        public string? Last()
        {
            lock (_lines) return _lines.Count == 0 ? null : _lines.Last();
        }
    }
}

/// <summary>
/// A tool of an MCP server: the SDK's <see cref="McpClientTool"/>, except that a call cut off by the
/// server exiting returns an error naming the server (for the model, and for whoever reads the run)
/// instead of the generic "function failed", and that a tool the server says only reads (MCP's
/// <c>readOnlyHint</c>) is marked so (<see cref="ReadOnlyTools"/>): the offline mock calls it.
/// </summary>
internal sealed class McpServerTool(McpClientTool inner, McpServerConnection server, McpClient client) : DelegatingAIFunction(inner)
{
    /// <summary>The read-only mark when the server gives the hint; without it the tool may change things.</summary>
    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } =
        inner.ProtocolTool.Annotations?.ReadOnlyHint == true ? ReadOnlyTools.Properties : inner.AdditionalProperties;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The client may learn of the exit just after the failed call: give it a moment to tell.
            await Task.WhenAny(client.Completion, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken)).ConfigureAwait(false);
            if (!client.Completion.IsCompleted) throw;
            return server.ExitedMessage(Name, client);
        }
    }
}
