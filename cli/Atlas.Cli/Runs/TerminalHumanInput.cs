using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Display;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>
/// Human steps asked on the terminal under <c>atlas run</c>: the prompt on stderr, the answer read from stdin (a
/// <c>bool</c> as y/n, an enum as a member's name, a record as JSON). An invalid answer is asked again with what is wrong;
/// the end of input (Ctrl+D) leaves the question unanswered, and the run waits in the store.
/// </summary>
/// <remarks>The question takes the terminal from the run's live table (<see cref="RunProgress.WithTerminalAsync"/>) until it is answered.</remarks>
internal sealed class TerminalHumanInput(CliEnvironment environment, RunProgress progress) : IHumanInput
{
    // Steps run concurrently: the progress display hands the terminal to one question at a time.
    public Task<string?> AskAsync(HumanQuestion question, CancellationToken cancellationToken) =>
        progress.WithTerminalAsync(async () =>
        {
            var error = environment.Error;
            if (question.Problem is null)
            {
                error.WriteLine();
                error.WriteLine($"? {question.Human} (step {question.Step}):");
                error.WriteLine(question.Prompt);
            }
            else
            {
                error.WriteLine($"  {question.Problem}");
            }

            error.Write($"answer {Hint(question)}: ");
            error.Flush();

            // Console reads block; the run's cancellation (Ctrl+C) must not wait for a line.
            return await Task.Run(environment.Input.ReadLine, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        });

    private static string Hint(HumanQuestion question)
    {
        if (question.ResultSchema is null) return "(text)";
        var schema = JsonNode.Parse(question.ResultSchema) as JsonObject;
        if (schema?["type"]?.ToString() == "boolean") return "(y/n)";
        if (schema?["enum"] is JsonArray members) return "(" + string.Join("/", members) + ")";
        return $"(a {question.ResultTypeName} as JSON)";
    }
}
