using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Atlas.Compiler;
using Atlas.Compiler.Diagnostics;
using Atlas.Compiler.Model;

namespace Atlas.Interpreter;

/// <summary>
/// What compiling Atlas sources gave: every <see cref="Diagnostic"/> (errors and warnings, each with its path,
/// line and column) and, when there is no error, the <see cref="AtlasProgram"/> to run.
/// </summary>
/// <remarks>Immutable and thread-safe; <see cref="Program"/> is built once, on first use.</remarks>
public sealed class AtlasCompilation
{
    private readonly Lazy<AtlasProgram> _program;

    /// <summary>Wraps what the front-end returned (<see cref="AtlasCompiler.Compile(IEnumerable{Atlas.Compiler.Text.SourceFile}, CancellationToken)"/>).</summary>
    /// <param name="result">The bound model and its diagnostics.</param>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is null.</exception>
    public AtlasCompilation(CompilationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Model = result.Model;
        Diagnostics = result.Diagnostics;
        HasErrors = result.HasErrors;
        _program = new Lazy<AtlasProgram>(() => new AtlasProgram(Model), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Every diagnostic, sorted by path and position; print one with <see cref="Diagnostic.ToString"/> (<c>flow.atlas(3,14): error ATL2002: ...</c>).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>Whether any diagnostic is an error; then there is no <see cref="Program"/>.</summary>
    public bool HasErrors { get; }

    /// <summary>The bound model (declarations sorted by name); with errors, only what could be bound.</summary>
    public AtlasModel Model { get; }

    /// <summary>The program, ready to run.</summary>
    /// <exception cref="InvalidOperationException">The sources have errors (the message lists the first few).</exception>
    public AtlasProgram Program => HasErrors
        ? throw new InvalidOperationException(
            "The Atlas sources have errors, so there is no program to run:" + Environment.NewLine +
            string.Join(Environment.NewLine, Diagnostics.Where(d => d.IsError).Take(5)))
        : _program.Value;
}
