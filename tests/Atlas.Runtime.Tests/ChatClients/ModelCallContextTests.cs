using Microsoft.Extensions.AI;

namespace Atlas.Runtime.Tests.ChatClients;

public class ModelCallContextTests
{
    [Fact]
    public void Detach_TakesTheContextOut_OfACopy_KeepingTheOtherProperties_AndTheCallersOptions()
    {
        var context = new ModelCallContext(null, null, null, null);
        var options = ModelCallContext.Attach(new ChatOptions { Temperature = 0.5f, AdditionalProperties = new() { ["host"] = 1 } }, context);

        var detached = ModelCallContext.Detach(options)!;

        Assert.NotSame(options, detached);
        Assert.Null(ModelCallContext.Of(detached));
        Assert.Equal(1, detached.AdditionalProperties!["host"]);
        Assert.Equal(0.5f, detached.Temperature);
        Assert.Same(context, ModelCallContext.Of(options));
    }

    [Fact]
    public void Detach_OptionsWithoutAContext_AreTheSameOptions_AndAContextAlone_LeavesNoProperties()
    {
        var plain = new ChatOptions();
        Assert.Same(plain, ModelCallContext.Detach(plain));
        Assert.Null(ModelCallContext.Detach(null));

        var only = ModelCallContext.Attach(new ChatOptions(), new ModelCallContext(null, null, null, null));
        Assert.Null(ModelCallContext.Detach(only)!.AdditionalProperties);
    }

    [Fact]
    public void Context_SurvivesAClone_OfTheOptions()
    {
        var context = new ModelCallContext(null, null, null, null);
        var options = ModelCallContext.Attach(new ChatOptions(), context);

        Assert.Same(context, ModelCallContext.Of(options.Clone()));
    }
}
