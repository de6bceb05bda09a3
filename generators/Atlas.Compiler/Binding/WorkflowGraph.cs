using System;
using System.Collections.Generic;
using System.Linq;

namespace Atlas.Compiler.Binding;

/// <summary>
/// Graph algorithms over nodes <c>0..n-1</c>, where <c>edges[i]</c> lists the nodes that node
/// <c>i</c> depends on (a step's reads, a workflow's callees). Iterative throughout, so a long
/// chain of steps cannot overflow the stack.
/// </summary>
internal static class WorkflowGraph
{
    /// <summary>
    /// Every node once, each after the nodes it depends on (a depth-first post-order, started
    /// from the nodes in index order). Nodes on a cycle come out in some order; cycles are
    /// reported separately by <see cref="FindCycles"/>.
    /// </summary>
    public static List<int> DependencyOrder(IReadOnlyList<IReadOnlyList<int>> edges)
    {
        int n = edges.Count;
        var order = new List<int>(n);
        var visited = new bool[n];
        var stack = new Stack<(int Node, int Next)>();
        for (int root = 0; root < n; root++)
        {
            if (visited[root]) continue;
            visited[root] = true;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var successors = edges[node];
                if (next < successors.Count)
                {
                    stack.Push((node, next + 1));
                    int child = successors[next];
                    if (child >= 0 && child < n && !visited[child])
                    {
                        visited[child] = true;
                        stack.Push((child, 0));
                    }
                }
                else
                {
                    order.Add(node);
                }
            }
        }

        return order;
    }

    /// <summary>
    /// One cycle per strongly connected component that has one (more than one node, or a node that
    /// depends on itself): the path <c>[start, ..., start]</c> where <c>start</c> is the component's
    /// lowest index and the path is a shortest way back to it. Sorted by <c>start</c>.
    /// </summary>
    public static List<List<int>> FindCycles(IReadOnlyList<IReadOnlyList<int>> edges)
    {
        var cycles = new List<List<int>>();
        foreach (var component in StronglyConnectedComponents(edges))
        {
            int start = component.Min();
            bool selfLoop = edges[start].Contains(start);
            if (component.Count == 1 && !selfLoop) continue;
            cycles.Add(selfLoop ? new List<int> { start, start } : ShortestCycle(edges, start, new HashSet<int>(component)));
        }

        return cycles.OrderBy(c => c[0]).ToList();
    }

    /// <summary>Breadth-first from <paramref name="start"/> inside its component until an edge leads back to it.</summary>
    private static List<int> ShortestCycle(IReadOnlyList<IReadOnlyList<int>> edges, int start, HashSet<int> component)
    {
        var parent = new Dictionary<int, int> { [start] = -1 };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            int node = queue.Dequeue();
            foreach (int next in edges[node].OrderBy(x => x))
            {
                if (next == start)
                {
                    var path = new List<int>();
                    for (int at = node; at != -1; at = parent[at]) path.Add(at);
                    path.Reverse();
                    path.Add(start);
                    return path;
                }

                if (component.Contains(next) && !parent.ContainsKey(next))
                {
                    parent[next] = node;
                    queue.Enqueue(next);
                }
            }
        }

        // Unreachable for a real component; keep the contract anyway.
        return new List<int> { start, start };
    }

    /// <summary>Tarjan's algorithm, iterative.</summary>
    private static List<List<int>> StronglyConnectedComponents(IReadOnlyList<IReadOnlyList<int>> edges)
    {
        int n = edges.Count;
        var index = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        for (int i = 0; i < n; i++) index[i] = -1;
        var components = new List<List<int>>();
        var stack = new Stack<int>();
        var work = new Stack<(int Node, int Next)>();
        int counter = 0;

        for (int root = 0; root < n; root++)
        {
            if (index[root] != -1) continue;
            work.Push((root, 0));
            while (work.Count > 0)
            {
                var (node, next) = work.Pop();
                if (next == 0 && index[node] == -1)
                {
                    index[node] = low[node] = counter++;
                    stack.Push(node);
                    onStack[node] = true;
                }

                var successors = edges[node];
                bool descended = false;
                for (int i = next; i < successors.Count; i++)
                {
                    int child = successors[i];
                    if (child < 0 || child >= n) continue;
                    if (index[child] == -1)
                    {
                        work.Push((node, i + 1));
                        work.Push((child, 0));
                        descended = true;
                        break;
                    }

                    if (onStack[child]) low[node] = Math.Min(low[node], index[child]);
                }

                if (descended) continue;

                if (low[node] == index[node])
                {
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    }
                    while (member != node);
                    components.Add(component);
                }

                if (work.Count > 0)
                {
                    int parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }

        return components;
    }
}
