using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Atlas.Compiler.Text;
using Atlas.Interpreter;
using Atlas.Runtime;

namespace Atlas.Cli;

/// <summary>
/// The project a command runs: one Atlas file, or a directory of files that compile together,
/// checked and made ready to run. Relative paths in it (knowledge sources, store files) start at
/// <see cref="BaseDirectory"/>: the file's folder, or the directory; so do MCP servers' working directories.
/// </summary>
internal sealed class AtlasProject
{
    private AtlasProject(AtlasProgram program, string baseDirectory, string displayPath, IReadOnlyList<AtlasInput> sources)
    {
        Program = program;
        Sources = sources;
        BaseDirectory = baseDirectory;
        DisplayPath = displayPath;
    }

    public AtlasProgram Program { get; }

    public string BaseDirectory { get; }

    public string DisplayPath { get; }

    /// <summary>The Atlas files it was compiled from (a command must never write over one).</summary>
    public IReadOnlyList<AtlasInput> Sources { get; }

    /// <summary>Implementations of declared tools from <c>--tools</c> assemblies, by tool name; added to every runtime it creates.</summary>
    public IReadOnlyDictionary<string, Microsoft.Extensions.AI.AIFunction> Tools { get; set; } = new Dictionary<string, Microsoft.Extensions.AI.AIFunction>();

    /// <summary>
    /// Reads and compiles <paramref name="path"/>; prints every diagnostic on stderr in the
    /// compiler's format. Returns null when there are errors (the caller exits with 1).
    /// </summary>
    /// <exception cref="UsageException">The path is missing, unreadable, holds no Atlas files or several projects.</exception>
    public static AtlasProject? Load(string path, CliEnvironment environment, string commandName)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException($"{commandName}: no file given");
        if (!File.Exists(path) && !Directory.Exists(path)) throw new UsageException($"{commandName}: '{path}' does not exist");

        var problems = new List<string>();
        var projects = AtlasFileSet.Expand([path], problems, commandName);
        if (problems.Count > 0) throw new UsageException(problems[0]);
        if (projects.Count != 1)
        {
            throw new UsageException(
                $"{commandName}: '{path}' holds {projects.Count} projects ({string.Join(", ", projects.Select(p => Path.GetDirectoryName(p[0].DisplayPath)))}); name one of them");
        }

        var files = new List<SourceFile>();
        foreach (var input in projects[0])
        {
            files.Add(new SourceFile(input.DisplayPath, InputFiles.ReadText(input.FullPath, input.DisplayPath, InputFiles.SourceLimitFor, commandName)));
        }

        // The CLI's own reading (limits, strict UTF-8, one-line errors) above; compiling is the library's.
        var compilation = environment.Compile is { } compile ? new AtlasCompilation(compile(files)) : AtlasInterpreter.Compile(files);
        var errors = 0;
        foreach (var diagnostic in compilation.Diagnostics)
        {
            if (diagnostic.IsError) errors++;
            environment.Error.WriteLine(diagnostic.ToString());
        }

        if (errors > 0)
        {
            environment.Error.WriteLine($"{commandName}: {errors} error{(errors == 1 ? "" : "s")} in {path}; nothing was run");
            return null;
        }

        var full = Path.GetFullPath(path);
        var baseDirectory = File.Exists(full) ? Path.GetDirectoryName(full)! : full;
        return new AtlasProject(compilation.Program, baseDirectory, path, projects[0]);
    }

    /// <summary>A runtime for the project's declarations; offline-capable (a provider without its key is unavailable, routes fall through).</summary>
    public AtlasRuntime CreateRuntime(CliEnvironment environment, IRunStore? store = null, IHumanInput? humans = null)
    {
        var options = new AtlasRuntimeOptions
        {
            BaseDirectory = BaseDirectory,
            GetEnvironmentVariable = environment.GetEnvironmentVariable,
            RunStore = store,
            HumanInput = humans,
            CaptureMessageContent = string.Equals(environment.GetEnvironmentVariable(AtlasTelemetry.CaptureMessageContentVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase),
        };
        Program.AddDeclarationsTo(options);
        options.UseEveryPackage();
        // Knowledge bases search their real stores (SQLite, ChromaDB) with MiniLM or a provider; see Knowledge/CliKnowledge.cs.
        options.KnowledgeFactory = Knowledge.CliKnowledge.For(this, environment, AtlasCli.Name);
        foreach (var (name, tool) in Tools) options.Tools[name] = tool;
        environment.ConfigureRuntime?.Invoke(options);
        return new AtlasRuntime(options);
    }

    /// <summary>
    /// The workflow to run: <paramref name="name"/>, or the only one.
    /// </summary>
    /// <exception cref="UsageException">No such workflow, none at all, or several and no name.</exception>
    public WorkflowInterpreter SelectWorkflow(string? name, string commandName)
    {
        var names = Program.WorkflowNames.ToList();
        if (name is not null)
        {
            if (Program.HasWorkflow(name)) return Program.Workflow(name);
            throw new UsageException(
                $"{commandName}: no workflow '{name}' in {DisplayPath}; " + (names.Count == 0 ? "it declares none" : $"it has {string.Join(", ", names)}"));
        }

        return names.Count switch
        {
            0 => throw new UsageException($"{commandName}: {DisplayPath} declares no workflow"),
            1 => Program.Workflow(names[0]),
            _ => throw new UsageException($"{commandName}: {DisplayPath} has {names.Count} workflows ({string.Join(", ", names)}); choose one with --workflow NAME"),
        };
    }
}
