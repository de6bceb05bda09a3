using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.AI;

namespace Atlas.Cli.Tools;

/// <summary>The <c>--tools</c> option of <c>atlas run</c> and <c>atlas chat</c>: load, bind, and check before anything runs.</summary>
internal static class ProjectTools
{
    public const string OptionHelp =
        "A .NET assembly implementing the declared tools (repeatable): public methods marked [AtlasTool(\"name\")] " +
        "(Atlas.Runtime.AtlasToolAttribute), or named like the tool (lookup_order → LookupOrder or LookupOrderAsync); " +
        "static, or on a class with a public parameterless constructor. Arguments bind by name from JSON; its dependencies load from its folder.";

    /// <summary>Loads each <c>--tools</c> assembly and binds the declared tools it implements into <paramref name="project"/>.</summary>
    /// <exception cref="UsageException">An assembly cannot be loaded, two implement the same tool, or an implementation does not fit its declaration.</exception>
    public static void Load(AtlasProject project, IReadOnlyList<string>? paths, string commandName)
    {
        if (paths is not { Count: > 0 }) return;
        var bound = new Dictionary<string, AIFunction>(StringComparer.Ordinal);
        var boundFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var path in paths)
        {
            var assembly = ToolAssembly.Load(path, commandName);
            foreach (var (name, function) in assembly.Bind(project.Program.Model.Tools, project.Program.Schemas, problems))
            {
                if (boundFrom.TryGetValue(name, out var other))
                {
                    problems.Add($"tool '{name}' is implemented in both '{other}' and '{path}'");
                    continue;
                }

                bound[name] = function;
                boundFrom[name] = path;
            }
        }

        if (problems.Count > 0)
        {
            throw new UsageException($"{commandName}: --tools: {string.Join("; ", problems)}");
        }

        project.Tools = bound;
    }

    /// <summary>
    /// Before a run: a tool that a step calls must have an implementation (else a usage error listing each, and how to
    /// supply it). A tool only offered to an agent may be missing: see <see cref="Warn"/>.
    /// </summary>
    /// <exception cref="UsageException">A step calls a tool that has no implementation.</exception>
    public static void Check(AtlasProject project, ToolRequirements requirements, CliEnvironment environment, string commandName)
    {
        var missing = requirements.CalledBySteps.Where(t => !project.Tools.ContainsKey(t.Key)).ToList();
        if (missing.Count > 0)
        {
            var list = string.Join(", ", missing.Select(t => $"'{t.Key}' (called by {string.Join(", ", t.Value)})"));
            throw new UsageException(
                $"{commandName}: {(missing.Count == 1 ? "tool " + list + " has" : missing.Count + " tools have")} no implementation" +
                (missing.Count == 1 ? "" : ": " + list) +
                $"; supply {(missing.Count == 1 ? "it" : "them")} with --tools PATH.dll, public methods marked [AtlasTool(\"{missing[0].Key}\")] (see '{commandName} --help')");
        }
    }

    /// <summary>A warning on stderr for each tool only offered to agents that has no implementation (the agent runs without it).</summary>
    public static void Warn(AtlasProject project, ToolRequirements requirements, CliEnvironment environment, string commandName)
    {
        foreach (var (tool, agents) in requirements.OfferedToAgents.Where(t => !project.Tools.ContainsKey(t.Key)))
        {
            environment.Error.WriteLine(
                $"{commandName}: warning: tool '{tool}' (offered to {string.Join(", ", agents.Select(a => "agent '" + a + "'"))}) has no implementation; " +
                "the model is not offered it (supply it with --tools PATH.dll)");
        }
    }
}
