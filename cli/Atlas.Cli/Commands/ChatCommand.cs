using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Telemetry;
using Atlas.Cli.Tools;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas chat FILE --agent NAME</c>: a streaming REPL with an agent whose one parameter is a
/// string. Each line you type is that parameter; the reply streams to stdout. Earlier turns go
/// into the prompt (before the agent's own prompt) so the agent sees the conversation.
/// </summary>
/// <remarks>
/// Commands: <c>/exit</c>, <c>/reset</c> (forget the conversation), <c>/model NAME</c> (another
/// provider or route), <c>/help</c>. End of input exits cleanly. Replies go to stdout, everything
/// else to stderr, so a piped session's stdout is just the replies, one a line.
/// </remarks>
public static class ChatCommand
{
    public const string Name = "chat";
    private const string CommandName = AtlasCli.Name + " " + Name;
    private const string HelpText = "/exit quits · /reset forgets the conversation · /model NAME switches provider or route · /help shows this";

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas chat examples/dispatch/dispatch.atlas --agent tech_specialist",
        "echo \"Sync stalls on my laptop\" | atlas chat examples/dispatch/dispatch.atlas --agent tech_specialist   # one turn, reply on stdout",
    ];

    public const string ExitCodesHelp = "0 the chat ended (/exit or end of input), 1 the files have errors, 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together." };
        var agent = new Option<string>("--agent", "-a") { Description = "The agent to chat with; it must take one string parameter.", Required = true, HelpName = "NAME" };
        var tools = new Option<string[]>("--tools") { Description = ProjectTools.OptionHelp, HelpName = "PATH.dll" };
        var otlp = CliTelemetry.OtlpOption();
        var verbose = CliTelemetry.VerboseOption();
        var command = new Command(Name, "Chat with an agent: each line is its string parameter, replies stream as they arrive. " + HelpText + ".")
        {
            file, agent, tools, otlp, verbose,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // Flushed on every way out (an error, Ctrl+C too), waiting a bounded time for the collector.
            using var telemetry = CliTelemetry.Start(parseResult.GetValue(otlp), parseResult.GetValue(verbose), environment, CommandName);
            return await ExecuteAsync(parseResult.GetValue(file)!, parseResult.GetValue(agent)!, parseResult.GetValue(tools), telemetry.Apply(environment), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExecuteAsync(string path, string agentName, IReadOnlyList<string>? toolPaths, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var project = AtlasProject.Load(path, environment, CommandName);
        if (project is null) return ExitCodes.Errors;
        var model = project.Program.Model;
        if (!project.Program.HasAgent(agentName))
        {
            throw new UsageException(
                $"{CommandName}: no agent '{agentName}' in {project.DisplayPath}; " +
                (model.Agents.Count == 0 ? "it declares none" : "it has " + string.Join(", ", model.Agents.Select(a => a.Name))));
        }

        var agent = project.Program.AgentModel(agentName);
        if (agent.Parameters is not [{ Type: { Kind: TypeKind.String, IsList: false } } parameter])
        {
            throw new UsageException(
                $"{CommandName}: agent '{agentName}' takes ({string.Join(", ", agent.Parameters.Select(p => p.Name + ": " + p.Type))}); " +
                "atlas chat needs an agent with one string parameter for your lines");
        }

        ProjectTools.Load(project, toolPaths, CommandName);
        var requirements = ToolRequirements.ForAgent(model, agent);
        ProjectTools.Check(project, requirements, environment, CommandName);
        ProjectTools.Warn(project, requirements, environment, CommandName);
        var descriptor = project.Program.AgentDescriptor(agentName);
        var session = new ChatSession(descriptor, parameter.Name);
        var targets = model.Providers.Select(p => p.Name).Concat(model.Routes.Select(r => r.Name)).ToList();
        await using var runtime = project.CreateRuntime(environment);
        var error = environment.Error;
        error.WriteLine($"chat with {agentName} on {session.Model} · {HelpText}");

        while (true)
        {
            if (environment.InputIsTerminal) error.Write("you> ");
            var line = await environment.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null) break; // end of input
            line = line.Trim();
            if (line.Length == 0) continue;

            if (line.StartsWith('/'))
            {
                var (verb, argument) = Split(line);
                switch (verb)
                {
                    case "/exit" or "/quit":
                        return ExitCodes.Success;
                    case "/reset":
                        session.Reset();
                        error.WriteLine("conversation forgotten");
                        continue;
                    case "/model" when argument.Length == 0:
                        error.WriteLine($"model: {session.Model} (choose from {string.Join(", ", targets)})");
                        continue;
                    case "/model" when targets.Contains(argument, StringComparer.Ordinal):
                        session.Model = argument;
                        error.WriteLine("model: " + argument);
                        continue;
                    case "/model":
                        error.WriteLine($"no provider or route '{argument}'; choose from {string.Join(", ", targets)}");
                        continue;
                    case "/help":
                        error.WriteLine(HelpText);
                        continue;
                    default:
                        error.WriteLine($"unknown command {verb}; {HelpText}");
                        continue;
                }
            }

            await ReplyAsync(runtime, session, line, environment, cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task ReplyAsync(AtlasRuntime runtime, ChatSession session, string line, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        var step = runtime.CreateStepContext(session.AgentName, atlasEvent =>
        {
            if (!environment.ErrorIsTerminal) return;
            if (atlasEvent is ProviderSelected selected) environment.Error.WriteLine($"  → {selected.Provider} ({selected.Reason})");
            else if (atlasEvent is RetryScheduled retry) environment.Error.WriteLine($"  retry {retry.Attempt}: {retry.Reason}");
            else if (atlasEvent is DelegationStarted delegation) environment.Error.WriteLine($"  {delegation.From} ⇢ {delegation.To} {delegation.Arguments}");
            else if (atlasEvent is DelegationCompleted { Succeeded: false } refused) environment.Error.WriteLine($"  {refused.From} ⇠ {refused.To}: {refused.Error}");
            else if (atlasEvent is ToolCalled tool) environment.Error.WriteLine($"  {tool.Agent} ⚙ {(tool.Called ? "" : "would call ")}{tool.Tool} {tool.Arguments}" + (tool.Succeeded || !tool.Called ? "" : ": " + tool.Error));
        });
        try
        {
            await foreach (var chunk in runtime.StreamAgentAsync(session.Descriptor(), session.Arguments(line), step, cancellationToken).ConfigureAwait(false))
            {
                environment.Output.Write(chunk);
                await environment.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                reply.Append(chunk);
            }

            environment.Output.WriteLine();
            session.Remember(line, reply.ToString());
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failed turn is reported and the chat goes on; the turn is not remembered.
            if (reply.Length > 0) environment.Output.WriteLine();
            environment.Error.WriteLine("error: " + JsonText.OneLine(ex.Message));
        }
    }

    private static (string Verb, string Argument) Split(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line.ToLowerInvariant(), "") : (line[..space].ToLowerInvariant(), line[(space + 1)..].Trim());
    }

    /// <summary>One conversation: the turns so far, and the model chosen with /model.</summary>
    private sealed class ChatSession
    {
        private readonly AgentDescriptor _agent;
        private readonly string _parameter;
        private readonly string _historyName;
        private readonly List<(string User, string Assistant)> _turns = new();

        public ChatSession(AgentDescriptor agent, string parameter)
        {
            _agent = agent;
            _parameter = parameter;
            _historyName = parameter == "atlas_history" ? "atlas_history_" : "atlas_history";
            Model = agent.Model;
        }

        public string AgentName => _agent.Name;

        public string Model { get; set; }

        public void Reset() => _turns.Clear();

        public void Remember(string user, string assistant) => _turns.Add((user, assistant));

        /// <summary>The agent on the chosen model, its prompt preceded by the conversation so far.</summary>
        public AgentDescriptor Descriptor()
        {
            if (_turns.Count == 0) return _agent with { Model = Model };
            TemplateSegment[] history =
            [
                new TextSegment("Conversation so far:\n"),
                new LoopSegment("turn", [_historyName],
                [
                    new TextSegment("User: "),
                    new PathSegment(["turn", "user"]),
                    new TextSegment("\nAssistant: "),
                    new PathSegment(["turn", "assistant"]),
                    new TextSegment("\n"),
                ]),
                new TextSegment("\n"),
            ];
            return _agent with { Model = Model, Prompt = new PromptTemplate([.. history, .. _agent.Prompt.Segments]) };
        }

        public Dictionary<string, JsonNode?> Arguments(string line)
        {
            var turns = new JsonArray();
            foreach (var (user, assistant) in _turns) turns.Add(new JsonObject { ["user"] = user, ["assistant"] = assistant });
            return new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
            {
                [_parameter] = JsonValue.Create(line),
                [_historyName] = turns,
            };
        }
    }
}
