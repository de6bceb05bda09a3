using System.Collections.Generic;
using System.CommandLine;
using Atlas.Cli.Graph;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas graph FILE [--workflow NAME] [--format mermaid|dot]</c>: a workflow's dataflow graph on stdout.</summary>
public static class GraphCommand
{
    public const string Name = "graph";
    private const string CommandName = AtlasCli.Name + " " + Name;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas graph examples/support-triage/support.atlas --workflow support                # Mermaid, for Markdown",
        "atlas graph examples/support-triage/support.atlas -w support --format dot > support.dot   # then: dot -Tsvg support.dot",
    ];

    public const string ExitCodesHelp = "0 printed, 1 the files have errors, 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together." };
        var workflow = new Option<string?>("--workflow", "-w") { Description = "The workflow to draw; needed only when the file declares several.", HelpName = "NAME" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "mermaid (a flowchart for Markdown) or dot (Graphviz).",
            DefaultValueFactory = _ => "mermaid",
            HelpName = "mermaid|dot",
        };
        format.AcceptOnlyFromAmong("mermaid", "dot");

        var command = new Command(Name, "Print a workflow's dataflow graph: parameters, steps with their kinds, switch arms with their cases, for-loops with their parallelism, and the routes and providers its agents use.")
        {
            file, workflow, format,
        };
        command.SetAction(parseResult =>
        {
            var project = AtlasProject.Load(parseResult.GetValue(file)!, environment, CommandName);
            if (project is null) return ExitCodes.Errors;
            var selected = project.SelectWorkflow(parseResult.GetValue(workflow), CommandName);
            var diagram = WorkflowDiagram.Build(project.Program.Model, selected.Model);
            environment.Output.Write(parseResult.GetValue(format) == "dot" ? DotWriter.Write(diagram) : MermaidWriter.Write(diagram));
            return ExitCodes.Success;
        });
        return command;
    }
}
