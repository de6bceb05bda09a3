using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Atlas.Compiler;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;
using Atlas.Generators.Diagnostics;
using AtlasDiagnostic = Atlas.Compiler.Diagnostics.Diagnostic;

namespace Atlas.Generators.Pipeline;

/// <summary>
/// What the front-end made of all the project's Atlas files: the model (null when there are
/// errors or no files: nothing is emitted then) and every diagnostic. Equatable, so a whitespace edit that
/// leaves model and diagnostics equal stops the pipeline here.
/// </summary>
internal sealed record CompileOutput(AtlasModel? Model, EquatableArray<AtlasDiagnostic> Diagnostics)
{
    public static CompileOutput Compile(ImmutableArray<ParsedSource> inputs, CancellationToken cancellationToken) =>
        Compile(inputs, null, cancellationToken);

    /// <summary>Compiles the files; with <paramref name="references"/>, also checks that the packages generated code needs are referenced (ATL2031).</summary>
    public static CompileOutput Compile(ImmutableArray<ParsedSource> inputs, ReferencedPackages? references, CancellationToken cancellationToken)
    {
        var diagnostics = new List<AtlasDiagnostic>();
        try
        {
            var files = new List<ParsedFile>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            // Path order, so results do not depend on the order of the AdditionalFiles items; a
            // path listed twice (by the props' glob and by hand) is read once.
            foreach (var input in inputs.OrderBy(i => i.Path, StringComparer.Ordinal))
            {
                if (!seen.Add(input.Path)) continue;
                if (input.ReadError is not null)
                {
                    diagnostics.Add(RoslynDiagnosticAdapter.InternalError("could not read it (" + input.ReadError + ")", input.Path));
                }
                else if (input.File is not null)
                {
                    files.Add(input.File);
                }
            }

            // No Atlas files, no generated code: a project that gets the generator transitively
            // (buildTransitive) without using Atlas must compile as if it were not there.
            if (files.Count == 0) return new CompileOutput(null, diagnostics.ToEquatableArray());

            var host = references is null ? null : new CompilationHost { References = references.Contains };
            var result = AtlasCompiler.Compile(files, host, cancellationToken);
            diagnostics.AddRange(result.Diagnostics);
            bool hasErrors = diagnostics.Any(d => d.IsError);
            return new CompileOutput(hasErrors ? null : result.Model, diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnostics.Add(RoslynDiagnosticAdapter.InternalError(ex, "compiling", inputs.IsDefaultOrEmpty ? null : inputs[0].Path));
            return new CompileOutput(null, diagnostics.ToEquatableArray());
        }
    }
}
