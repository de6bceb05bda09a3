using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Atlas.Compiler.Emit;
using Atlas.Generators.Configuration;
using Atlas.Generators.Pipeline;
using Microsoft.CodeAnalysis;

namespace Atlas.Generators.Tests.Incremental;

/// <summary>
/// What flows between steps compares by value and holds nothing of Roslyn's (no ISymbol,
/// Compilation, syntax, AdditionalText): otherwise caching silently stops working, or keeps
/// whole compilations alive.
/// </summary>
public class PipelineModelTests
{
    private static readonly Type[] StepOutputs =
    {
        typeof(AtlasSourceInput), typeof(CompileOutput), typeof(EmitPlan), typeof(AtlasGeneratorOptions), typeof(EmitOptions), typeof(EmitUnit),
    };

    [Fact]
    public void StepOutputs_AreEquatableRecords_WithoutRoslynObjects()
    {
        var problems = new List<string>();
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(StepOutputs.Concat(typeof(EmitUnit).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(EmitUnit)))));
        while (pending.Count > 0)
        {
            var type = pending.Dequeue();
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(object)) continue;

            if (type.Assembly == typeof(Compilation).Assembly || type.Assembly == typeof(Microsoft.CodeAnalysis.CSharp.CSharpCompilation).Assembly)
            {
                problems.Add(type.FullName + " is a Roslyn type");
                continue;
            }
            if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments()) pending.Enqueue(argument);
                if (type.Namespace!.StartsWith("System", StringComparison.Ordinal)) continue;
            }
            if (type.IsClass && type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is null)
                problems.Add(type.FullName + " is a class but not a record (no value equality)");
            if (!typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type))
                problems.Add(type.FullName + " is not IEquatable<itself>");

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length == 0) pending.Enqueue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
            }
            if (type.IsAbstract)
            {
                foreach (var derived in type.Assembly.GetTypes().Where(t => t.IsSubclassOf(type))) pending.Enqueue(derived);
            }
        }

        Assert.Empty(problems);
        Assert.Contains(typeof(Atlas.Compiler.Model.AgentModel), seen);
    }
}
