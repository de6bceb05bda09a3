using System.Collections.Generic;

namespace Atlas.Runtime;

// The runtime's view of Atlas types, for checking JSON values against them (ValueShapes): what a
// declared record, enum or type reference is, without the compiler. The interpreter maps the
// bound model's types to these once; the built-in Passage is a record like any other here.

/// <summary>What kind of value an Atlas type holds.</summary>
public enum AtlasTypeKind
{
    /// <summary><c>string</c>: a JSON string.</summary>
    String,

    /// <summary><c>int</c>: a whole JSON number that fits in 32 bits.</summary>
    Int,

    /// <summary><c>float</c>: a JSON number, held as a double.</summary>
    Float,

    /// <summary><c>bool</c>: <c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary>A declared <c>enum</c>: a JSON string that is one of its members (<see cref="EnumDescriptor"/>).</summary>
    Enum,

    /// <summary>A declared <c>type</c>, or the built-in <c>Passage</c>: a JSON object with its fields (<see cref="RecordDescriptor"/>).</summary>
    Record,

    /// <summary>Any JSON value, taken as it is: the element type of an empty list literal <c>[]</c>.</summary>
    Any,
}

/// <summary>
/// A reference to an Atlas type as a parameter, field or result declares it: <c>T</c>, <c>T[]</c>, <c>T?</c> or <c>T[]?</c>.
/// <see cref="Name"/> names the declared enum or record for <see cref="AtlasTypeKind.Enum"/> and <see cref="AtlasTypeKind.Record"/>.
/// </summary>
/// <param name="Name">The type's name: <c>string</c>, <c>int</c>, <c>float</c>, <c>bool</c>, or a declared name.</param>
/// <param name="Kind">What kind of value it holds.</param>
/// <param name="IsList">A list of the type (<c>T[]</c>); lists hold values, never nulls.</param>
/// <param name="IsOptional">May be null (<c>T?</c>, <c>T[]?</c>); an optional record field may also be absent.</param>
public sealed record AtlasTypeRef(string Name, AtlasTypeKind Kind, bool IsList = false, bool IsOptional = false)
{
    /// <summary>The element type of a list (not optional); the type itself when it is not a list.</summary>
    public AtlasTypeRef Element => this with { IsList = false, IsOptional = false };

    /// <summary>The type as Atlas writes it: <c>Ticket[]?</c>.</summary>
    /// <returns>The name with <c>[]</c> and <c>?</c> as they apply.</returns>
    public override string ToString() => Name + (IsList ? "[]" : "") + (IsOptional ? "?" : "");
}

/// <summary>A field of a record: its declared name (also its JSON property name) and type.</summary>
/// <param name="Name">The declared name.</param>
/// <param name="Type">The declared type.</param>
public sealed record FieldDescriptor(string Name, AtlasTypeRef Type);

/// <summary>A declared <c>type</c> (or the built-in <c>Passage</c>): its fields in declaration order.</summary>
/// <param name="Name">The declared name.</param>
/// <param name="Fields">The fields, in declaration order (the order of canonical JSON).</param>
public sealed record RecordDescriptor(string Name, IReadOnlyList<FieldDescriptor> Fields);

/// <summary>A declared <c>enum</c>: its members as declared (also their JSON spelling).</summary>
/// <param name="Name">The declared name.</param>
/// <param name="Members">The members, in declaration order.</param>
public sealed record EnumDescriptor(string Name, IReadOnlyList<string> Members);
