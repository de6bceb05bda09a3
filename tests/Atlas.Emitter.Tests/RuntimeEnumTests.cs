using System;

namespace Atlas.Emitter.Tests;

/// <summary>
/// The emitter writes a model enum's member name as the runtime enum's member
/// (<c>global::Atlas.Runtime.RouteStrategy.Cheapest</c>), so the two enums must have the same members.
/// </summary>
public sealed class RuntimeEnumTests
{
    [Fact]
    public void RouteStrategy_ModelAndRuntimeHaveTheSameMembers() =>
        Assert.Equal(Enum.GetNames<Atlas.Compiler.Model.RouteStrategy>(), Enum.GetNames<Atlas.Runtime.RouteStrategy>());
}
