using System;
using Atlas.Compiler.Text;

namespace Atlas.Generators.Pipeline;

/// <summary>What the front-end's <see cref="EquatableArray{T}"/> does not offer.</summary>
internal static class EquatableArrayExtensions
{
    public static EquatableArray<T> Concat<T>(this EquatableArray<T> first, EquatableArray<T> second)
        where T : IEquatable<T>
    {
        if (second.IsEmpty) return first;
        if (first.IsEmpty) return second;
        return new EquatableArray<T>(first.AsImmutableArray().AddRange(second.AsImmutableArray()));
    }
}
