using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Compiler.Text;
using Atlas.Runtime;

namespace Atlas.Interpreter.Tests;

/// <summary>The library as a host uses it: compile Atlas text or files, then run a workflow on a runtime, offline on the mock.</summary>
public sealed class AtlasInterpreterTests
{
    private const string Types = """
        enum Category { billing, bug, other }

        type Ticket {
          id:      string
          subject: string
          body:    string
        }

        type Triage {
          category: Category
          urgency:  int
          tags:     string[]
          owner:    string?
        }
        """;

    private const string Flow = """
        provider offline {
          kind = mock
        }

        agent classifier(ticket: Ticket) -> Triage {
          model  = offline
          prompt = "Subject: {{ticket.subject}}"
        }

        workflow triage(ticket: Ticket) -> Triage {
          result = classifier(ticket)
          return result
        }
        """;

    private static readonly JsonNode Ticket = JsonNode.Parse("""{"id": "T-1", "subject": "Refund", "body": "I was charged twice."}""")!;

    [Fact]
    public void CompileText_WithAnError_GivesTheDiagnosticWithLineAndColumn_AndNoProgram()
    {
        var compilation = AtlasInterpreter.CompileText(Types + "\n" + Flow.Replace("return result", "return result.categry", StringComparison.Ordinal), "flow.atlas");

        Assert.True(compilation.HasErrors);
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal("ATL2002", error.Id);
        Assert.Equal("flow.atlas", error.Location.Path);
        var line = (Types + "\n" + Flow).Split('\n').ToList().FindIndex(l => l.Contains("return result", StringComparison.Ordinal)) + 1;
        Assert.Equal(line, error.Location.Start.Line);
        Assert.Equal("  return result.".Length + 1, error.Location.Start.Column);
        Assert.Contains("did you mean `category`?", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"flow.atlas({line},17): error ATL2002: ", error.ToString(), StringComparison.Ordinal);

        var noProgram = Assert.Throws<InvalidOperationException>(() => compilation.Program);
        Assert.Contains(error.ToString(), noProgram.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OnTheMock_ReturnsAValueOfTheDeclaredType()
    {
        var program = AtlasInterpreter.CompileText(Types + "\n" + Flow).Program;
        await using var runtime = Runtime(program);

        var result = await program.Workflow("triage").RunAsync(runtime, Ticket);

        var triage = Assert.IsType<JsonObject>(result);
        Assert.Equal(["category", "urgency", "tags", "owner"], triage.Select(p => p.Key));
        Assert.Contains((string?)triage["category"], new[] { "billing", "bug", "other" });
        Assert.Equal(System.Text.Json.JsonValueKind.Number, triage["urgency"]!.GetValueKind());
        Assert.IsType<JsonArray>(triage["tags"]);
        // Canonical: conforming the result to its declared type again changes nothing.
        Assert.Equal(result!.ToJsonString(), program.Shapes.Conform(result, program.Model.Workflows.Single().Returns)!.ToJsonString());
    }

    [Fact]
    public async Task RunStreamingAsync_YieldsTheStepsEventsAndEndsWithASucceededRun()
    {
        var program = AtlasInterpreter.CompileText(Types + "\n" + Flow).Program;
        await using var runtime = Runtime(program);

        var events = new List<AtlasEvent>();
        await foreach (var atlasEvent in program.Workflow("triage").RunStreamingAsync(runtime, Ticket)) events.Add(atlasEvent);

        Assert.IsType<RunStarted>(events[0]);
        Assert.Contains(events, e => e is StepStarted { Step: "result" });
        Assert.Contains(events, e => e is ProviderSelected { Provider: "offline" });
        Assert.Contains(events, e => e is StepCompleted { Step: "result" });
        Assert.True(Assert.IsType<RunCompleted>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task CompileFiles_SeveralFiles_CompileTogetherAsOneNamespace()
    {
        var directory = Directory.CreateTempSubdirectory("atlas-interpreter-");
        try
        {
            var types = Path.Combine(directory.FullName, "types.atlas");
            var flow = Path.Combine(directory.FullName, "flow.atlas");
            var yaml = Path.Combine(directory.FullName, "more.atlas.yaml");
            await File.WriteAllTextAsync(types, Types);
            await File.WriteAllTextAsync(flow, Flow);
            await File.WriteAllTextAsync(yaml, """
                workflows:
                  urgency:
                    params: { ticket: Ticket }
                    returns: int
                    steps:
                      triaged: triage(ticket)
                    return: triaged.urgency
                """);

            var compilation = AtlasInterpreter.CompileFiles([types, flow, yaml]);

            Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
            Assert.Equal(["triage", "urgency"], compilation.Program.WorkflowNames);
            await using var runtime = Runtime(compilation.Program);
            var urgency = await compilation.Program.Workflow("urgency").RunAsync(runtime, Ticket);
            Assert.Equal(System.Text.Json.JsonValueKind.Number, urgency!.GetValueKind());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Compile_AnErrorInOneOfSeveralSources_IsReportedAtThatSource()
    {
        var flow = Flow.Replace("classifier(ticket: Ticket)", "classifier(ticket: Tiket)", StringComparison.Ordinal);

        var compilation = AtlasInterpreter.Compile([new SourceFile("types.atlas", Types), new SourceFile("flow.atlas", flow)]);

        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal("flow.atlas(5,26): error ATL2014: Type `Tiket` is not declared; did you mean `Ticket`?", error.ToString());
    }

    [Fact]
    public void CompileFiles_NotUtf8_IsAnExceptionNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"atlas-interpreter-{Guid.NewGuid():N}.atlas");
        File.WriteAllBytes(path, [(byte)'#', (byte)' ', 0xE9, (byte)'\n']);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => AtlasInterpreter.CompileFiles([path]));
            Assert.Contains($"'{path}' is not valid UTF-8", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CompileFiles_AFifoOrADevice_IsRefusedWithoutOpeningIt()
    {
        var fifo = Path.Combine(Path.GetTempPath(), $"atlas-interpreter-{Guid.NewGuid():N}.atlas");
        Assert.Equal(0, Mkfifo(fifo, 0x180));
        try
        {
            // Opening a FIFO for reading would wait for a writer forever: the check comes first, and the test ends.
            var error = await Task.Run(() => Assert.Throws<InvalidDataException>(() => AtlasInterpreter.CompileFiles([fifo]))).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal($"'{fifo}' is not a regular file (it is a FIFO)", error.Message);
            Assert.Equal("'/dev/zero' is not a regular file (it is a character device)", Assert.Throws<InvalidDataException>(() => AtlasInterpreter.CompileFiles(["/dev/zero"])).Message);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void CompileFiles_LargerThan16MB_IsRefusedBeforeItIsRead()
    {
        var path = Path.Combine(Path.GetTempPath(), $"atlas-interpreter-{Guid.NewGuid():N}.atlas");
        using (var file = File.Create(path)) file.SetLength(AtlasInterpreter.MaxSourceBytes + 1L);
        try
        {
            Assert.Equal($"'{path}' is larger than 16 MB, the limit for an Atlas file", Assert.Throws<InvalidDataException>(() => AtlasInterpreter.CompileFiles([path])).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo(string path, uint mode);

    [Theory]
    [InlineData("""{"id": "T-1", "body": "b"}""", "field \"subject\" is missing")]
    [InlineData("""{"id": "T-1", "subject": 7, "body": "b"}""", "\"subject\" must be a string, not a number (7)")]
    [InlineData("""["T-1"]""", "the value must be a Ticket (an object), not a list")]
    [InlineData("""{"id": "T-1", "subjct": "Refund", "subject": "Refund", "body": "b"}""", "unknown field \"subjct\" (Ticket has id, subject, body)")]
    public async Task RunAsync_InputThatDoesNotFitTheParameter_ThrowsSayingWhereBeforeAnythingRuns(string input, string message)
    {
        var program = AtlasInterpreter.CompileText(Types + "\n" + Flow).Program;
        await using var runtime = Runtime(program);

        var error = await Assert.ThrowsAsync<JsonShapeException>(() => program.Workflow("triage").RunAsync(runtime, JsonNode.Parse(input)));
        Assert.Equal(message, error.Message);
        // Streaming checks the input when called, not on the first MoveNextAsync: no run is started.
        Assert.Throws<JsonShapeException>(() => program.Workflow("triage").RunStreamingAsync(runtime, JsonNode.Parse(input)));
    }

    private static AtlasRuntime Runtime(AtlasProgram program)
    {
        var options = new AtlasRuntimeOptions { GetEnvironmentVariable = _ => null };
        program.AddDeclarationsTo(options);
        return new AtlasRuntime(options);
    }
}
