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
    /// <param name="descriptor">The declared knowledge base.</param>
    /// <param name="baseDirectory">The folder its <c>sources</c> and SQLite store are relative to (<see cref="AtlasRuntimeOptions.BaseDirectory"/>).</param>
    /// <returns>The knowledge base; the runtime asks once per descriptor and searches it from many runs at once.</returns>
    IKnowledgeBase Create(KnowledgeDescriptor descriptor, string baseDirectory);
}
