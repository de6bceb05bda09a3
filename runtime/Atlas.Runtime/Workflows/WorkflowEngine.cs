using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime;

/// <summary>
/// Runs one input through a <see cref="WorkflowGraph{TState}"/> directly, with tasks instead of dataflow blocks:
/// each step starts once the steps it reads are done (at once, on the caller's thread, when they already are),
/// independent steps run concurrently, a switch runs only its chosen arm, and the run ends when every step has.
/// </summary>
/// <remarks>
/// <para>The rules are the ones every back-end shares: a step whose dependencies finished after the run failed is
/// skipped; a failing step records the run's first failure and the steps already running go on; only cancellation
/// ends a run early (an <see cref="OperationCanceledException"/> out of <see cref="RunAsync"/>). A step's body runs
/// under its <see cref="StepPolicy"/> only when the policy sets something. Nothing is allocated for events unless the
/// run is observed.</para>
/// <para>Built once per graph; thread-safe (a run's data lives in its state, its <see cref="RunContext"/> and its task array).</para>
/// </remarks>
internal sealed class WorkflowEngine<TState> where TState : class
{
    private readonly IReadOnlyList<StepSpec<TState>> _steps;
    private readonly int[][] _dependencies;

    public WorkflowEngine(IReadOnlyList<StepSpec<TState>> steps)
    {
        _steps = steps;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++) index[steps[i].Name] = i;
        _dependencies = new int[steps.Count][];
        for (var i = 0; i < steps.Count; i++)
        {
            var names = steps[i].DependsOn;
            var dependencies = new int[names.Count];
            for (var d = 0; d < names.Count; d++) dependencies[d] = index[names[d]];
            _dependencies[i] = dependencies;
        }
    }

    /// <summary>The steps, in a topological order (each after the steps it depends on).</summary>
    public IReadOnlyList<StepSpec<TState>> Steps => _steps;

    /// <summary>
    /// Runs every step of the graph for <paramref name="state"/>; failures are recorded in <paramref name="context"/>
    /// (with their events), never thrown. <paramref name="limits"/>, when given, caps how many runs execute each step at once.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task RunAsync(AtlasRuntime runtime, TState state, RunContext context, StepLimits? limits, CancellationToken cancellationToken) =>
        AtlasTelemetry.Source.HasListeners() || AtlasTelemetry.RunCost.Enabled
            ? RunTracedAsync(runtime, state, context, limits, cancellationToken)
            : RunStepsAsync(runtime, state, context, limits, cancellationToken);

    /// <summary>A run inside its <c>invoke_workflow</c> span (its steps' spans are its children), its cost recorded.</summary>
    private async Task RunTracedAsync(AtlasRuntime runtime, TState state, RunContext context, StepLimits? limits, CancellationToken cancellationToken)
    {
        using var activity = AtlasTelemetry.Source.StartActivity($"invoke_workflow {context.Workflow}", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(AtlasTelemetry.Attributes.OperationName, "invoke_workflow");
            activity.SetTag(AtlasTelemetry.Attributes.WorkflowName, context.Workflow);
            activity.SetTag(AtlasTelemetry.Attributes.RunId, context.RunId);
        }

        await RunStepsAsync(runtime, state, context, limits, cancellationToken).ConfigureAwait(false);
        var usage = context.Usage;
        if (activity is not null)
        {
            AtlasTelemetry.SetUsage(activity, usage);
            if (context.Failure is { IsWaiting: false } failure)
            {
                activity.SetTag(AtlasTelemetry.Attributes.Step, failure.Step);
                AtlasTelemetry.Fail(activity, failure.Exception, runtime.Secrets);
            }
        }

        if (AtlasTelemetry.RunCost.Enabled)
        {
            AtlasTelemetry.RunCost.Record((double)usage.CostUsd, new KeyValuePair<string, object?>("workflow", context.Workflow));
        }
    }

    private Task RunStepsAsync(AtlasRuntime runtime, TState state, RunContext context, StepLimits? limits, CancellationToken cancellationToken)
    {
        var count = _steps.Count;
        if (count == 0) return Task.CompletedTask;
        var run = new Run(this, runtime, state, context, limits, cancellationToken);
        for (var i = 0; i < count; i++)
        {
            var task = run.StartStep(i);
            if (run.Tasks is { } tasks)
            {
                tasks[i] = task;
            }
            else if (!task.IsCompletedSuccessfully)
            {
                // The first step that did not finish at once: from here on, steps wait for tasks.
                run.Tasks = new Task[count];
                for (var done = 0; done < i; done++) run.Tasks[done] = Task.CompletedTask;
                run.Tasks[i] = task;
            }
        }

        if (run.Tasks is null) return Task.CompletedTask;
        for (var i = 0; i < count; i++)
        {
            if (!run.Tasks[i].IsCompletedSuccessfully) return WaitAsync(run.Tasks, i);
        }

        return Task.CompletedTask;
    }

    private static async Task WaitAsync(Task[] tasks, int first)
    {
        for (var i = first; i < tasks.Length; i++) await tasks[i].ConfigureAwait(false);
    }

    /// <summary>One run's progress.</summary>
    private sealed class Run(WorkflowEngine<TState> engine, AtlasRuntime runtime, TState state, RunContext context, StepLimits? limits, CancellationToken cancellationToken)
    {
        /// <summary>The task of each step, indexed as the graph's steps; null while every step so far finished at once.</summary>
        public Task[]? Tasks { get; set; }

        public Task StartStep(int index)
        {
            if (Tasks is null) return StepAsync(index, waitForDependencies: false); // every step before it, so every dependency, is done
            foreach (var dependency in engine._dependencies[index])
            {
                if (!Tasks[dependency].IsCompleted) return StepAsync(index, waitForDependencies: true);
                if (!Tasks[dependency].IsCompletedSuccessfully) return Tasks[dependency]; // cancelled: the run stops
            }

            return StepAsync(index, waitForDependencies: false);
        }

        /// <summary>
        /// One step, start to end, in one state machine: its dependencies, its slot under a step limit, its arm, its
        /// policy and its events. It allocates nothing when everything it waits for is already done.
        /// </summary>
        private async Task StepAsync(int index, bool waitForDependencies)
        {
            if (waitForDependencies)
            {
                foreach (var dependency in engine._dependencies[index]) await Tasks![dependency].ConfigureAwait(false);
            }

            if (context.IsFailed) return;
            var spec = engine._steps[index];
            var slot = limits?.For(index);
            if (slot is not null && !slot.Wait(0)) await slot.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (context.IsFailed) return;
                var recorder = context.Recorder;
                if (recorder is not null && await TryReuseAsync(recorder, spec).ConfigureAwait(false)) return;
                if (SelectBody(spec) is not { } body) return;
                var step = new StepContext(context, spec.Name);
                var observed = context.Observed;
                var startedAt = observed ? context.Now : default;
                if (observed) context.Emit(new StepStarted(context.RunId, spec.Name, startedAt));
                var measured = observed || AtlasTelemetry.StepDuration.Enabled;
                var started = measured ? runtime.TimeProvider.GetTimestamp() : 0;
                using var activity = StartStepActivity(spec.Name);
                try
                {
                    if (spec.Policy.Retry <= 0 && spec.Policy.Timeout is null)
                    {
                        // No policy: nothing for Polly to do, so no wrapper either (the common case, and the hot path).
                        step.Attempts = 1;
                        await body(state, step, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await runtime.Resilience.ExecuteAsync(
                            spec.Policy,
                            step,
                            async ct =>
                            {
                                step.Attempts++;
                                await body(state, step, ct).ConfigureAwait(false);
                                return true;
                            },
                            canRetry: null,
                            cancellationToken).ConfigureAwait(false);
                    }

                    var duration = measured ? runtime.TimeProvider.GetElapsedTime(started) : default;
                    EndStep(activity, spec.Name, step, duration, error: null);
                    if (observed) context.Emit(new StepCompleted(context.RunId, spec.Name, context.Now, duration, step.Usage));

                    // Durable before any step that reads it starts: they wait for this task.
                    if (recorder is not null)
                    {
                        await recorder.CompleteStepAsync(
                            new StepRecord(context.RunId, spec.Name, spec.Checkpoint?.Fingerprint ?? "", StepStatus.Succeeded, spec.Checkpoint?.Save(state), step.Attempts, startedAt, duration, step.Usage, null),
                            CancellationToken.None).ConfigureAwait(false); // a finished step is kept even if the run is being cancelled
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    EndStep(activity, spec.Name, step, measured ? runtime.TimeProvider.GetElapsedTime(started) : default, ex);
                    Fail(spec.Name, ex);
                    if (recorder is not null)
                    {
                        var waiting = ex is HumanInputRequiredException;
                        await recorder.TryCompleteStepAsync(
                            new StepRecord(context.RunId, spec.Name, spec.Checkpoint?.Fingerprint ?? "", waiting ? StepStatus.Waiting : StepStatus.Failed, null, step.Attempts, startedAt, runtime.TimeProvider.GetElapsedTime(started), step.Usage, waiting ? null : RunContext.Describe(ex))).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                slot?.Release();
            }
        }

        /// <summary>
        /// A resumed run's step that the store holds unchanged: its result goes into the state and the step does not run.
        /// A result that no longer fits the state (or a dependency that ran after all) makes the step run.
        /// </summary>
        private async Task<bool> TryReuseAsync(RunRecorder recorder, StepSpec<TState> spec)
        {
            if (spec.Checkpoint is not { } checkpoint || recorder.Reusable(spec.Name, spec.DependsOn) is not { } earlier)
            {
                recorder.Ran(spec.Name);
                return false;
            }

            try
            {
                checkpoint.Restore(state, earlier.Result!);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                recorder.Ran(spec.Name);
                return false;
            }

            var now = context.Now;
            context.Emit(new StepStarted(context.RunId, spec.Name, now));
            context.Emit(new StepCompleted(context.RunId, spec.Name, now, TimeSpan.Zero, Usage.Zero) { Reused = true });
            await recorder.ReuseStepAsync(earlier, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>The step's span, a child of the run's: null while nobody listens.</summary>
        private Activity? StartStepActivity(string name)
        {
            if (!AtlasTelemetry.Source.HasListeners()) return null;
            var activity = AtlasTelemetry.Source.StartActivity($"step {name}", ActivityKind.Internal);
            activity?.SetTag(AtlasTelemetry.Attributes.Step, name);
            activity?.SetTag(AtlasTelemetry.Attributes.RunId, context.RunId);
            activity?.SetTag(AtlasTelemetry.Attributes.WorkflowName, context.Workflow);
            return activity;
        }

        /// <summary>A step's end in telemetry: its span's retries, usage and outcome, and its duration.</summary>
        private void EndStep(Activity? activity, string name, StepContext step, TimeSpan duration, Exception? error)
        {
            var status = error is null ? "succeeded" : error is HumanInputRequiredException ? "waiting" : "failed";
            if (activity is not null)
            {
                if (step.Attempts > 1) activity.SetTag(AtlasTelemetry.Attributes.Retry, step.Attempts - 1);
                AtlasTelemetry.SetUsage(activity, step.Usage);
                if (status == "failed") AtlasTelemetry.Fail(activity, error!, runtime.Secrets);
            }

            if (AtlasTelemetry.StepDuration.Enabled)
            {
                AtlasTelemetry.StepDuration.Record(
                    duration.TotalSeconds,
                    new KeyValuePair<string, object?>("workflow", context.Workflow),
                    new KeyValuePair<string, object?>("step", name),
                    new KeyValuePair<string, object?>("status", status));
            }
        }

        /// <summary>The body to run: the step's own, or the arm its switch chooses; null when choosing failed the step.</summary>
        private StepBody<TState>? SelectBody(StepSpec<TState> spec)
        {
            if (!spec.IsSwitch) return spec.Body!;
            try
            {
                var arm = spec.SelectArm!(state);
                if (arm < 0 || arm >= spec.Arms.Count) throw new InvalidOperationException($"switch chose arm {arm}, but it has arms 0 to {spec.Arms.Count - 1}");
                return spec.Arms[arm];
            }
            catch (Exception ex)
            {
                // The step started (its subject was read) and failed before any arm ran.
                if (context.Observed) context.Emit(new StepStarted(context.RunId, spec.Name, context.Now));
                Fail(spec.Name, ex);
                return null;
            }
        }

        private void Fail(string step, Exception error)
        {
            context.Fail(step, error);
            if (error is not HumanInputRequiredException && runtime.Logger.IsEnabled(LogLevel.Warning)) RuntimeLog.StepFailed(runtime.Logger, step, context.RunId, runtime.Secrets.Redact(RunContext.Describe(error)));
            if (context.Observed) context.Emit(new StepFailed(context.RunId, step, context.Now, RunContext.Describe(error)));
        }
    }
}

/// <summary>At most so many runs in one step at once, per step: a stream's per-step parallelism.</summary>
internal sealed class StepLimits(int steps, int perStep) : IDisposable
{
    private readonly SemaphoreSlim[] _limits = CreateLimits(steps, perStep);

    public SemaphoreSlim For(int step) => _limits[step];

    public void Dispose()
    {
        foreach (var limit in _limits) limit.Dispose();
    }

    private static SemaphoreSlim[] CreateLimits(int steps, int perStep)
    {
        var limits = new SemaphoreSlim[steps];
        for (var i = 0; i < steps; i++) limits[i] = new SemaphoreSlim(perStep, perStep);
        return limits;
    }
}
