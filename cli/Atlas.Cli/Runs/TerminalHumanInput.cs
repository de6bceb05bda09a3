using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;

namespace Atlas.Cli.Runs;

/// <summary>
/// Human steps asked on the terminal under <c>atlas run</c>: the prompt on stderr, the answer read from stdin (a
/// <c>bool</c> as y/n, an enum as a member's name, a record as JSON). An invalid answer is asked again with what is wrong;
/// the end of input (Ctrl+D) leaves the question unanswered, and the run waits in the store.
/// </summary>
internal sealed class TerminalHumanInput(CliEnvironment environment) : IHumanInput
{
    private readonly SemaphoreSlim _terminal = new(1, 1);

    public async Task<string?> AskAsync(HumanQuestion question, CancellationToken cancellationToken)
    {
        // Steps run concurrently: one question on the terminal at a time.
        await _terminal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
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
        }
        finally
        {
            _terminal.Release();
        }
    }

    private static string Hint(HumanQuestion question)
    {
        if (question.ResultSchema is null) return "(text)";
        var schema = JsonNode.Parse(question.ResultSchema) as JsonObject;
        if (schema?["type"]?.ToString() == "boolean") return "(y/n)";
        if (schema?["enum"] is JsonArray members) return "(" + string.Join("/", members) + ")";
        return $"(a {question.ResultTypeName} as JSON)";
    }
}
