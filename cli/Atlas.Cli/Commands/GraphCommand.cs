using System.Collections.Generic;
using System.CommandLine;
using Atlas.Cli.Graph;
using Atlas.Compiler.Lowering;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas graph FILE [--workflow NAME] [--format mermaid|dot|plan]</c>: a workflow's dataflow graph, or its lowered plan, on stdout.</summary>
public static class GraphCommand
{
    public const string Name = "graph";
    private const string CommandName = AtlasCli.Name + " " + Name;

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas graph examples/support-triage/support.atlas --workflow support                # Mermaid, for Markdown",
        "atlas graph examples/support-triage/support.atlas -w support --format dot > support.dot   # then: dot -Tsvg support.dot",
        "atlas graph examples/support-triage/support.atlas -w support --format plan                # the lowered plan, with fingerprints",
    ];

    public const string ExitCodesHelp = "0 printed, 1 the files have errors, 2 bad usage";

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "An .atlas or .atlas.yaml file, or a directory whose Atlas files compile together." };
        var workflow = new Option<string?>("--workflow", "-w") { Description = "The workflow to draw; needed only when the file declares several.", HelpName = "NAME" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "mermaid (a flowchart for Markdown), dot (Graphviz), or plan (the lowered plan every back-end runs, node by node with fingerprints).",
            DefaultValueFactory = _ => "mermaid",
            HelpName = "mermaid|dot|plan",
        };
        format.AcceptOnlyFromAmong("mermaid", "dot", "plan");

        var command = new Command(Name, "Print a workflow's dataflow graph: parameters, steps with their kinds, switch arms with their cases, for-loops with their parallelism, the routes and providers its agents use, and the tools and agents those may call.")
        {
            file, workflow, format,
        };
        command.SetAction(parseResult =>
        {
            var project = AtlasProject.Load(parseResult.GetValue(file)!, environment, CommandName);
            if (project is null) return ExitCodes.Errors;
            var selected = project.SelectWorkflow(parseResult.GetValue(workflow), CommandName);
            var diagram = WorkflowDiagram.Build(project.Program.Plan, selected.Plan);
            environment.Output.Write(parseResult.GetValue(format) switch
            {
                "dot" => DotWriter.Write(diagram),
                "plan" => PlanPrinter.Print(selected.Plan),
                _ => MermaidWriter.Write(diagram),
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
