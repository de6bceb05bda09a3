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
        "atlas check flow.atlas                      # one file",
        "atlas check examples/                       # every .atlas, .atlas.yaml, .atlas.yml under examples/",
        "atlas check types.atlas agents.atlas.yaml   # files that use each other's declarations",
    ];

    public const string ExitCodesHelp = "0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable input";

    public static Command Create(TextWriter stdout, TextWriter stderr, Func<IReadOnlyList<SourceFile>, CompilationResult>? compile = null)
    {
        var files = new Argument<string[]>("FILES")
        {
            Description = "Atlas files, or directories to search recursively for *.atlas, *.atlas.yaml and *.atlas.yml",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new Command(Name, "Check Atlas files for errors; all the files are compiled together as one namespace.")
        {
            files,
        };

        command.SetAction(parseResult => Execute(parseResult.GetValue(files) ?? [], stdout, stderr, compile));
        return command;
    }

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

        var inputs = AtlasFileSet.Expand(arguments, problems, commandName);
        var sources = new List<SourceFile>(inputs.Count);
        foreach (var input in inputs)
        {
            try
            {
                sources.Add(new SourceFile(input.DisplayPath, File.ReadAllText(input.FullPath)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{commandName}: cannot read '{input.DisplayPath}': {ex.Message}");
            }
        }

        if (problems.Count > 0)
        {
            foreach (var problem in problems) stderr.WriteLine(problem);
            return ExitCodes.Usage;
        }

        var result = compile is null ? AtlasCompiler.Compile(sources) : compile(sources);
        int errors = 0, warnings = 0;
        foreach (var diagnostic in result.Diagnostics)
        {
            if (diagnostic.IsError) errors++;
            else warnings++;
            stdout.WriteLine(diagnostic.ToString());
        }

        stdout.WriteLine(Summarize(errors, warnings, sources.Count));
        return errors > 0 ? ExitCodes.Errors : ExitCodes.Success;
    }

    /// <summary><c>2 errors, 1 warning in 3 files</c>, or <c>checked 3 files: no errors</c>.</summary>
    public static string Summarize(int errors, int warnings, int files)
    {
        var fileCount = Count(files, "file");
        if (errors == 0 && warnings == 0) return $"checked {fileCount}: no errors";
        return $"{Count(errors, "error")}, {Count(warnings, "warning")} in {fileCount}";
    }

    private static string Count(int n, string noun) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
}
