using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>MCP servers on a runtime: a real server process reached by an agent's tool call, startup failures, and cleanup.</summary>
public sealed class McpServerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atlas-mcp-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }

    [McpServerFact]
    public async Task McpServer_AgentCallsReadTool_TheRealServerReadsTheFile()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        var file = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(file, "The refund window is 30 days.");
        var model = new OneToolCallClient("read_text_file", () => new Dictionary<string, object?> { ["path"] = file });
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("What does notes.txt say?"), Tools: ["files"]);

        var reply = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.Contains("read_text_file", model.OfferedTools);
        Assert.Contains("list_allowed_directories", model.OfferedTools);
        Assert.Contains("The refund window is 30 days.", reply!.GetValue<string>());
    }

    [McpServerFact]
    public async Task McpServer_RuntimeDisposed_ServerProcessStops()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        var model = new OneToolCallClient("list_allowed_directories", () => new Dictionary<string, object?>());
        var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("lister", [], "string", null, "model", TestSupport.Template("Where may you read?"), Tools: ["files"]);
        Assert.Empty(McpServers.ProcessesWith(_folder)); // started lazily: nothing before the first call

        var first = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);
        var second = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.Contains(Path.GetFileName(_folder), first!.GetValue<string>());
        Assert.Equal(first.GetValue<string>(), second!.GetValue<string>());
        Assert.Single(McpServers.ProcessesWith(_folder)); // one server per runtime, however many calls
        await runtime.DisposeAsync();
        await TestSupport.WaitUntil(() => McpServers.ProcessesWith(_folder).Count == 0, timeoutMs: 10_000);
    }

    [McpServerFact]
    public async Task McpServer_ConcurrentAgentCalls_ShareOneServerProcess()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        var file = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(file, "shared");
        var model = new OneToolCallClient("read_text_file", () => new Dictionary<string, object?> { ["path"] = file });
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("read it"), Tools: ["files"]);

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None)));

        Assert.All(replies, r => Assert.Contains("shared", r!.GetValue<string>()));
        Assert.Single(McpServers.ProcessesWith(_folder));
    }

    [McpServerFact]
    public async Task McpServer_SyncDispose_ServerProcessStops()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        var model = new OneToolCallClient("list_allowed_directories", () => new Dictionary<string, object?>());
        var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("lister", [], "string", null, "model", TestSupport.Template("Where may you read?"), Tools: ["files"]);
        await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);
        Assert.Single(McpServers.ProcessesWith(_folder));

        runtime.Dispose();

        await TestSupport.WaitUntil(() => McpServers.ProcessesWith(_folder).Count == 0, timeoutMs: 10_000);
    }

    [McpServerFact]
    public async Task McpServer_KilledBetweenCalls_NextCallStartsItAgain()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        var model = new OneToolCallClient("list_allowed_directories", () => new Dictionary<string, object?>());
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("lister", [], "string", null, "model", TestSupport.Template("Where may you read?"), Tools: ["files"]);
        await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);
        var killed = Assert.Single(McpServers.ProcessesWith(_folder));
        Process.GetProcessById(killed).Kill();
        await TestSupport.WaitUntil(() => !McpServers.ProcessesWith(_folder).Contains(killed), timeoutMs: 10_000);

        var reply = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.Contains(Path.GetFileName(_folder), reply!.GetValue<string>());
        Assert.NotEqual(killed, Assert.Single(McpServers.ProcessesWith(_folder)));
    }

    [McpServerFact]
    public async Task McpServer_DiesBeforeTheToolCall_ModelGetsAnErrorNamingTheServer()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        var model = new OneToolCallClient("list_allowed_directories", () => new Dictionary<string, object?>())
        {
            BeforeCall = () =>
            {
                foreach (var pid in McpServers.ProcessesWith(_folder)) Process.GetProcessById(pid).Kill();
            },
        };
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = model;
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("lister", [], "string", null, "model", TestSupport.Template("Where may you read?"), Tools: ["files"]);

        var reply = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.StartsWith("tool said: Error: mcp server 'files' (`node ", reply!.GetValue<string>());
        Assert.Contains("exited", reply.GetValue<string>());
        Assert.Contains("during the call to 'list_allowed_directories'", reply.GetValue<string>());
    }

    [McpServerFact]
    public async Task McpServer_OfflineMock_CallsEachReadOnlyToolOnceAndNoneThatWrites()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.txt"), "keep me");
        await using var runtime = TestSupport.Runtime(o => o.McpServers.Add(McpServers.Filesystem("files", _folder)));
        var agent = new AgentDescriptor("reader", [], "string", null, "offline", TestSupport.Template("look around"), Tools: ["files"]);

        var reply = (await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None))!.GetValue<string>();

        // The mock's answer names what it consulted: the server's read-only tools, really called; and
        // the calls it would make of those that may write, which it only records.
        Assert.Single(McpServers.ProcessesWith(_folder));
        var wouldCall = reply.IndexOf("; would call ", StringComparison.Ordinal);
        Assert.True(wouldCall > 0, reply);
        var (consulted, recorded) = (reply[..wouldCall], reply[wouldCall..]);
        Assert.Contains("list_allowed_directories", consulted);
        Assert.Contains("read_file", consulted);
        Assert.DoesNotContain("write_file", consulted);
        Assert.DoesNotContain("move_file", consulted);
        Assert.Contains("write_file", recorded);
        Assert.Contains("move_file", recorded);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(_folder, "notes.txt")));
    }

    [McpServerFact]
    public async Task McpServer_RouteFallsBackToTheMock_TheMockCallsNoToolThatWrites()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.txt"), "keep me");
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["flaky"] = new ScriptedChatClient((_, _, _, _) => throw new InvalidOperationException("down"));
            o.Routes.Add(new RouteDescriptor("r", RouteStrategy.Fallback, ["flaky", "offline"]));
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("writer", [], "string", null, "r", TestSupport.Template("write notes.txt and move it"), Tools: ["files"]);

        var reply = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None);

        Assert.False(string.IsNullOrWhiteSpace(reply!.GetValue<string>()));
        Assert.Single(McpServers.ProcessesWith(_folder)); // started: flaky, a real model, might have called it
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(_folder, "notes.txt")));
    }

    [Fact]
    public async Task McpServer_CommandNotFound_FailsNamingTheBlockAndTheCommand()
    {
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = new ScriptedChatClient("unused");
            o.McpServers.Add(new McpDescriptor("files", "atlas-no-such-mcp-server", ["--root", "docs"], WorkingDirectory: _folder));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("hi"), Tools: ["files"]);

        var error = await Assert.ThrowsAsync<McpServerException>(() => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None));

        Assert.Equal("files", error.Server);
        Assert.StartsWith("mcp 'files': could not start `atlas-no-such-mcp-server --root docs`", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task McpServer_ExitsAtOnce_FailsWithItsStandardError()
    {
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = new ScriptedChatClient("unused");
            o.McpServers.Add(new McpDescriptor("broken", "sh", ["-c", "echo 'cannot open config.json' >&2; exit 3"], WorkingDirectory: _folder));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("hi"), Tools: ["broken"]);

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<McpServerException>(() => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
        Assert.StartsWith("mcp 'broken': could not start `sh -c", error.Message);
        Assert.Contains("cannot open config.json", error.Message);
    }

    [Fact]
    public async Task McpServer_NeverAnswers_FailsAfterTheStartTimeoutAndLeavesNoProcess()
    {
        var marker = "4242." + Random.Shared.Next(100_000, 999_999); // sleep's argument: unique, so only this test's process matches
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = new ScriptedChatClient("unused");
            o.McpServers.Add(new McpDescriptor("silent", "sleep", [marker], WorkingDirectory: _folder, StartTimeout: TimeSpan.FromSeconds(1)));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("hi"), Tools: ["silent"]);

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<McpServerException>(() => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
        Assert.Equal($"mcp 'silent': could not start `sleep {marker}` in {_folder}: it did not complete the MCP handshake within 1s", error.Message);
        await TestSupport.WaitUntil(() => McpServers.ProcessesWith("sleep " + marker).Count == 0, timeoutMs: 10_000);
    }

    [McpServerFact] // Linux: a shell script as the server
    public async Task McpServer_CommandWithAPath_IsRelativeToTheWorkingDirectory()
    {
        var script = Path.Combine(_folder, "server.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho \"relative server started in $(pwd)\" >&2\nexit 4\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.BaseDirectory = _folder;
            o.ChatClients["model"] = new ScriptedChatClient("unused");
            o.McpServers.Add(new McpDescriptor("local", "./server.sh", []));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("hi"), Tools: ["local"]);

        var error = await Assert.ThrowsAsync<McpServerException>(() => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None));

        Assert.Contains($"(stderr: relative server started in {_folder})", error.Message);
    }

    [McpServerFact]
    public async Task McpServer_ToolWithTheNameOfADeclaredTool_FailsTheCallNamingBoth()
    {
        Assert.True(McpServers.Installed, $"The MCP server is missing ({McpServers.FilesystemServerScript}): .ci/run installs it with .ci/mcp-servers.sh.");
        await using var runtime = TestSupport.Runtime(o =>
        {
            o.ChatClients["model"] = new ScriptedChatClient("unused");
            o.Tools["read_text_file"] = Microsoft.Extensions.AI.AIFunctionFactory.Create((string path) => "mine", "read_text_file");
            o.McpServers.Add(McpServers.Filesystem("files", _folder));
        });
        var agent = new AgentDescriptor("reader", [], "string", null, "model", TestSupport.Template("hi"), Tools: ["read_text_file", "files"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAgentAsync(agent, TestSupport.Args(), null, CancellationToken.None));

        Assert.Equal("agent 'reader' is offered two tools named 'read_text_file' (from tool 'read_text_file' and mcp 'files'); list only one of them", error.Message);
    }

    [Fact]
    public void McpServer_NameOfATool_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TestSupport.Runtime(o =>
        {
            o.Tools["files"] = Microsoft.Extensions.AI.AIFunctionFactory.Create(() => "x", "files");
            o.McpServers.Add(new McpDescriptor("files", "node", []));
        }));
        Assert.Contains("MCP server 'files' has the name of another MCP server or tool", error.Message);
    }
}
