using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Atlas.Compiler.Model;

namespace Atlas.Compiler.Emit;

/// <summary>
/// How Atlas names become C# names: declarations keep their name (escaped if it is a C# keyword),
/// members and classes are PascalCase (<c>billing_expert</c> → <c>BillingExpert</c>), parameters
/// and locals camelCase. Every function here is pure, so each emitted file computes the same
/// name for the same declaration without seeing the others.
/// </summary>
internal static class CSharpNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit",
        "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int",
        "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out",
        "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed",
        "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try",
        "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        // contextual keywords that break code in the positions generated code uses them
        "await", "var", "dynamic", "nameof", "value", "record", "async", "yield", "field", "scoped", "file",
    };

    /// <summary>Members a record already has (or that Atlas adds), so a field cannot take their name.</summary>
    private static readonly string[] RecordMembers =
    {
        "JsonSchema", "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers",
        "GetType", "MemberwiseClone", "Finalize", "Clone",
    };

    /// <summary><c>billing_expert</c> → <c>BillingExpert</c>; <c>HTTPCode</c> stays. Never empty, never starts with a digit.</summary>
    public static string Pascal(string name)
    {
        var builder = new StringBuilder(name.Length);
        bool upper = true;
        foreach (char c in name)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        if (builder.Length == 0 || char.IsDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    /// <summary><c>order_id</c> → <c>orderId</c>, escaped with <c>@</c> if it is a keyword.</summary>
    public static string Camel(string name)
    {
        var pascal = Pascal(name);
        var camel = pascal[0] == '_' ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return Escape(camel);
    }

    /// <summary>A declared name used as a C# identifier as is (types and enums keep their names).</summary>
    public static string Escape(string identifier) => Keywords.Contains(identifier) ? "@" + identifier : identifier;

    /// <summary>An identifier without a leading <c>@</c>, for building other names from it.</summary>
    public static string Bare(string identifier) => identifier.StartsWith("@", StringComparison.Ordinal) ? identifier.Substring(1) : identifier;

    /// <summary>The name of a type or enum in its own declaration.</summary>
    public static string TypeName(string declared) => Escape(declared);

    /// <summary>
    /// Names that generated classes use for their own members and nested types (<c>Descriptor</c>,
    /// <c>Graph</c>, <c>State</c>, ...). Inside those classes a declared type with such a name would be
    /// captured by the member, so references to it are written <c>global::Namespace.Name</c>.
    /// </summary>
    private static readonly HashSet<string> Captured = new(StringComparer.Ordinal)
    {
        "Descriptor", "InvokeAsync", "StreamAsync", "CreateArguments",
        "Graph", "Nodes", "State", "BuildGraph", "GetResult", "RunAsync", "RunStreamingAsync", "CreateBlock", "Tools", "Result",
        "Instance", "JsonSchema", "Read", "Write", "ReadValue", "WriteValue", "ToJsonName",
        "CreateFunctions", "Schema", "Name", "Description", "InvokeCoreAsync", "ParseSchema", "RequiredArgument", "OptionalArgument",
        "Providers", "Routes", "KnowledgeBases", "AddTo", "CreateRuntime", "Options", "GetTypeInfo",
    };

    /// <summary>A reference to a declared type or enum from generated code (qualified when a generated member could capture its name).</summary>
    public static string Ref(string declared, string ns) =>
        Captured.Contains(declared) || declared.EndsWith("Function", StringComparison.Ordinal)
            ? "global::" + (string.IsNullOrWhiteSpace(ns) ? "" : ns + ".") + declared
            : Escape(declared);

    public static string AgentClass(string agent) => Pascal(agent) + "Agent";

    public static string HumanClass(string human) => Pascal(human) + "Human";

    public static string WorkflowClass(string workflow) => Pascal(workflow) + "Workflow";

    public static string WorkflowInput(string workflow) => Pascal(workflow) + "Input";

    public static string ToolMethod(string tool) => Pascal(tool) + "Async";

    public static string ToolFunctionClass(string tool) => Pascal(tool) + "Function";

    public static string Converter(string typeName) => Bare(typeName) + "JsonConverter";

    /// <summary>The property names of a record's fields, in declaration order, unique and clear of the record's own members.</summary>
    public static string[] Properties(TypeModel type)
    {
        var taken = new HashSet<string>(RecordMembers, StringComparer.Ordinal) { Bare(type.Name) };
        var names = new string[type.Fields.Count];
        for (int i = 0; i < names.Length; i++) names[i] = Unique(Pascal(type.Fields[i].Name), taken);
        return names;
    }

    public static string Property(TypeModel type, string field)
    {
        var names = Properties(type);
        for (int i = 0; i < type.Fields.Count; i++)
        {
            if (string.Equals(type.Fields[i].Name, field, StringComparison.Ordinal)) return names[i];
        }

        throw new InvalidOperationException($"Type {type.Name} has no field {field}.");
    }

    /// <summary>The C# members of an enum, in declaration order, unique.</summary>
    public static string[] EnumMembers(EnumModel model)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { "value__" };
        var names = new string[model.Members.Count];
        for (int i = 0; i < names.Length; i++) names[i] = Unique(Pascal(model.Members[i]), taken);
        return names;
    }

    public static string EnumMember(EnumModel model, string member)
    {
        var names = EnumMembers(model);
        for (int i = 0; i < model.Members.Count; i++)
        {
            if (string.Equals(model.Members[i], member, StringComparison.Ordinal)) return names[i];
        }

        throw new InvalidOperationException($"Enum {model.Name} has no member {member}.");
    }

    /// <summary>The property of <c>Atlas.Runtime.Passage</c> for a field of <see cref="BuiltInTypes.Passage"/>.</summary>
    public static string PassageProperty(string field) => Pascal(field);

    /// <summary>Method parameter names in declaration order: camelCase, unique, clear of <paramref name="reserved"/>.</summary>
    public static string[] Parameters(IReadOnlyList<ParameterModel> parameters, params string[] reserved)
    {
        var taken = new HashSet<string>(reserved, StringComparer.Ordinal);
        var names = new string[parameters.Count];
        for (int i = 0; i < names.Length; i++) names[i] = Escape(Unique(Bare(Camel(parameters[i].Name)), taken));
        return names;
    }

    /// <summary><paramref name="name"/>, or <c>nameValue</c>, <c>nameValue2</c>, ... if taken; adds the result to <paramref name="taken"/>.</summary>
    public static string Unique(string name, HashSet<string> taken)
    {
        if (taken.Add(name)) return name;
        var candidate = name + "Value";
        for (int i = 2; !taken.Add(candidate); i++) candidate = name + "Value" + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }

    /// <summary>The C# type of an Atlas type: <c>T[]</c> → <c>IReadOnlyList&lt;T&gt;</c>, <c>T?</c> nullable, <c>float</c> → <c>double</c>.</summary>
    public static string Type(TypeRef type, string ns)
    {
        var element = type.Kind switch
        {
            TypeKind.String => "string",
            TypeKind.Int => "int",
            TypeKind.Float => "double",
            TypeKind.Bool => "bool",
            TypeKind.Passage => "Passage",
            TypeKind.Enum or TypeKind.Record => Ref(type.Name, ns),
            _ => "object",
        };
        if (type.IsList) element = "IReadOnlyList<" + element + ">";
        return type.IsOptional ? element + "?" : element;
    }

    /// <summary>True when the C# type is a value type (so <c>T?</c> is <c>Nullable&lt;T&gt;</c>).</summary>
    public static bool IsValueType(TypeRef type) =>
        !type.IsList && type.Kind is TypeKind.Int or TypeKind.Float or TypeKind.Bool or TypeKind.Enum;
}
