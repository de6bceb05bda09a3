namespace Atlas.Runtime;

/// <summary>What tokens cost on a provider, from its declared prices per million (a side not declared is free).</summary>
internal static class ProviderPrices
{
    /// <summary>The cost in US dollars of <paramref name="inputTokens"/> in and <paramref name="outputTokens"/> out.</summary>
    public static double Cost(ProviderDescriptor provider, long inputTokens, long outputTokens) =>
        ((inputTokens * (provider.InputCostPerMillion ?? 0)) + (outputTokens * (provider.OutputCostPerMillion ?? 0))) / 1_000_000d;

    /// <summary>The tokens with their cost, as a <see cref="Usage"/>.</summary>
    public static Usage Price(ProviderDescriptor provider, long inputTokens, long outputTokens) =>
        new(inputTokens, outputTokens, (decimal)Cost(provider, inputTokens, outputTokens));
}
