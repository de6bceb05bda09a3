using System;
using System.Text;
using Atlas.Compiler.Emit;
using Atlas.Compiler.Text;
using Atlas.Generators.Configuration;
using Atlas.Generators.Diagnostics;
using Atlas.Generators.Emit;
using Atlas.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using AtlasDiagnostic = Atlas.Compiler.Diagnostics.Diagnostic;

namespace Atlas.Generators;

/// <summary>
/// Turns a project's <c>.atlas</c>, <c>.atlas.yaml</c> and <c>.atlas.yml</c> AdditionalFiles into
/// C#: the shared front-end parses, binds and checks them; its diagnostics are reported at their
/// line and column in the Atlas file; a model without errors is planned into units and each unit
/// becomes one generated file.
/// </summary>
/// <remarks>
/// Pipeline (each step named in <see cref="TrackingNames"/>):
/// <code>
/// AdditionalTexts ─► Files (per file: path, text) ─► Parse (per file) ─► Collect ─┬─► Compile (model?, diagnostics)
///   Compilation ─► References (Atlas.Knowledge? MiniLM?) ─────────────────────────┘
///   Files ─► BaseDirectory (their common folder) ─► Options
///   Compile ─► Model ─┬─► Plan (units, failure) ─► Units (per unit) ─► source output
///   Options ──────────┘
///   Compile + Plan ─► Diagnostics ─► diagnostics output
/// </code>
/// Diagnostics and sources are separate outputs, so a whitespace edit re-reports diagnostics
/// without re-emitting, and an edit to one declaration re-emits only the units that changed.
/// The generator never throws: cancellation is rethrown, any other failure becomes ATL9001.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class AtlasGenerator : IIncrementalGenerator
{
    private readonly IAtlasEmitter _emitter;

    public AtlasGenerator()
        : this(CSharpAtlasEmitter.Instance)
    {
    }

    internal AtlasGenerator(IAtlasEmitter emitter) => _emitter = emitter;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static text => AtlasSourceInput.IsAtlasFile(text.Path))
            .Select(static (text, cancellationToken) => AtlasSourceInput.Read(text, cancellationToken))
            .WithTrackingName(TrackingNames.Files);

        var parsed = files
            .Select(static (input, cancellationToken) => ParsedSource.Parse(input, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        // Runs on every C# edit, but yields an equal value unless a reference Atlas cares about comes or goes.
        var references = context.CompilationProvider
            .Select(static (compilation, _) => ReferencedPackages.Of(compilation))
            .WithTrackingName(TrackingNames.References);

        var compiled = parsed.Collect()
            .Combine(references)
            .Select(static (pair, cancellationToken) => CompileOutput.Compile(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Compile);

        var baseDirectory = files
            .Select(static (input, _) => input.Path)
            .Collect()
            .Select(static (paths, _) => AtlasSourceInput.CommonFolder(paths))
            .WithTrackingName(TrackingNames.BaseDirectory);

        var properties = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => AtlasGeneratorOptions.Read(provider.GlobalOptions))
            .WithTrackingName(TrackingNames.Properties);

        // Runs on every C# edit, but yields an equal string, so nothing after it re-runs.
        var assemblyName = context.CompilationProvider
            .Select(static (compilation, _) => compilation.AssemblyName)
            .WithTrackingName(TrackingNames.AssemblyName);

        var options = properties.Combine(assemblyName).Combine(baseDirectory)
            .Select(static (pair, _) => pair.Left.Left.ToEmitOptions(pair.Left.Right) with { BaseDirectory = pair.Right })
            .WithTrackingName(TrackingNames.Options);

        var model = compiled
            .Select(static (output, _) => output.Model)
            .WithTrackingName(TrackingNames.Model);

        var emitter = _emitter;
        var plan = model.Combine(options)
            .Select((pair, cancellationToken) => EmitPlan.Create(pair.Left, pair.Right, emitter, cancellationToken))
            .WithTrackingName(TrackingNames.Plan);

        var diagnostics = compiled
            .Select(static (output, _) => output.Diagnostics)
            .Combine(plan.Select(static (p, _) => p.Diagnostics))
            .Select(static (pair, _) => pair.Left.Concat(pair.Right))
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (context, diagnostics) => Report(context, diagnostics));

        var units = plan
            .SelectMany(static (p, _) => p.Units.AsImmutableArray())
            .WithTrackingName(TrackingNames.Units);
        context.RegisterSourceOutput(units, (context, unit) => Emit(context, unit, emitter));
    }

    private static void Report(SourceProductionContext context, EquatableArray<AtlasDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                context.ReportDiagnostic(RoslynDiagnosticAdapter.ToRoslyn(diagnostic));
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                context.ReportDiagnostic(RoslynDiagnosticAdapter.ToRoslyn(
                    RoslynDiagnosticAdapter.InternalError(ex, "reporting " + diagnostic.Id)));
            }
        }
    }

    private static void Emit(SourceProductionContext context, EmitUnit unit, IAtlasEmitter emitter)
    {
        try
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var source = emitter.Emit(unit);
            context.AddSource(source.HintName, SourceText.From(source.Text, Encoding.UTF8));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            context.ReportDiagnostic(RoslynDiagnosticAdapter.ToRoslyn(
                RoslynDiagnosticAdapter.InternalError(ex, "emitting " + unit.HintName)));
        }
    }
}
