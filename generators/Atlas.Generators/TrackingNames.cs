namespace Atlas.Generators;

/// <summary>
/// Names of the pipeline's steps (<c>WithTrackingName</c>), so tests can assert why each one ran
/// (<c>IncrementalStepRunReason</c>).
/// </summary>
internal static class TrackingNames
{
    /// <summary>Per file: an .atlas / .atlas.yaml AdditionalText read into (path, text).</summary>
    public const string Files = "Atlas.Files";

    /// <summary>Per file: parsed on its own into a syntax tree and its syntax errors.</summary>
    public const string Parse = "Atlas.Parse";

    /// <summary>All files compiled together by the front-end into (model, diagnostics).</summary>
    public const string Compile = "Atlas.Compile";

    /// <summary>The MSBuild properties (AtlasNamespace, RootNamespace).</summary>
    public const string Properties = "Atlas.Properties";

    /// <summary>The compilation's assembly name (last fallback for the namespace).</summary>
    public const string AssemblyName = "Atlas.AssemblyName";

    /// <summary>Which of the assemblies generated code may need (Atlas.Knowledge, Atlas.Embeddings.MiniLM) the project references.</summary>
    public const string References = "Atlas.References";

    /// <summary>The folder of the Atlas files (their common folder), which generated code makes the runtime's base directory.</summary>
    public const string BaseDirectory = "Atlas.BaseDirectory";

    /// <summary>The emitter's options.</summary>
    public const string Options = "Atlas.Options";

    /// <summary>Diagnostics to report: the front-end's and any planning failure.</summary>
    public const string Diagnostics = "Atlas.Diagnostics";

    /// <summary>The model, when it has no errors.</summary>
    public const string Model = "Atlas.Model";

    /// <summary>The emit plan for the model and options.</summary>
    public const string Plan = "Atlas.Plan";

    /// <summary>Per generated file: one emit unit.</summary>
    public const string Units = "Atlas.Units";
}
