using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Commands;

namespace Atlas.Cli.Tests;

/// <summary>
/// Where <c>atlas run</c> writes: never over one of its inputs; batch results as whole lines (to stdout without
/// <c>--output</c>), and on SIGINT/SIGTERM a clean stop that says how many lines it wrote.
/// </summary>
public sealed class BatchOutputTests
{
    [Fact]
    public void Run_OutputThatIsAnInput_RefusedAndTheInputKept()
    {
        if (!OperatingSystem.IsLinux()) return; // hard links are told apart by device and inode (statx)
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", BatchTests.EchoFlow);
        var batch = dir.Write("victim.jsonl", BatchTests.Lines(3));
        var input = dir.Write("ticket.json", """{"id": "1", "text": "t"}""");
        var tools = dir.Write("Tools.dll", "not really an assembly: refused before it is loaded");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "link.jsonl"), batch);
        CreateHardLink(batch, Path.Combine(dir.Path, "hard.jsonl"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "sub"));
        var before = Snapshot(flow, batch, input, tools);

        var cases = new (string[] Args, string Line)[]
        {
            (["run", "flow.atlas", "--batch", "victim.jsonl", "--output", "victim.jsonl"],
                "atlas run: --output 'victim.jsonl' is the same file as the --batch file 'victim.jsonl'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "--batch", "victim.jsonl", "--output", "./sub/../victim.jsonl"],
                "atlas run: --output './sub/../victim.jsonl' is the same file as the --batch file 'victim.jsonl'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "--batch", "victim.jsonl", "--output", "link.jsonl"],
                "atlas run: --output 'link.jsonl' is the same file as the --batch file 'victim.jsonl'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "--batch", "link.jsonl", "--output", "hard.jsonl"],
                "atlas run: --output 'hard.jsonl' is the same file as the --batch file 'link.jsonl'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "--batch", "victim.jsonl", "--output", "out.jsonl", "--events", "flow.atlas"],
                "atlas run: --events 'flow.atlas' is the same file as the Atlas file 'flow.atlas'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "-i", "@ticket.json", "--events", "./ticket.json"],
                "atlas run: --events './ticket.json' is the same file as the --input file 'ticket.json'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "--batch", "victim.jsonl", "--output", "Tools.dll", "--tools", "Tools.dll"],
                "atlas run: --output 'Tools.dll' is the same file as the --tools assembly 'Tools.dll'; choose another output (nothing was written)"),
            (["run", "flow.atlas", "--batch", "victim.jsonl", "--output", "out.jsonl", "--events", "./out.jsonl"],
                "atlas run: --events './out.jsonl' and --output 'out.jsonl' are the same file; give each its own (nothing was written)"),
        };

        foreach (var (args, line) in cases)
        {
            var result = InDirectory(dir.Path, args);
            Assert.True(result.ExitCode == 2, string.Join(" ", args) + ": " + result.Stderr);
            Assert.Equal([line], result.StderrLines);
            Assert.Equal(before, Snapshot(flow, batch, input, tools));
        }

        Assert.False(File.Exists(Path.Combine(dir.Path, "out.jsonl")));
    }

    [Fact]
    public void Batch_WithoutOutput_WritesResultLinesToStdout()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", BatchTests.EchoFlow);
        var input = dir.Write("in.jsonl", BatchTests.Lines(50) + "{not json\n");

        var result = Cli.Offline("run", flow, "--batch", input, "--parallel", "4");

        Assert.Equal(1, result.ExitCode); // the last line failed
        var lines = result.StdoutLines;
        Assert.Equal(51, lines.Length);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString(CultureInfo.InvariantCulture)), lines.Take(50).Select(l => (string?)JsonNode.Parse(l)!["id"]));
        Assert.StartsWith("""{"line":51,"error":"not valid JSON: """, lines[50]);
        Assert.Contains("batch done: 51 lines · 50 ok · 1 failed", result.Stderr); // the summary stays on stderr
        Assert.DoesNotContain("batch", result.Stdout);

        var dash = Cli.Offline("run", flow, "--batch", input, "--output", "-");
        Assert.Equal(result.Stdout, dash.Stdout);
    }

    [Fact]
    public void Batch_EventsAndResultsBothOnStdout_Refused()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", BatchTests.EchoFlow);
        var input = dir.Write("in.jsonl", BatchTests.Lines(2));

        var result = Cli.Offline("run", flow, "--batch", input, "--events", "-");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["atlas run: with --batch, --events - and the results cannot both go to stdout; give --output FILE or --events FILE"], result.StderrLines);
    }

    [Fact]
    public void Batch_LineLongerThanTheLimitOrNotUtf8_IsAnErrorRecordAndTheRestGoOn()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", BatchTests.EchoFlow);
        var input = Path.Combine(dir.Path, "in.jsonl");
        using (var file = File.Create(input))
        {
            file.Write("""{"id": "a", "text": "first"}"""u8);
            file.Write("\n{\"id\": \"b\", \"text\": \""u8);
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
            for (var i = 0; i < 17; i++) file.Write(chunk); // 17 MB on one line
            file.Write("\"}\r\n"u8);
            file.Write([.. "{\"id\": \"c\", \"text\": \"caf"u8, 0xE9, .. "\"}\n"u8]);
            file.Write("""{"id": "d", "text": "last, with no line ending"}"""u8);
        }

        var output = Path.Combine(dir.Path, "out.jsonl");
        var result = Cli.Offline("run", flow, "--batch", input, "--output", output);

        Assert.Equal(1, result.ExitCode);
        var lines = File.ReadAllLines(output);
        Assert.Equal(4, lines.Length);
        Assert.Equal("a", (string?)JsonNode.Parse(lines[0])!["id"]);
        Assert.Equal("""{"line":2,"error":"the line is longer than 16 MB, the limit for a batch line"}""", lines[1]);
        Assert.Equal("""{"line":3,"error":"invalid UTF-8 byte 0xE9 at column 25"}""", lines[2]);
        Assert.Equal("d", (string?)JsonNode.Parse(lines[3])!["id"]);
        Assert.Contains("batch done: 4 lines · 2 ok · 2 failed", result.Stderr);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task Batch_Signal_StopsAfterWholeLinesAndSaysHowMany(string signal, int exitCode)
    {
        if (!OperatingSystem.IsLinux()) return; // kill(1), and env(1) to undo a SIGINT ignored by a background parent
        using var dir = new TempDirectory();
        // 20 ms a reply and 2 at a time: 20,000 lines take minutes, so the signal comes mid-way.
        var flow = dir.Write("flow.atlas", BatchTests.EchoFlow.Replace("latency = 0ms", "latency = 20ms"));
        var input = dir.Write("in.jsonl", BatchTests.Lines(20_000));
        var output = Path.Combine(dir.Path, "out.jsonl");
        var start = new ProcessStartInfo("env") { ArgumentList = { "--default-signal=INT", AtlasProcess.AppHost, "run", flow, "--batch", input, "--output", output, "--parallel", "2" } };
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (LineCount(output) < 5 && DateTime.UtcNow < deadline && !process.HasExited) await Task.Delay(50);
        if (process.HasExited) Assert.Fail("the batch ended before the signal: " + await stderr);
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"SIG{signal} did not stop the batch within a minute");
        }

        Assert.Equal(exitCode, process.ExitCode);
        var last = (await stderr).Replace("\r\n", "\n").TrimEnd('\n').Split('\n')[^1];
        var match = Regex.Match(last, @"^atlas run: cancelled after ([\d,]+) lines; '.*out\.jsonl' holds the results of the first \1 inputs, in order$");
        Assert.True(match.Success, last);
        var written = int.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        var text = File.ReadAllText(output);
        Assert.EndsWith("\n", text); // no line cut short
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(written, lines.Length);
        Assert.InRange(written, 5, 19_999);
        for (var i = 0; i < lines.Length; i++)
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), (string?)JsonNode.Parse(lines[i])!["id"]);
    }

    [Fact]
    public async Task Chat_SigtermWhileWaitingForInput_StopsAfterTheGracePeriod()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        var flow = dir.Write("chat.atlas", """
            provider offline {
              kind    = mock
              latency = 0ms
            }
            agent helper(question: string) -> string {
              model  = offline
              prompt = "Answer {{question}}"
            }
            """);
        // stdin stays open and silent: the read cannot see the cancellation token.
        var start = new ProcessStartInfo(AtlasProcess.AppHost) { ArgumentList = { "chat", flow, "--agent", "helper" } };
        start.RedirectStandardInput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // past startup, into the read
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail("SIGTERM did not stop atlas chat within 30 s");
        }

        Assert.Equal(143, process.ExitCode);
        Assert.EndsWith("atlas: cancelled\n", (await stderr).Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task JsonLineReader_LinesAcrossChunksEndingsAndTheLimit()
    {
        var text = new StringBuilder("\uFEFF{\"a\":1}\r\n\n  \t\n");
        text.Append(new string('y', 70_000)).Append('\n'); // longer than a read chunk
        text.Append('"').Append(new string('z', 99_998)).Append("\"\n");
        text.Append("[1]"); // no line ending
        using var reader = new JsonLineReader(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), 100_000);

        var lines = new System.Collections.Generic.List<(long Number, string Text, bool TooLong, bool Blank)>();
        while (await reader.ReadAsync(CancellationToken.None))
            lines.Add((reader.LineNumber, Encoding.UTF8.GetString(reader.Line.Span), reader.IsTooLong, reader.IsBlank));

        using var small = new JsonLineReader(new MemoryStream(Encoding.UTF8.GetBytes(new string('y', 70_000) + "\n[2]\n")), 1000);
        Assert.True(await small.ReadAsync(CancellationToken.None));
        Assert.True(small.IsTooLong);
        Assert.True(await small.ReadAsync(CancellationToken.None));
        Assert.Equal("[2]", Encoding.UTF8.GetString(small.Line.Span));
        Assert.False(await small.ReadAsync(CancellationToken.None));

        Assert.Equal(6, lines.Count);
        Assert.Equal((1L, "{\"a\":1}", false, false), lines[0]);
        Assert.Equal((2L, "", false, true), lines[1]);
        Assert.Equal((3L, "  \t", false, true), lines[2]);
        Assert.Equal((4L, new string('y', 70_000), false, false), lines[3]);
        Assert.Equal((5L, '"' + new string('z', 99_998) + '"', false, false), lines[4]);
        Assert.Equal((6L, "[1]", false, false), lines[5]);
    }

    private static CliResult InDirectory(string directory, string[] args)
    {
        lock (Cli.CurrentDirectoryLock)
        {
            var previous = Directory.GetCurrentDirectory();
            Directory.SetCurrentDirectory(directory);
            try
            {
                return Cli.Offline(args);
            }
            finally
            {
                Directory.SetCurrentDirectory(previous);
            }
        }
    }

    private static string Snapshot(params string[] paths) =>
        string.Join("\n", paths.Select(p => p + ":" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p)))));

    private static void CreateHardLink(string existing, string link)
    {
        using var ln = Process.Start(new ProcessStartInfo("ln") { ArgumentList = { existing, link } })!;
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    private static int LineCount(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var count = 0;
            int b;
            while ((b = stream.ReadByte()) >= 0) if (b == '\n') count++;
            return count;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
