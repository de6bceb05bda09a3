using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary>What <c>atlas run</c> shows on stderr while a workflow streams (the plain display, as in a log or a pipe).</summary>
public sealed partial class ProgressDisplayTests
{
    [Fact]
    public void Run_ParallelForItemsStreaming_EachLineHoldsOneItemsTextInFull()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", """
            provider offline {
              kind    = mock
              latency = 2ms
            }
            agent describe(name: string) -> string {
              model  = offline
              prompt = "Describe the city of {{name}} for a travel guide"
            }
            workflow guide(names: string[]) -> string[] {
              items = for n in names parallel 4 => describe(n)
              return items
            }
            """);

        var result = Cli.Offline("run", file, "--input", """["Lisbon", "Oslo", "Quito", "Hanoi", "Perth", "Accra"]""");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var replies = JsonNode.Parse(result.Stdout)!.AsArray().Select(r => r!.GetValue<string>()).ToArray();
        var tokenLines = result.StderrLines.Where(l => l.StartsWith("  [items", System.StringComparison.Ordinal)).ToArray();
        var byItem = tokenLines.Select(l => ItemLine().Match(l)).ToArray();
        Assert.All(byItem, (m, i) => Assert.True(m.Success, "not one item's line: " + tokenLines[i]));
        Assert.All(tokenLines, l => Assert.Single(ItemMarker().Matches(l)));
        for (var item = 1; item <= replies.Length; item++)
        {
            var text = string.Join("\n", byItem.Where(m => m.Groups[1].Value == item.ToString(System.Globalization.CultureInfo.InvariantCulture)).Select(m => m.Groups[2].Value));
            Assert.Equal(replies[item - 1], text);
        }
    }

    [Fact]
    public void Run_TheClosingLine_NamesTheSlowestStepOnTheCriticalPath()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("flow.atlas", """
            provider quick {
              kind    = mock
              latency = 1ms
            }
            provider slow {
              kind    = mock
              latency = 200ms
            }
            agent brief(text: string) -> string {
              model  = quick
              prompt = "Brief {{text}}"
            }
            agent ponder(text: string) -> string {
              model  = slow
              prompt = "Ponder {{text}}"
            }
            workflow think(text: string) -> string {
              first  = brief(text)
              aside  = brief(text)
              deep   = ponder(first)
              last   = brief(deep)
              return last
            }
            """);

        var result = Cli.Offline("run", file, "--input", "\"tides\"");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var closing = result.StderrLines[^1];
        Assert.True(Regex.IsMatch(closing, @"^done in .+ · bottleneck: deep [\d.]+ m?s, \d+% of the run \(critical path: first → deep → last\)$"), closing);
    }

    [GeneratedRegex(@"^  \[items #(\d+)\] (.*)$")]
    private static partial Regex ItemLine();

    [GeneratedRegex(@"\[items( #\d+)?\]")]
    private static partial Regex ItemMarker();
}
