using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Atlas.Runtime;

/// <summary>
/// How a step's result is checkpointed in the run store and read back on resume: its plan fingerprint, and its result
/// written to JSON and restored into a run's state. Generated code and the interpreter give one per step.
/// </summary>
/// <typeparam name="TState">The run's state.</typeparam>
public sealed class StepCheckpoint<TState> where TState : class
{
    private StepCheckpoint(string fingerprint, Func<TState, string> save, Action<TState, string> restore)
    {
        Fingerprint = fingerprint;
        Save = save;
        Restore = restore;
    }

    /// <summary>The step's plan fingerprint: a resumed run reuses the recorded result only while it is the same.</summary>
    public string Fingerprint { get; }

    /// <summary>The step's result in a state, as JSON.</summary>
    internal Func<TState, string> Save { get; }

    /// <summary>Writes a recorded result into a new run's state; throws when the JSON does not fit.</summary>
    internal Action<TState, string> Restore { get; }

    /// <summary>A checkpoint of the step result that <paramref name="get"/> reads and <paramref name="set"/> writes.</summary>
    /// <typeparam name="T">The step's result type.</typeparam>
    /// <param name="fingerprint">The step's plan fingerprint.</param>
    /// <param name="get">Reads the result from a finished step's state.</param>
    /// <param name="set">Writes a restored result into a state.</param>
    /// <param name="json">The result type's JSON metadata (generated code's <c>AtlasJson.GetTypeInfo&lt;T&gt;()</c>).</param>
    /// <returns>The checkpoint.</returns>
    public static StepCheckpoint<TState> Of<T>(string fingerprint, Func<TState, T> get, Action<TState, T> set, JsonTypeInfo<T> json)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(json);
        return new StepCheckpoint<TState>(
            fingerprint,
            state => JsonSerializer.Serialize(get(state), json),
            (state, text) => set(state, JsonSerializer.Deserialize(text, json)!));
    }
}

/// <summary>
/// What a recorded run of a graph needs beyond its steps: the workflow's plan fingerprint, its input as JSON (saved with
/// the run; resuming reads it back into a new state) and its result as JSON.
/// </summary>
/// <typeparam name="TState">The run's state.</typeparam>
/// <param name="Fingerprint">The workflow plan's fingerprint.</param>
/// <param name="SaveInput">A new state's input, as JSON (with one parameter its value, with several an object by name).</param>
/// <param name="SaveResult">The workflow's result for a finished run's state, as JSON (it throws as the return would).</param>
public sealed record WorkflowCheckpoints<TState>(
    string Fingerprint,
    Func<TState, string> SaveInput,
    Func<TState, string> SaveResult) where TState : class;
