using System.IO;
using System.Linq;
using Atlas.Cli.Commands;

namespace Atlas.Cli.Tests;

/// <summary>
/// <c>atlas check</c> against a stand-in front-end, so exit codes, output format and input
/// expansion are pinned independently of the parser and binder.
/// </summary>
public sealed class CheckCommandTests
{
    [Fact]
    public void Check_NoDiagnostics_PrintsSummaryAndExits0()
    {
        using var dir = new TempDirectory();
        dir.Write("flow.atlas", "enum A { x }");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "flow.atlas");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["checked 1 file: no errors"], result.StdoutLines);
        Assert.Equal("", result.Stderr);
        var file = Assert.Single(compiler.Files);
        Assert.Equal("flow.atlas", file.Path);
        Assert.Equal("enum A { x }", file.Text);
    }

    [Fact]
    public void Check_Errors_PrintsEachDiagnosticInCompilerFormatAndExits1()
    {
        using var dir = new TempDirectory();
        dir.Write("a.atlas");
        dir.Write("b.atlas");
        var compiler = new FakeCompiler(
            FakeCompiler.Error("a.atlas", 3, 14, "ATL2002", "`ticket` has no member `subjct`; did you mean `subject`?"),
            FakeCompiler.Error("b.atlas", 1, 1, "ATL0001", "Unexpected `}`"),
            FakeCompiler.Warning("b.atlas", 7, 6, "ATL2013", "type `Unused` is declared but never used"));

        var result = Cli.RunIn(dir.Path, compiler, "check", "a.atlas", "b.atlas");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                "a.atlas(3,14): error ATL2002: `ticket` has no member `subjct`; did you mean `subject`?",
                "b.atlas(1,1): error ATL0001: Unexpected `}`",
                "b.atlas(7,6): warning ATL2013: type `Unused` is declared but never used",
                "2 errors, 1 warning in 2 files",
            ],
            result.StdoutLines);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void Check_WarningsOnly_Exits0()
    {
        using var dir = new TempDirectory();
        dir.Write("a.atlas");
        var compiler = new FakeCompiler(FakeCompiler.Warning("a.atlas", 2, 1, "ATL2013", "tool `t` is declared but never used"));

        var result = Cli.RunIn(dir.Path, compiler, "check", "a.atlas");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            ["a.atlas(2,1): warning ATL2013: tool `t` is declared but never used", "0 errors, 1 warning in 1 file"],
            result.StdoutLines);
    }

    [Fact]
    public void Check_Directory_ExpandsRecursivelyToAtlasFilesSortedByPath()
    {
        using var dir = new TempDirectory();
        dir.Write("src/z.atlas");
        dir.Write("src/b/flow.atlas.yaml");
        dir.Write("src/b/more.atlas.yml");
        dir.Write("src/a.atlas");
        dir.Write("src/readme.md");
        dir.Write("src/notes.yaml");
        dir.Write("src/bin/Debug/copy.atlas");
        dir.Write("src/obj/copy.atlas");
        dir.Write("src/.hidden/copy.atlas");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "src");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            ["src/a.atlas", "src/b/flow.atlas.yaml", "src/b/more.atlas.yml", "src/z.atlas"],
            compiler.Files.Select(f => f.Path));
        Assert.Single(compiler.Calls);
        Assert.Equal(["checked 4 files: no errors"], result.StdoutLines);
    }

    [Fact]
    public void Check_FolderOfProjects_ChecksEachSubdirectoryOnItsOwn()
    {
        using var dir = new TempDirectory();
        dir.Write("examples/one/flow.atlas");
        dir.Write("examples/one/more/types.atlas");
        dir.Write("examples/one/docs/readme.md");
        dir.Write("examples/two/flow.atlas.yaml");
        dir.Write("examples/group/three/flow.atlas");
        dir.Write("examples/readme.md");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "examples/");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                ["examples/group/three/flow.atlas"],
                ["examples/one/flow.atlas", "examples/one/more/types.atlas"],
                ["examples/two/flow.atlas.yaml"],
            ],
            compiler.Calls.Select(files => files.Select(f => f.Path).ToArray()));
        Assert.Equal(["checked 4 files (3 projects): no errors"], result.StdoutLines);
    }

    [Fact]
    public void Check_FolderOfProjects_ReportsDiagnosticsOfEveryProject()
    {
        using var dir = new TempDirectory();
        dir.Write("examples/one/flow.atlas");
        dir.Write("examples/two/flow.atlas");
        var compiler = new FakeCompiler(FakeCompiler.Error("x.atlas", 1, 2, "ATL0001", "Unexpected `}`"));

        var result = Cli.RunIn(dir.Path, compiler, "check", "examples");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            ["x.atlas(1,2): error ATL0001: Unexpected `}`", "x.atlas(1,2): error ATL0001: Unexpected `}`", "2 errors, 0 warnings in 2 files (2 projects)"],
            result.StdoutLines);
    }

    [Fact]
    public void Check_NamedFilesAndDirectoriesWithOwnFiles_CompileTogether()
    {
        using var dir = new TempDirectory();
        dir.Write("src/types/types.atlas");
        dir.Write("src/flows/flows.atlas");
        dir.Write("main.atlas");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "main.atlas", "src/types", "src/flows");

        Assert.Equal(0, result.ExitCode);
        var project = Assert.Single(compiler.Calls);
        Assert.Equal(["main.atlas", "src/types/types.atlas", "src/flows/flows.atlas"], project.Select(f => f.Path));
    }

    [Fact]
    public void Check_DirectoryWithTrailingSlashOrDot_KeepsPathsAsGiven()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.atlas");
        var slash = new FakeCompiler();
        var dot = new FakeCompiler();

        Cli.RunIn(dir.Path, slash, "check", "src/");
        Cli.RunIn(Path.Combine(dir.Path, "src"), dot, "check", ".");

        Assert.Equal(["src/a.atlas"], slash.Files.Select(f => f.Path));
        Assert.Equal(["a.atlas"], dot.Files.Select(f => f.Path));
    }

    [Fact]
    public void Check_FileNamedTwice_IsCompiledOnce()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.atlas");
        dir.Write("src/b.atlas");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "src/b.atlas", "src", "./src/b.atlas");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["src/b.atlas", "src/a.atlas"], compiler.Files.Select(f => f.Path));
    }

    [Fact]
    public void Check_ExplicitFileWithAnyExtension_IsChecked()
    {
        using var dir = new TempDirectory();
        dir.Write("flow.txt");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "flow.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["flow.txt"], compiler.Files.Select(f => f.Path));
    }

    [Fact]
    public void Check_NoFiles_Exits2WithOneLine()
    {
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(null, compiler, "check");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("atlas check: no files given", line);
        Assert.Empty(compiler.Files);
    }

    [Fact]
    public void Check_MissingFile_Exits2WithOneLineNamingIt()
    {
        using var dir = new TempDirectory();
        dir.Write("a.atlas");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", "a.atlas", "nope.atlas");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(["atlas check: 'nope.atlas' does not exist"], result.StderrLines);
        Assert.Empty(compiler.Files);
    }

    [Fact]
    public void Check_DirectoryWithoutAtlasFiles_Exits2()
    {
        using var dir = new TempDirectory();
        dir.Write("empty/readme.md");

        var result = Cli.RunIn(dir.Path, new FakeCompiler(), "check", "empty");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["atlas check: 'empty' has no .atlas, .atlas.yaml or .atlas.yml files"], result.StderrLines);
    }

    [Theory]
    [InlineData("--strict")]
    [InlineData("-x")]
    public void Check_UnknownOption_Exits2WithOneLine(string option)
    {
        using var dir = new TempDirectory();
        dir.Write("a.atlas");
        var compiler = new FakeCompiler();

        var result = Cli.RunIn(dir.Path, compiler, "check", option, "a.atlas");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal([$"atlas check: unknown option '{option}' (see 'atlas check --help')"], result.StderrLines);
        Assert.Empty(compiler.Files);
    }

    [Theory]
    [InlineData(0, 0, 1, "checked 1 file: no errors")]
    [InlineData(0, 0, 3, "checked 3 files: no errors")]
    [InlineData(1, 0, 1, "1 error, 0 warnings in 1 file")]
    [InlineData(2, 1, 3, "2 errors, 1 warning in 3 files")]
    [InlineData(0, 2, 2, "0 errors, 2 warnings in 2 files")]
    public void Summarize_Counts_AreSingularOrPlural(int errors, int warnings, int files, string expected) =>
        Assert.Equal(expected, CheckCommand.Summarize(errors, warnings, files));

    [Theory]
    [InlineData(0, 0, 4, 4, "checked 4 files (4 projects): no errors")]
    [InlineData(1, 1, 3, 2, "1 error, 1 warning in 3 files (2 projects)")]
    public void Summarize_SeveralProjects_SaysHowMany(int errors, int warnings, int files, int projects, string expected) =>
        Assert.Equal(expected, CheckCommand.Summarize(errors, warnings, files, projects));
}
