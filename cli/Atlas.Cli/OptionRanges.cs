using System.CommandLine;
using System.Globalization;

namespace Atlas.Cli;

/// <summary>
/// The allowed range of every numeric option, checked while parsing: a value outside it is a usage
/// error (one line, exit 2) before any file is read.
/// </summary>
internal static class OptionRanges
{
    /// <summary><c>atlas run --parallel</c>: inputs of a batch at once; each holds a model call and a few lines in memory.</summary>
    public const int MaxParallel = 256;

    /// <summary><c>atlas search --top</c>: passages printed.</summary>
    public const int MaxTop = 1000;

    /// <summary><c>atlas runs list --limit</c>: runs printed (a batch's lines can be this many).</summary>
    public const int MaxListedRuns = 1_000_000;

    /// <summary><c>atlas search --min-score</c>: the lowest score any mode gives (cosine; BM25 and the fused score are never negative).</summary>
    public const double MinScoreFloor = -1;

    /// <summary>Accepts <paramref name="option"/>'s value only from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static T Between<T>(this T option, int min, int max) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } number && (number < min || number > max))
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be from {min} to {max}, not {number}"));
        });
        return option;
    }

    /// <summary>Accepts <paramref name="option"/>'s value only as a finite number of at least <paramref name="min"/> (no NaN, no infinity).</summary>
    public static Option<double?> FiniteFrom(this Option<double?> option, double min)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && (!double.IsFinite(value) || value < min))
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be a finite number of at least {min}, not {result.Tokens[^1].Value}"));
        });
        return option;
    }
}
