namespace Atlas.Runtime;

/// <summary>
/// Builds the knowledge base a <c>knowledge</c> block declares on a real store. Atlas.Knowledge's
/// <c>KnowledgeBaseFactory</c> is one (SQLite or ChromaDB, embedded with MiniLM or a provider).
/// Without a factory (or a <see cref="AtlasRuntimeOptions.Knowledge"/> entry) a search of a declared knowledge base
/// fails, naming the packages to reference: there is no second store that would answer differently.
/// </summary>
/// <remarks>
/// Set it as <see cref="AtlasRuntimeOptions.KnowledgeFactory"/>, or register it in the service
/// container: <c>AddAtlasRuntime</c> and the generated <c>AddAtlas()</c> use a registered one when the
/// options have none. Implementations are thread-safe.
/// </remarks>
public interface IKnowledgeBaseFactory
{
    /// <summary>The knowledge base for <paramref name="descriptor"/>, paths relative to <paramref name="baseDirectory"/>.</summary>
    IKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory);
}
