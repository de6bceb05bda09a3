using System;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Runtime.Tests;

public class EventJsonTests
{
    private static readonly DateTimeOffset At = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SerializeEvent_OneSnakeCaseLine_WithTypeFirst()
    {
        Assert.Equal(
            """{"type":"run_started","workflow":"support","run_id":"abc","timestamp":"2025-05-01T12:00:00+00:00"}""",
            AtlasEventJson.SerializeEvent(new RunStarted("abc", "support", At)));
        Assert.Equal(
            """{"type":"step_completed","duration":"00:00:01.5000000","usage":{"input_tokens":10,"output_tokens":5,"cost_usd":0.25,"total_tokens":15},"run_id":"abc","step":"triage","timestamp":"2025-05-01T12:00:00+00:00"}""",
            AtlasEventJson.SerializeEvent(new StepCompleted("abc", "triage", At, TimeSpan.FromSeconds(1.5), new Usage(10, 5, 0.25m))));
    }

    [Fact]
    public void Events_RoundTrip()
    {
        AtlasEvent[] events =
        [
            new RunStarted("r", "w", At),
            new StepStarted("r", "s", At),
            new TokenEmitted("r", "s", At, "hi \"there\"\n"),
            new StepCompleted("r", "s", At, TimeSpan.FromMilliseconds(12), new Usage(1, 2, 0.001m)),
            new StepFailed("r", "s", At, "boom"),
            new RetryScheduled("r", "s", At, 1, TimeSpan.FromMilliseconds(100), "timeout"),
            new ProviderSelected("r", null, At, "offline", "first available"),
            new RunCompleted("r", At, TimeSpan.FromSeconds(2), new Usage(3, 4, 0), false, "step 's' failed: boom"),
        ];

        foreach (var e in events)
        {
            var line = AtlasEventJson.SerializeEvent(e);
            Assert.DoesNotContain('\n', line);
            Assert.Equal(e, AtlasEventJson.DeserializeEvent(line));
        }
    }

    [Fact]
    public void AddAtlasRuntime_RegistersOneSingleton()
    {
        using var services = new ServiceCollection()
            .AddAtlasRuntime(o => o.Providers.Add(new ProviderDescriptor("offline", ProviderKind.Mock)))
            .BuildServiceProvider();

        var runtime = services.GetRequiredService<AtlasRuntime>();

        Assert.Same(runtime, services.GetRequiredService<AtlasRuntime>());
        Assert.True(runtime.GetProviderStatus("offline").Available);
    }
}
