using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Atlas.Cli.Graph;

/// <summary>A <see cref="WorkflowDiagram"/> as Mermaid (a <c>flowchart</c>, for Markdown and GitHub).</summary>
internal static class MermaidWriter
{
    public static string Write(WorkflowDiagram diagram)
    {
        var text = new StringBuilder();
        text.Append("flowchart TD\n");
        text.Append($"  %% workflow {diagram.Workflow.Name}\n");
        foreach (var node in diagram.Nodes) Node(text, node, "  ");
        if (diagram.RouteNodes.Count > 0)
        {
            text.Append("  subgraph route [route]\n");
            foreach (var node in diagram.RouteNodes) Node(text, node, "    ");
            foreach (var edge in diagram.RouteEdges) Edge(text, edge, "    ");
            text.Append("  end\n");
        }

        if (diagram.CallNodes.Count > 0)
        {
            text.Append("  subgraph calls [\"at the model's choice\"]\n");
            foreach (var node in diagram.CallNodes) Node(text, node, "    ");
            text.Append("  end\n");
        }

        foreach (var edge in diagram.Edges) Edge(text, edge, "  ");
        foreach (var edge in diagram.CallEdges) Edge(text, edge, "  ");
        return text.ToString();
    }

    private static void Node(StringBuilder text, DiagramNode node, string indent)
    {
        var label = "\"" + string.Join("<br/>", node.Lines.Select(Escape)) + "\"";
        var shaped = node.Kind switch
        {
            DiagramNodeKind.Parameter => $"([{label}])",
            DiagramNodeKind.Tool => $"[/{label}/]",
            DiagramNodeKind.Human => $"(({label}))",
            DiagramNodeKind.Workflow => $"[[{label}]]",
            DiagramNodeKind.Search => $"[({label})]",
            DiagramNodeKind.Switch => $"{{{label}}}",
            DiagramNodeKind.For => $"{{{{{label}}}}}",
            DiagramNodeKind.Value or DiagramNodeKind.Arm or DiagramNodeKind.Provider => $"({label})",
            DiagramNodeKind.Return => $"[/{label}\\]",
            DiagramNodeKind.Route => $">{label}]",
            _ => $"[{label}]",
        };
        text.Append(indent).Append(node.Id).Append(shaped).Append('\n');
    }

    private static void Edge(StringBuilder text, DiagramEdge edge, string indent)
    {
        var arrow = edge.Dashed ? "-.->" : "-->";
        var label = edge.Label is null ? "" : "|\"" + Escape(edge.Label) + "\"|";
        text.Append(indent).Append(edge.From).Append(' ').Append(arrow).Append(label).Append(' ').Append(edge.To).Append('\n');
    }

    /// <summary>Mermaid labels in quotes take HTML entities: quotes and angle brackets are escaped.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "#amp;").Replace("\"", "#quot;").Replace("<", "#lt;").Replace(">", "#gt;");
}

/// <summary>A <see cref="WorkflowDiagram"/> as Graphviz DOT.</summary>
internal static class DotWriter
{
    public static string Write(WorkflowDiagram diagram)
    {
        var text = new StringBuilder();
        text.Append($"digraph \"{Escape(diagram.Workflow.Name)}\" {{\n");
        text.Append("  rankdir=TB;\n");
        text.Append("  node [fontname=\"Helvetica\", fontsize=11];\n");
        text.Append("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        foreach (var node in diagram.Nodes) Node(text, node, "  ");
        if (diagram.RouteNodes.Count > 0)
        {
            text.Append("  subgraph cluster_route {\n");
            text.Append("    label=\"route\";\n");
            text.Append("    style=dashed;\n");
            foreach (var node in diagram.RouteNodes) Node(text, node, "    ");
            foreach (var edge in diagram.RouteEdges) Edge(text, edge, "    ");
            text.Append("  }\n");
        }

        if (diagram.CallNodes.Count > 0)
        {
            text.Append("  subgraph cluster_calls {\n");
            text.Append("    label=\"at the model's choice\";\n");
            text.Append("    style=dotted;\n");
            foreach (var node in diagram.CallNodes) Node(text, node, "    ");
            text.Append("  }\n");
        }

        foreach (var edge in diagram.Edges) Edge(text, edge, "  ");
        foreach (var edge in diagram.CallEdges) Edge(text, edge, "  ");
        text.Append("}\n");
        return text.ToString();
    }

    private static void Node(StringBuilder text, DiagramNode node, string indent)
    {
        var shape = node.Kind switch
        {
            DiagramNodeKind.Parameter => "ellipse",
            DiagramNodeKind.Agent => "box",
            DiagramNodeKind.Human => "egg",
            DiagramNodeKind.Tool => "parallelogram",
            DiagramNodeKind.Workflow => "box3d",
            DiagramNodeKind.Search => "cylinder",
            DiagramNodeKind.Switch => "diamond",
            DiagramNodeKind.For => "hexagon",
            DiagramNodeKind.Return => "invtrapezium",
            DiagramNodeKind.Route => "cds",
            DiagramNodeKind.Provider => "component",
            _ => "box, style=rounded",
        };
        var label = string.Join("\\n", node.Lines.Select(Escape));
        text.Append(indent).Append(node.Id).Append(" [shape=").Append(shape).Append(", label=\"").Append(label).Append("\"];\n");
    }

    private static void Edge(StringBuilder text, DiagramEdge edge, string indent)
    {
        var attributes = new List<string>();
        if (edge.Label is not null) attributes.Add($"label=\"{Escape(edge.Label)}\"");
        if (edge.Dashed) attributes.Add("style=dashed");
        text.Append(indent).Append(edge.From).Append(" -> ").Append(edge.To);
        if (attributes.Count > 0) text.Append(" [").Append(string.Join(", ", attributes)).Append(']');
        text.Append(";\n");
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
