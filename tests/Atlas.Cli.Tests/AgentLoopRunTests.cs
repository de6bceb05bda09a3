using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas run</c> against an OpenAI-compatible server on 127.0.0.1 that misbehaves the way a model can:
/// it never stops asking for tools.
/// </summary>
public sealed class AgentLoopRunTests
{
    private const string Key = "sk-cli-chat-0123456789abcdef";

    private static string Provider(string endpoint) => $$"""
        provider remote {
          kind     = openai_compatible
          model    = "chat-model"
          endpoint = "{{endpoint}}"
          api_key  = env("CHAT_KEY")
          supports = [chat, tools, json, streaming]
        }

        """;

    internal static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Output = stdout,
            Error = stderr,
            GetEnvironmentVariable = name => name == "CHAT_KEY" ? Key : null,
        };
        var exitCode = AtlasCli.RunAsync(args, environment).GetAwaiter().GetResult();
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Run_ModelKeepsDelegating_FailsAfterMaxToolCalls_OneLineNamingTheLimit()
    {
        // The dispatcher's model asks for its delegate on every request, even the last, which offers no tools.
        await using var server = ChatServer.Start(r => r.Body.Contains("dispatcher works on", StringComparison.Ordinal)
            ? ChatReply.ToolCall($"call_{r.Index}", "billing", "{\"task\":\"refund A-17\"}")
            : ChatReply.Text("refund sent"));
        using var dir = new TempDirectory();
        dir.Write("loop.atlas", Provider(server.Endpoint) + """
            agent billing(task: string) -> string {
              model  = remote
              prompt = "billing works on: {{task}}"
            }

            agent dispatcher(task: string) -> string {
              model          = remote
              delegates      = [billing]
              max_tool_calls = 2
              prompt         = "dispatcher works on: {{task}}"
            }

            workflow ask(task: string) -> string {
              answer = dispatcher(task)
              return answer
            }
            """);
        var events = Path.Combine(dir.Path, "events.jsonl");

        var result = Run("run", Path.Combine(dir.Path, "loop.atlas"), "--input", "\"refund A-17\"", "--events", events);

        Assert.Equal(ExitCodes.Errors, result.ExitCode);
        Assert.Empty(result.Stdout);
        const string Limit = "agent 'dispatcher' made 2 tool-call rounds, its max_tool_calls, and its model still asked for more (billing) instead of answering; raise max_tool_calls, or check what the tools return";
        Assert.True(result.Stderr.EndsWith("\nerror: step 'answer' failed: " + Limit + "\n", StringComparison.Ordinal), result.Stderr);
        var failed = File.ReadAllLines(events).Select(l => AtlasEventJson.DeserializeEvent(l)!).OfType<StepFailed>().Single();
        Assert.Equal(("answer", Limit), (failed.Step, failed.Error));
        Assert.Equal(3 + 2, server.Requests.Count);
    }
}
