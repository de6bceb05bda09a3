namespace Atlas.Runtime;

/// <summary>What a call is expected to use, for <c>cheapest</c>: the prompt's estimated tokens and the most output tokens asked for, if capped.</summary>
internal readonly record struct CallEstimate(long InputTokens, int? MaxOutputTokens)
{
    /// <summary>Output tokens assumed: the cap when set, else as many as the prompt.</summary>
    public long OutputTokens => MaxOutputTokens ?? InputTokens;

    public double CostOn(Provider provider) => ProviderPrices.Cost(provider.Descriptor, InputTokens, OutputTokens);
}
