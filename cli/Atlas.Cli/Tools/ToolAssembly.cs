using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Atlas.Compiler.Lowering;
using Atlas.Compiler.Model;
using Microsoft.Extensions.AI;

namespace Atlas.Cli.Tools;

/// <summary>
/// An assembly named with <c>--tools</c>: loaded in its own <see cref="AssemblyLoadContext"/>
/// (its dependencies resolved from its folder, through its .deps.json when there is one), and
/// searched for an implementation of each declared <c>tool</c>.
/// </summary>
/// <remarks>
/// A method implements tool <c>t</c> when it is public, on a public type, and either carries
/// <c>[AtlasTool("t")]</c> (matched by the attribute's full name, <c>Atlas.Runtime.AtlasToolAttribute</c>)
/// or, when no method carries the attribute for <c>t</c>, is named <c>t</c>, <c>T</c> or <c>TAsync</c> in
/// PascalCase. Assemblies the CLI itself has (Atlas.Runtime, Microsoft.Extensions.AI, System.*) are
/// shared with it, so the attribute and types such as <c>JsonNode</c> are the same on both sides.
/// </remarks>
internal sealed class ToolAssembly
{
    private const string AttributeFullName = "Atlas.Runtime.AtlasToolAttribute";

    private readonly Assembly _assembly;

    private ToolAssembly(string path, Assembly assembly)
    {
        Path = path;
        _assembly = assembly;
    }

    public string Path { get; }

    /// <exception cref="UsageException">The file is missing or is not a .NET assembly that can be loaded.</exception>
    public static ToolAssembly Load(string path, string commandName)
    {
        var full = System.IO.Path.GetFullPath(path);
        InputFiles.RequireRegularFile(full, $"--tools '{path}'", commandName);
        try
        {
            var context = new ToolLoadContext(full);
            return new ToolAssembly(path, context.LoadFromAssemblyPath(full));
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or IOException)
        {
            throw new UsageException($"{commandName}: --tools '{path}' is not a .NET assembly that can be loaded: {JsonText.OneLine(ex.Message)}");
        }
    }

    /// <summary>
    /// Binds the declared <paramref name="tools"/> this assembly implements. <paramref name="problems"/> gets one line per
    /// implementation that cannot be used (ambiguous, parameters that don't match, no way to create its class).
    /// </summary>
    public IReadOnlyDictionary<string, AIFunction> Bind(IEnumerable<ToolModel> tools, JsonSchemas schemas, List<string> problems)
    {
        var methods = PublicMethods(problems);
        var bound = new Dictionary<string, AIFunction>(StringComparer.Ordinal);
        var instances = new Dictionary<Type, object>(); // one instance per class, shared by its tools
        foreach (var tool in tools)
        {
            var marked = methods.Where(m => AttributeName(m) is { } name && name == tool.Name).ToList();
            var candidates = marked.Count > 0
                ? marked
                : methods.Where(m => AttributeName(m) is null && NamedLike(m.Name, tool.Name)).ToList();
            if (candidates.Count == 0) continue;
            if (candidates.Count > 1)
            {
                problems.Add($"tool '{tool.Name}': {Path} has {candidates.Count} candidates ({string.Join(", ", candidates.Select(Describe))}); mark one with [AtlasTool(\"{tool.Name}\")]");
                continue;
            }

            if (AssemblyTool.Create(tool, candidates[0], schemas.ForParameters(tool.Parameters), AttributeReadOnly(candidates[0]), instances, problems) is { } function)
            {
                bound[tool.Name] = function;
            }
        }

        return bound;
    }

    internal static string Describe(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}";

    private List<MethodInfo> PublicMethods(List<string> problems)
    {
        Type[] types;
        try
        {
            types = _assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            problems.Add($"--tools '{Path}': some of its types cannot be loaded ({JsonText.OneLine(ex.LoaderExceptions.FirstOrDefault(e => e is not null)?.Message ?? ex.Message)}); is a dependency missing from its folder?");
            types = ex.Types.Where(t => t is { IsPublic: true }).ToArray()!;
        }

        return types
            .Where(t => t.IsClass && !t.IsGenericTypeDefinition)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition)
            .ToList();
    }

    /// <summary>The tool name an <c>[AtlasTool]</c> gives the method (its own name when the attribute has none); null without the attribute.</summary>
    private static string? AttributeName(MethodInfo method)
    {
        var attribute = method.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == AttributeFullName);
        if (attribute is null) return null;
        return attribute.ConstructorArguments is [{ Value: string name }] && name.Length > 0 ? name : method.Name;
    }

    /// <summary>The <c>ReadOnly</c> an <c>[AtlasTool]</c> sets explicitly; null when it does not (or there is no attribute).</summary>
    private static bool? AttributeReadOnly(MethodInfo method)
    {
        var attribute = method.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == AttributeFullName);
        foreach (var argument in attribute?.NamedArguments ?? [])
        {
            if (argument.MemberName == "ReadOnly" && argument.TypedValue.Value is bool value) return value;
        }

        return null;
    }

    /// <summary><c>lookup_order</c> is implemented by <c>lookup_order</c>, <c>LookupOrder</c> or <c>LookupOrderAsync</c>.</summary>
    internal static bool NamedLike(string method, string tool)
    {
        var name = method.EndsWith("Async", StringComparison.Ordinal) && method.Length > 5 ? method[..^5] : method;
        return method == tool || name == Pascal(tool);
    }

    /// <summary>Names compared loosely for binding arguments to parameters: <c>order_id</c> ~ <c>orderId</c> ~ <c>OrderId</c>.</summary>
    internal static string Loose(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static string Pascal(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>Loads the tools assembly's own dependencies from its folder; anything the CLI already has comes from the CLI.</summary>
    private sealed class ToolLoadContext(string path) : AssemblyLoadContext("atlas-tools:" + System.IO.Path.GetFileName(path))
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);
        private readonly string _folder = System.IO.Path.GetDirectoryName(path)!;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Shared with the CLI: Atlas.Runtime (the attribute), M.E.AI, System.Text.Json, the framework.
            if (assemblyName.Name is { } name && DefaultContextNames.Value.Contains(name))
            {
                return null;
            }

            var resolved = _resolver.ResolveAssemblyToPath(assemblyName);
            if (resolved is null)
            {
                var candidate = System.IO.Path.Combine(_folder, assemblyName.Name + ".dll");
                if (File.Exists(candidate)) resolved = candidate;
            }

            if (resolved is not null) return LoadFromAssemblyPath(resolved);

            // Not in its folder: let the default context try (a framework assembly not loaded yet, or the CLI's own).
            return null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } resolved ? LoadUnmanagedDllFromPath(resolved) : IntPtr.Zero;

        /// <summary>What the default context resolves: the framework and the CLI's own dependencies (its trusted platform assemblies).</summary>
        private static readonly Lazy<HashSet<string>> DefaultContextNames = new(() =>
            new HashSet<string>(
                (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
                    .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                    .Select(System.IO.Path.GetFileNameWithoutExtension)
                    .Concat(Default.Assemblies.Select(a => a.GetName().Name))
                    .OfType<string>(),
                StringComparer.OrdinalIgnoreCase));
    }
}
