using System;
using System.Collections.Generic;
using Sprache;

namespace Atlas.Compiler.Syntax;

/// <summary>
/// Repetition that tries the item parser once per position. Sprache's XMany re-runs a failed item
/// to decide whether it consumed input, which makes nested rules cost 2^depth; these don't.
/// </summary>
internal static class ParserExtensions
{
    /// <summary>
    /// Tries alternatives in order, like Sprache's XOr chain: the first success wins, and an
    /// alternative that fails after consuming input is the error. When none applies, the failure
    /// names <paramref name="expected"/> (built once, not per attempt: a parser fails far more often
    /// than it succeeds, and Sprache's merged expectations allocate on every failure).
    /// </summary>
    public static Parser<T> OneOf<T>(Expectation expected, params Parser<T>[] alternatives) => input =>
    {
        foreach (var alternative in alternatives)
        {
            var result = alternative(input);
            if (result.WasSuccessful || !result.Remainder.Equals(input)) return result;
        }
        return Result.Failure<T>(input, expected.Message, expected.Items);
    };

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

    /// <summary>
    /// Runs parsers one after another and combines their values: the grammar's sequences. Unlike
    /// Sprache's LINQ query syntax it allocates no parser delegates while parsing.
    /// </summary>
    public static Parser<TResult> Seq<T1, T2, TResult>(Parser<T1> p1, Parser<T2> p2, Func<T1, T2, TResult> combine) =>
        input =>
        {
            var r1 = p1(input);
            if (!r1.WasSuccessful) return Result.Failure<TResult>(r1.Remainder, r1.Message, r1.Expectations);
            var r2 = p2(r1.Remainder);
            if (!r2.WasSuccessful) return Result.Failure<TResult>(r2.Remainder, r2.Message, r2.Expectations);
            return Result.Success(combine(r1.Value, r2.Value), r2.Remainder);
        };

    public static Parser<TResult> Seq<T1, T2, T3, TResult>(Parser<T1> p1, Parser<T2> p2, Parser<T3> p3, Func<T1, T2, T3, TResult> combine) =>
        input =>
        {
            var r1 = p1(input);
            if (!r1.WasSuccessful) return Result.Failure<TResult>(r1.Remainder, r1.Message, r1.Expectations);
            var r2 = p2(r1.Remainder);
            if (!r2.WasSuccessful) return Result.Failure<TResult>(r2.Remainder, r2.Message, r2.Expectations);
            var r3 = p3(r2.Remainder);
            if (!r3.WasSuccessful) return Result.Failure<TResult>(r3.Remainder, r3.Message, r3.Expectations);
            return Result.Success(combine(r1.Value, r2.Value, r3.Value), r3.Remainder);
        };

    public static Parser<TResult> Seq<T1, T2, T3, T4, TResult>(Parser<T1> p1, Parser<T2> p2, Parser<T3> p3, Parser<T4> p4, Func<T1, T2, T3, T4, TResult> combine) =>
        input =>
        {
            var r1 = p1(input);
            if (!r1.WasSuccessful) return Result.Failure<TResult>(r1.Remainder, r1.Message, r1.Expectations);
            var r2 = p2(r1.Remainder);
            if (!r2.WasSuccessful) return Result.Failure<TResult>(r2.Remainder, r2.Message, r2.Expectations);
            var r3 = p3(r2.Remainder);
            if (!r3.WasSuccessful) return Result.Failure<TResult>(r3.Remainder, r3.Message, r3.Expectations);
            var r4 = p4(r3.Remainder);
            if (!r4.WasSuccessful) return Result.Failure<TResult>(r4.Remainder, r4.Message, r4.Expectations);
            return Result.Success(combine(r1.Value, r2.Value, r3.Value, r4.Value), r4.Remainder);
        };

    public static Parser<TResult> Seq<T1, T2, T3, T4, T5, TResult>(Parser<T1> p1, Parser<T2> p2, Parser<T3> p3, Parser<T4> p4, Parser<T5> p5, Func<T1, T2, T3, T4, T5, TResult> combine) =>
        input =>
        {
            var r1 = p1(input);
            if (!r1.WasSuccessful) return Result.Failure<TResult>(r1.Remainder, r1.Message, r1.Expectations);
            var r2 = p2(r1.Remainder);
            if (!r2.WasSuccessful) return Result.Failure<TResult>(r2.Remainder, r2.Message, r2.Expectations);
            var r3 = p3(r2.Remainder);
            if (!r3.WasSuccessful) return Result.Failure<TResult>(r3.Remainder, r3.Message, r3.Expectations);
            var r4 = p4(r3.Remainder);
            if (!r4.WasSuccessful) return Result.Failure<TResult>(r4.Remainder, r4.Message, r4.Expectations);
            var r5 = p5(r4.Remainder);
            if (!r5.WasSuccessful) return Result.Failure<TResult>(r5.Remainder, r5.Message, r5.Expectations);
            return Result.Success(combine(r1.Value, r2.Value, r3.Value, r4.Value, r5.Value), r5.Remainder);
        };

    public static Parser<TResult> Seq<T1, T2, T3, T4, T5, T6, TResult>(Parser<T1> p1, Parser<T2> p2, Parser<T3> p3, Parser<T4> p4, Parser<T5> p5, Parser<T6> p6, Func<T1, T2, T3, T4, T5, T6, TResult> combine) =>
        input =>
        {
            var r1 = p1(input);
            if (!r1.WasSuccessful) return Result.Failure<TResult>(r1.Remainder, r1.Message, r1.Expectations);
            var r2 = p2(r1.Remainder);
            if (!r2.WasSuccessful) return Result.Failure<TResult>(r2.Remainder, r2.Message, r2.Expectations);
            var r3 = p3(r2.Remainder);
            if (!r3.WasSuccessful) return Result.Failure<TResult>(r3.Remainder, r3.Message, r3.Expectations);
            var r4 = p4(r3.Remainder);
            if (!r4.WasSuccessful) return Result.Failure<TResult>(r4.Remainder, r4.Message, r4.Expectations);
            var r5 = p5(r4.Remainder);
            if (!r5.WasSuccessful) return Result.Failure<TResult>(r5.Remainder, r5.Message, r5.Expectations);
            var r6 = p6(r5.Remainder);
            if (!r6.WasSuccessful) return Result.Failure<TResult>(r6.Remainder, r6.Message, r6.Expectations);
            return Result.Success(combine(r1.Value, r2.Value, r3.Value, r4.Value, r5.Value, r6.Value), r6.Remainder);
        };
}
