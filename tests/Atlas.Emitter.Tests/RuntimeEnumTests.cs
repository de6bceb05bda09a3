namespace Atlas.Emitter.Tests;

/// <summary>
/// The emitter writes a model enum's member name as the runtime enum's member
/// (<c>global::Atlas.Runtime.RouteStrategy.Cheapest</c>), so the runtime enum must have the model enum's members.
/// </summary>
public sealed class RuntimeEnumTests
{
    [Fact]
    public void RouteStrategy_ModelAndRuntimeHaveTheSameMembers() =>
        Assert.Equal(Enum.GetNames<Atlas.Compiler.Model.RouteStrategy>(), Enum.GetNames<Atlas.Runtime.RouteStrategy>());

    [Fact]
    public void SearchMode_ModelAndRuntimeHaveTheSameMembers() =>
        Assert.Equal(Enum.GetNames<Atlas.Compiler.Model.SearchMode>(), Enum.GetNames<Atlas.Runtime.SearchMode>());

    [Fact]
    public void ChunkingStrategy_ModelAndRuntimeHaveTheSameMembers() =>
        Assert.Equal(Enum.GetNames<Atlas.Compiler.Model.ChunkingStrategy>(), Enum.GetNames<Atlas.Runtime.ChunkingStrategy>());

    [Fact]
    public void StoreKind_ModelAndRuntimeHaveTheSameMembers() =>
        Assert.Equal(Enum.GetNames<Atlas.Compiler.Model.StoreKind>(), Enum.GetNames<Atlas.Runtime.StoreKind>());

    /// <summary>The runtime has one more: <c>Custom</c>, a host's own client, which no .atlas file declares.</summary>
    [Fact]
    public void ProviderKind_RuntimeHasTheModelsMembersPlusCustom() =>
        Assert.Equal([.. Enum.GetNames<Atlas.Compiler.Model.ProviderKind>(), "Custom"], Enum.GetNames<Atlas.Runtime.ProviderKind>());
}
