using System.Collections.Immutable;
using Atlas.Compiler.Emit;
using Atlas.Compiler.Model;

namespace Atlas.Generators.Emit;

/// <summary>
/// The emitter as the pipeline uses it: plan a checked model into equatable units, emit one unit.
/// The generator uses <see cref="CSharpEmitter"/>; tests substitute their own to prove per-unit
/// caching and that a failing emitter becomes a diagnostic.
/// </summary>
internal interface IAtlasEmitter
{
    ImmutableArray<EmitUnit> Plan(AtlasModel model, EmitOptions options);

    GeneratedSource Emit(EmitUnit unit);
}

/// <summary>The front-end's C# emitter.</summary>
internal sealed class CSharpAtlasEmitter : IAtlasEmitter
{
    public static readonly CSharpAtlasEmitter Instance = new();

    public ImmutableArray<EmitUnit> Plan(AtlasModel model, EmitOptions options) => CSharpEmitter.Plan(model, options);

    public GeneratedSource Emit(EmitUnit unit) => CSharpEmitter.Emit(unit);
}
