using System;

namespace Atlas.Runtime;

/// <summary>
/// Marks a public method (static, or instance on a public class with a public parameterless
/// constructor) as the implementation of the tool an .atlas file declares under <see cref="Name"/>,
/// for <c>atlas run --tools MyTools.dll</c> and <c>atlas chat --tools</c>.
/// </summary>
/// <remarks>
/// Parameters are bound by name from the model's (or the step's) JSON arguments with System.Text.Json:
/// <c>order_id</c> binds <c>orderId</c> or <c>order_id</c> (underscores and case are ignored); a
/// <see cref="System.Threading.CancellationToken"/> parameter gets the run's token. The method may return a
/// value or a <c>Task</c>/<c>ValueTask</c> of one. Without the attribute, a public method named like the
/// tool (<c>lookup_order</c>, <c>LookupOrder</c> or <c>LookupOrderAsync</c>) is used; the attribute wins.
/// The CLI matches the attribute by its full name, so a tools assembly may declare its own
/// <c>Atlas.Runtime.AtlasToolAttribute</c> instead of referencing Atlas.Runtime.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AtlasToolAttribute : Attribute
{
    /// <summary>Marks the method as the implementation of a declared tool.</summary>
    /// <param name="name">The tool's declared name (e.g. <c>lookup_order</c>); <see langword="null"/> to match the method's own name.</param>
    public AtlasToolAttribute(string? name = null) => Name = name;

    /// <summary>The declared tool this method implements; <see langword="null"/> when it is matched by the method's own name.</summary>
    public string? Name { get; }

    /// <summary>
    /// The tool only reads (a lookup, a search): the offline <c>mock</c> may call it with made-up arguments.
    /// Must agree with the declaration's <c>read_only</c>; <c>atlas run --tools</c> refuses a method whose
    /// <c>ReadOnly</c> is set otherwise (the declaration is what generated code and every run go by).
    /// </summary>
    public bool ReadOnly { get; set; }
}
