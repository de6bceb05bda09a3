using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Atlas.Benchmarks;

internal static class AssemblyResolution
{
    /// <summary>
    /// The generator's build marks Atlas.Compiler.dll as an analyzer-only dependency (so the C#
    /// compiler loads it next to the generator), which leaves it out of this exe's deps.json even
    /// though it is in the output folder. Load such assemblies from there, in the BenchmarkDotNet
    /// host and in its child processes alike.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() =>
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            string path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        };
}
