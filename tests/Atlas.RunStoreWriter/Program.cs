using System;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Runtime;

// atlas-run-store-writer STORE PREFIX COUNT: records COUNT runs with ids PREFIX-0..., each with three steps and their
// events and a model call per step, 8 at a time; exits 1 with the error's message if any write fails.
if (args.Length != 3 || !int.TryParse(args[2], out var count))
{
    Console.Error.WriteLine("usage: Atlas.RunStoreWriter STORE PREFIX COUNT");
    return 2;
}

var (path, prefix) = (args[0], args[1]);
try
{
    await using var store = new SqliteRunStore(path);
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    {
        var id = $"{prefix}-{i}";
        var at = DateTimeOffset.UtcNow;
        var run = new RunRecord(id, "flow", "fp", "{\"n\":" + i + "}", RunStatus.Running, at, null, Usage.Zero, null);
        await store.StartRunAsync(run, ct);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await store.RecordModelCallAsync(new ModelCallRecord(id, name, "agent", "model", "mock", "mock-1", id + name, "{}", "{}", new Usage(1, 2, 0.5m), TimeSpan.FromMilliseconds(3), at), ct);
            var step = new StepRecord(id, name, "fp-" + name, StepStatus.Succeeded, "\"" + name + "\"", 1, at, TimeSpan.FromMilliseconds(5), new Usage(1, 2, 0.5m), null);
            await store.CompleteStepAsync(step, [new StepStarted(id, name, at), new StepCompleted(id, name, at.AddMilliseconds(5), step.Duration, step.Usage)], ct);
        }

        await store.EndRunAsync(run with { Status = RunStatus.Succeeded, EndedAt = DateTimeOffset.UtcNow, Output = "\"done\"" }, [new RunStarted(id, "flow", at)], ct);
    });
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
