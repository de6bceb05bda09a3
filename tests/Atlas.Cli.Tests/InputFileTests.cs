using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace Atlas.Cli.Tests;

/// <summary>
/// What the CLI reads from outside — Atlas files, <c>--input @file</c>, <c>--batch</c>, <c>--tools</c> — is a regular file
/// of at most 16 MB in UTF-8, or one line saying why not (exit 2): never a hang on a FIFO, never an endless device read.
/// </summary>
public sealed class InputFileTests
{
    private const string IdFlow = """
        type Note {
          id:   string
          text: string
        }
        workflow pick(note: Note) -> string {
          return note.id
        }
        """;

    [Fact]
    public void Check_Fifo_IsNotARegularFileAndDoesNotHang()
    {
        if (!OperatingSystem.IsLinux()) return; // FIFOs as mkfifo makes them
        using var dir = new TempDirectory();
        var fifo = MakeFifo(dir, "flow.atlas");

        var result = WithinSeconds(30, () => Cli.Run("check", fifo));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"atlas check: '{fifo}' is not a regular file (it is a FIFO)"], result.StderrLines);
    }

    [Fact]
    public void Run_FifoOrDeviceWhereAFileIsExpected_OneLineEach()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", IdFlow);
        var fifo = MakeFifo(dir, "ticket.json");
        var zero = Path.Combine(dir.Path, "zero.atlas");
        File.CreateSymbolicLink(zero, "/dev/zero");
        var random = Path.Combine(dir.Path, "random.json");
        File.CreateSymbolicLink(random, "/dev/urandom");
        var folder = dir.CreateDirectory("folder.json");
        const string input = """{"id": "1", "text": "t"}""";

        var cases = new (string[] Args, string Line)[]
        {
            (["run", flow, "-i", "@" + fifo], $"atlas run: --input file '{fifo}' is not a regular file (it is a FIFO)"),
            (["run", flow, "-i", "@" + random], $"atlas run: --input file '{random}' is not a regular file (it is a character device)"),
            (["run", flow, "-i", "@" + folder], $"atlas run: --input file '{folder}' is not a regular file (it is a directory)"),
            (["run", flow, "--batch", fifo], $"atlas run: --batch file '{fifo}' is not a regular file (it is a FIFO)"),
            (["run", flow, "--batch", folder], $"atlas run: --batch file '{folder}' is not a regular file (it is a directory)"),
            (["run", flow, "-i", input, "--tools", zero], $"atlas run: --tools '{zero}' is not a regular file (it is a character device)"),
            (["run", zero, "-i", input], $"atlas run: '{zero}' is not a regular file (it is a character device)"),
            (["graph", zero], $"atlas graph: '{zero}' is not a regular file (it is a character device)"),
            (["providers", fifo], $"atlas providers: '{fifo}' is not a regular file (it is a FIFO)"),
            (["ingest", zero], $"atlas ingest: '{zero}' is not a regular file (it is a character device)"),
            (["check", zero], $"atlas check: '{zero}' is not a regular file (it is a character device)"),
        };

        foreach (var (args, line) in cases)
        {
            var result = WithinSeconds(30, () => Cli.Offline(args));
            Assert.True(result.ExitCode == 2, string.Join(" ", args) + ": " + result.Stderr);
            Assert.Equal([line], result.StderrLines);
        }
    }

    [Fact]
    public void Check_AtlasFileInAFolderIsADevice_OneLine()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        dir.Write("src/a.atlas", "type A { n: string }\n");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "src", "b.atlas"), "/dev/urandom");

        var result = WithinSeconds(30, () => Cli.RunIn(dir.Path, null, "check", "src"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["atlas check: 'src/b.atlas' is not a regular file (it is a character device)"], result.StderrLines);
    }

    [Fact]
    public void Check_SourceLargerThanTheLimit_OneLine()
    {
        using var dir = new TempDirectory();
        var big = Sparse(dir, "big.atlas", InputFiles.MaxBytes + 1L);

        var result = Cli.Run("check", big);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"atlas check: '{big}' is larger than 16 MB, the limit for an Atlas file"], result.StderrLines);
    }

    [Fact]
    public void Run_InputFileLargerThanTheLimit_OneLineWithoutReadingIt()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", IdFlow);
        var huge = Sparse(dir, "huge.json", 100L * 1024 * 1024);

        var result = Cli.Offline("run", flow, "-i", "@" + huge);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"atlas run: --input file '{huge}' is larger than 16 MB, the limit for an input"], result.StderrLines);
    }

    [Fact]
    public void Run_InputFileJustUnderTheLimit_Runs()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", IdFlow);
        const string prefix = "{\"id\": \"big\", \"text\": \"";
        var text = new string('x', InputFiles.MaxBytes - prefix.Length - 2);
        var input = dir.Write("input.json", prefix + text + "\"}");
        Assert.Equal(InputFiles.MaxBytes, new FileInfo(input).Length);

        var result = Cli.Offline("run", flow, "-i", "@" + input);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("\"big\"\n", result.Stdout);
    }

    [Fact]
    public void Check_Latin1File_InvalidUtf8WithItsPosition()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "latin.atlas");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("type A { n: string }\n# caf"), 0xE9, .. "\n"u8]);

        var result = Cli.Run("check", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"atlas check: {path}(2,6): invalid UTF-8 byte 0xE9; save the file as UTF-8"], result.StderrLines);
    }

    [Fact]
    public void Run_Latin1InputFile_InvalidUtf8WithItsPosition()
    {
        using var dir = new TempDirectory();
        var flow = dir.Write("flow.atlas", IdFlow);
        var input = Path.Combine(dir.Path, "ticket.json");
        // "ü" is two bytes in UTF-8 and one column: the column counts characters, as diagnostics do.
        File.WriteAllBytes(input, [.. "{\"id\": \"1\",\n \"text\": \"ü caf"u8, 0xE9, .. "\"}"u8]);

        var result = Cli.Offline("run", flow, "-i", "@" + input);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"atlas run: {input}(2,16): invalid UTF-8 byte 0xE9; save the file as UTF-8"], result.StderrLines);
    }

    [Fact]
    public void Check_ByteOrderMarks_StillRead()
    {
        using var dir = new TempDirectory();
        const string text = "type A { n: string }\nworkflow w(a: A) -> string {\n  return a.n\n}\n";
        File.WriteAllText(Path.Combine(dir.Path, "utf8bom.atlas"), text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        File.WriteAllText(Path.Combine(dir.Path, "utf16.atlas"), text.Replace("A", "B").Replace("workflow w", "workflow v"), Encoding.Unicode);

        var result = Cli.Run("check", dir.Path);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal("checked 2 files: no errors\n", result.Stdout);
    }

    [Fact]
    public void FindInvalidUtf8_FirstBadByteAndItsPosition()
    {
        byte[] text = [.. "ab\nc"u8, 0xC3, 0xA9, (byte)'d', 0xC3, (byte)'x'];

        Assert.Null(InputFiles.FindInvalidUtf8("plain ü text"u8));
        Assert.Equal(7, InputFiles.FindInvalidUtf8(text));
        Assert.Equal((2, 4), InputFiles.Position(text, 7));
        Assert.Equal("invalid UTF-8 byte 0xC3", InputFiles.InvalidByte(text, 7));
    }

    internal static string MakeFifo(TempDirectory dir, string name)
    {
        var path = Path.Combine(dir.Path, name);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo") { ArgumentList = { path } })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>A file of <paramref name="length"/> zero bytes that takes no disk space.</summary>
    internal static string Sparse(TempDirectory dir, string name, long length)
    {
        var path = Path.Combine(dir.Path, name);
        using var stream = File.Create(path);
        stream.SetLength(length);
        return path;
    }

    /// <summary>A hang fails the test instead of the run (a FIFO opened for reading waits for a writer forever).</summary>
    internal static CliResult WithinSeconds(int seconds, Func<CliResult> run)
    {
        var task = Task.Run(run);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"the command did not finish within {seconds} s");
        return task.Result;
    }
}
