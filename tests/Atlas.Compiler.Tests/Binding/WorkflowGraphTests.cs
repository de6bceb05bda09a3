using System.Collections.Generic;
using System.Linq;
using Atlas.Compiler.Binding;

namespace Atlas.Compiler.Tests.Binding;

public class WorkflowGraphTests
{
    private static IReadOnlyList<IReadOnlyList<int>> Graph(params int[][] edges) => edges.Select(e => (IReadOnlyList<int>)e).ToList();

    [Fact]
    public void DependencyOrder_Dag_PutsDependenciesFirst()
    {
        // 0 reads 2, 1 reads 0 and 2, 2 reads nothing
        var order = WorkflowGraph.DependencyOrder(Graph(new[] { 2 }, new[] { 0, 2 }, new int[0]));
        Assert.Equal(new[] { 2, 0, 1 }, order);
    }

    [Fact]
    public void DependencyOrder_Cycle_StillListsEveryNodeOnce()
    {
        var order = WorkflowGraph.DependencyOrder(Graph(new[] { 1 }, new[] { 0 }, new[] { 0 }));
        Assert.Equal(new[] { 0, 1, 2 }, order.OrderBy(x => x));
    }

    [Fact]
    public void FindCycles_Dag_FindsNone()
    {
        Assert.Empty(WorkflowGraph.FindCycles(Graph(new[] { 1, 2 }, new[] { 2 }, new int[0])));
    }

    [Fact]
    public void FindCycles_TwoCyclesAndASelfLoop_ReportsEachOnceFromItsLowestNode()
    {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 5 → 4, 6 reads the first cycle but is not on it
        var cycles = WorkflowGraph.FindCycles(Graph(new[] { 1 }, new[] { 2 }, new[] { 0 }, new[] { 3 }, new[] { 5 }, new[] { 4 }, new[] { 0 }));
        Assert.Equal(3, cycles.Count);
        Assert.Equal(new[] { 0, 1, 2, 0 }, cycles[0]);
        Assert.Equal(new[] { 3, 3 }, cycles[1]);
        Assert.Equal(new[] { 4, 5, 4 }, cycles[2]);
    }

    [Fact]
    public void FindCycles_LongChain_DoesNotOverflowTheStack()
    {
        const int n = 200_000;
        var edges = Enumerable.Range(0, n).Select(i => (IReadOnlyList<int>)new[] { (i + 1) % n }).ToList();
        var cycle = Assert.Single(WorkflowGraph.FindCycles(edges));
        Assert.Equal(n + 1, cycle.Count);
        Assert.Equal(n, WorkflowGraph.DependencyOrder(edges).Count);
    }
}
