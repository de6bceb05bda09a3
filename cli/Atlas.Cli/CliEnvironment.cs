using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Compiler;
using Atlas.Compiler.Text;
using Atlas.Runtime;

namespace Atlas.Cli;

/// <summary>
/// What a command reads and writes, and what it may know about the terminal and the
/// environment: the console for the real tool, writers and a fake environment for tests.
/// </summary>
public sealed record CliEnvironment
{
    public TextReader Input { get; init; } = TextReader.Null;

    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Whether stderr is a terminal: then progress is drawn with Spectre.Console, else written as plain lines.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Whether stdin is a terminal (<c>atlas chat</c> shows a prompt only then).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Whether SIGINT and SIGTERM cancel the command (the process's console; not a test calling in process).</summary>
    public bool HandlesSignals { get; init; }

    /// <summary>Reads environment variables (API keys); their values are never printed.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Replaces the front-end (tests).</summary>
    public Func<IReadOnlyList<SourceFile>, CompilationResult>? Compile { get; init; }

    /// <summary>
    /// The folder of Atlas packages the tool carries (<c>feed/</c> beside atlas.dll in the tool package), which
    /// <c>atlas new</c> names in the scaffold's nuget.config; absent in a build from source.
    /// </summary>
    public string PackageFeed { get; init; } = Path.Combine(AppContext.BaseDirectory, "feed");

    /// <summary>Runs last on every runtime's options (tests add chat clients of their own here).</summary>
    public Action<AtlasRuntimeOptions>? ConfigureRuntime { get; init; }

    /// <summary>The process's console.</summary>
    public static CliEnvironment FromConsole() => new()
    {
        Input = Console.In,
        Output = Console.Out,
        Error = Console.Error,
        ErrorIsTerminal = !Console.IsErrorRedirected,
        InputIsTerminal = !Console.IsInputRedirected,
        HandlesSignals = true,
    };
}
