using System;
using System.Linq;
using System.Text.Json.Nodes;
using Atlas.Compiler.Model;
using Atlas.Runtime;

namespace Atlas.Interpreter;

/// <summary>
/// The model's types as the runtime's <see cref="ValueShapes"/>: its records and enums (and the built-in
/// <c>Passage</c>) mapped to runtime descriptors once, so values are checked and made canonical by the runtime.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class TypeShapes
{
    /// <summary>The shapes of <paramref name="model"/>'s records and enums.</summary>
    /// <param name="model">The bound model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public TypeShapes(AtlasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var records = model.Types.Append(BuiltInTypes.Passage).Select(t => new RecordDescriptor(t.Name, t.Fields.Select(f => new FieldDescriptor(f.Name, Runtime(f.Type))).ToArray()));
        var enums = model.Enums.Select(e => new EnumDescriptor(e.Name, e.Members.ToArray()));
        Values = new ValueShapes(records, enums);
    }

    /// <summary>The runtime's shapes of the model's types.</summary>
    public ValueShapes Values { get; }

    /// <summary>
    /// <paramref name="value"/> as a canonical value of <paramref name="type"/>; <paramref name="path"/>
    /// names it in errors (<c>ticket</c>, <c>docs[2].title</c>; empty for "the value").
    /// </summary>
    /// <param name="value">The value; it is not modified.</param>
    /// <param name="type">Its declared type.</param>
    /// <param name="path">Where the value sits, for messages.</param>
    /// <returns>A fresh canonical tree, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is null.</exception>
    /// <exception cref="JsonShapeException">The value does not fit the type.</exception>
    public JsonNode? Conform(JsonNode? value, TypeRef type, string path = "")
    {
        ArgumentNullException.ThrowIfNull(type);
        return Values.Conform(value, Runtime(type), path);
    }

    /// <summary>A type of the model as the runtime's reference, kind for kind (<c>Passage</c> is a record).</summary>
    /// <param name="type">A bound type.</param>
    /// <returns>The runtime's reference to the same type.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is null.</exception>
    public static AtlasTypeRef Runtime(TypeRef type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var kind = type.Kind switch
        {
            TypeKind.String => AtlasTypeKind.String,
            TypeKind.Int => AtlasTypeKind.Int,
            TypeKind.Float => AtlasTypeKind.Float,
            TypeKind.Bool => AtlasTypeKind.Bool,
            TypeKind.Enum => AtlasTypeKind.Enum,
            TypeKind.Record or TypeKind.Passage => AtlasTypeKind.Record,
            // Only `[]` has an element of no type in a model without errors: any value fits it.
            _ => AtlasTypeKind.Any,
        };
        return new AtlasTypeRef(type.Name, kind, type.IsList, type.IsOptional);
    }
}
