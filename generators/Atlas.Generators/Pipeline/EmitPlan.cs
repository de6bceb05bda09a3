using System;
using System.Threading;
using Atlas.Compiler.Emit;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;
using Atlas.Generators.Diagnostics;
using Atlas.Generators.Emit;
using AtlasDiagnostic = Atlas.Compiler.Diagnostics.Diagnostic;

namespace Atlas.Generators.Pipeline;

/// <summary>
/// The units to emit for a model (none when it has errors), or the failure that stopped planning.
/// Units are equatable, so after an edit only the units that changed reach the source output.
/// </summary>
internal sealed record EmitPlan(EquatableArray<EmitUnit> Units, EquatableArray<AtlasDiagnostic> Diagnostics)
{
    public static readonly EmitPlan Empty = new(EquatableArray<EmitUnit>.Empty, EquatableArray<AtlasDiagnostic>.Empty);

    public static EmitPlan Create(AtlasModel? model, EmitOptions options, IAtlasEmitter emitter, CancellationToken cancellationToken)
    {
        if (model is null) return Empty;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new EmitPlan(emitter.Plan(model, options).ToEquatableArray(), EquatableArray<AtlasDiagnostic>.Empty);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new EmitPlan(EquatableArray<EmitUnit>.Empty, EquatableArray.Create(RoslynDiagnosticAdapter.InternalError(ex, "planning the generated files")));
        }
    }
}
