using System.Collections.Generic;
using Sprache;

namespace Atlas.Compiler.Syntax;

/// <summary>
/// Repetition that tries the item parser once per position. Sprache's XMany re-runs a failed item
/// to decide whether it consumed input, which makes nested rules cost 2^depth; these don't.
/// </summary>
internal static class ParserExtensions
{
    /// <summary>Zero or more items; an item that fails after consuming input fails the whole (its error is the one reported).</summary>
    public static Parser<IEnumerable<T>> Items<T>(this Parser<T> item) => input =>
    {
        var items = new List<T>();
        var rest = input;
        while (true)
        {
            var result = item(rest);
            if (!result.WasSuccessful)
            {
                if (result.Remainder.Equals(rest)) return Result.Success<IEnumerable<T>>(items, rest);
                return Result.Failure<IEnumerable<T>>(result.Remainder, result.Message, result.Expectations);
            }
            if (result.Remainder.Equals(rest)) return Result.Success<IEnumerable<T>>(items, rest);
            items.Add(result.Value);
            rest = result.Remainder;
        }
    };

    /// <summary>One or more items separated by <paramref name="separator"/>; fails without consuming if there is none.</summary>
    public static Parser<IEnumerable<T>> SeparatedBy<T, TSeparator>(this Parser<T> item, Parser<TSeparator> separator) => input =>
    {
        var first = item(input);
        if (!first.WasSuccessful) return Result.Failure<IEnumerable<T>>(first.Remainder, first.Message, first.Expectations);
        var items = new List<T> { first.Value };
        var rest = first.Remainder;
        while (true)
        {
            var sep = separator(rest);
            if (!sep.WasSuccessful) return Result.Success<IEnumerable<T>>(items, rest);
            var next = item(sep.Remainder);
            if (!next.WasSuccessful) return Result.Failure<IEnumerable<T>>(next.Remainder, next.Message, next.Expectations);
            items.Add(next.Value);
            rest = next.Remainder;
        }
    };
}
