using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using Atlas.Compiler;
using Atlas.Compiler.Text;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas check FILES...</c>: compiles the files together (one namespace) and prints each
/// diagnostic in the C# compiler's format, then a summary line.
/// </summary>
public static class CheckCommand
{
    public const string Name = "check";

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas check examples/support-triage/support.atlas   # one file (several files compile together)",
        "atlas check examples/dispatch/                      # every .atlas, .atlas.yaml, .atlas.yml under it, together",
        "atlas check examples/                               # a folder of projects: each example checked on its own",
    ];

    public const string ExitCodesHelp = "0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable input (a file that is not a regular file, larger than " + InputFiles.MaxText + " or not UTF-8)";

    public static Command Create(TextWriter stdout, TextWriter stderr, Func<IReadOnlyList<SourceFile>, CompilationResult>? compile = null)
    {
        var files = new Argument<string[]>("FILES")
        {
            Description = "Atlas files, or directories to search recursively for *.atlas, *.atlas.yaml and *.atlas.yml. " +
                          "They compile together as one namespace, except that a directory with no Atlas files of its own " +
                          "(a folder of projects, like examples/) checks each subdirectory that has some as a project of its own.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new Command(Name, "Check Atlas files for errors; the files of a project compile together as one namespace.")
        {
            files,
        };

        command.SetAction(parseResult => Execute(parseResult.GetValue(files) ?? [], stdout, stderr, compile));
        return command;
    }

    /// <summary>
    /// What `atlas check` can tell the front-end that `dotnet build` cannot: whether a knowledge base's sources glob matches
    /// a file (ATL2025), relative to the declaring file's folder; nothing is said when that folder is not there.
    /// </summary>
    internal static readonly CompilationHost SeesFiles = new()
    {
        SourcesMatch = (atlasFile, glob) => Atlas.Knowledge.KnowledgeSources.MatchesAny(Path.GetDirectoryName(Path.GetFullPath(atlasFile))!, glob),
    };

    /// <summary>Runs the check; returns the exit code. <paramref name="compile"/> defaults to <see cref="AtlasCompiler.Compile(IEnumerable{SourceFile}, System.Threading.CancellationToken)"/> (tests pass their own).</summary>
    public static int Execute(
        IReadOnlyList<string> arguments,
        TextWriter stdout,
        TextWriter stderr,
        Func<IReadOnlyList<SourceFile>, CompilationResult>? compile = null)
    {
        const string commandName = AtlasCli.Name + " " + Name;
        if (arguments.Count == 0)
        {
            stderr.WriteLine($"{commandName}: no files given; pass .atlas files or directories, e.g. 'atlas check examples/'");
            return ExitCodes.Usage;
        }

        var problems = new List<string>();
        foreach (var argument in arguments)
        {
            // System.CommandLine hands an unknown `--option` to the FILES argument; say what it is.
            if (argument.Length > 1 && argument[0] == '-' && !File.Exists(argument) && !Directory.Exists(argument))
            {
                stderr.WriteLine($"{commandName}: unknown option '{argument}' (see '{commandName} --help')");
                return ExitCodes.Usage;
            }
        }

        var projects = AtlasFileSet.Expand(arguments, problems, commandName);
        var sources = new List<List<SourceFile>>(projects.Count);
        foreach (var project in projects)
        {
            var files = new List<SourceFile>(project.Count);
            foreach (var input in project)
            {
                try
                {
                    files.Add(new SourceFile(input.DisplayPath, InputFiles.ReadText(input.FullPath, input.DisplayPath, InputFiles.SourceLimitFor, commandName)));
                }
                catch (UsageException ex)
                {
                    problems.Add(ex.Message);
                }
            }
            sources.Add(files);
        }

        if (problems.Count > 0)
        {
            foreach (var problem in problems) stderr.WriteLine(problem);
            return ExitCodes.Usage;
        }

        int errors = 0, warnings = 0, fileCount = 0;
        foreach (var files in sources)
        {
            fileCount += files.Count;
            var result = compile is null ? AtlasCompiler.Compile(files, SeesFiles) : compile(files);
            foreach (var diagnostic in result.Diagnostics)
            {
                if (diagnostic.IsError) errors++;
                else warnings++;
                stdout.WriteLine(diagnostic.ToString());
            }
        }

        stdout.WriteLine(Summarize(errors, warnings, fileCount, sources.Count));
        return errors > 0 ? ExitCodes.Errors : ExitCodes.Success;
    }

    /// <summary>
    /// <c>2 errors, 1 warning in 3 files</c>, or <c>checked 3 files: no errors</c>; with more
    /// than one project, <c>in 3 files (2 projects)</c>.
    /// </summary>
    public static string Summarize(int errors, int warnings, int files, int projects = 1)
    {
        var fileCount = Count(files, "file") + (projects > 1 ? " (" + Count(projects, "project") + ")" : "");
        if (errors == 0 && warnings == 0) return $"checked {fileCount}: no errors";
        return $"{Count(errors, "error")}, {Count(warnings, "warning")} in {fileCount}";
    }

    private static string Count(int n, string noun) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
}
