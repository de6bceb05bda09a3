namespace Atlas.Compiler.Diagnostics;

/// <summary>
/// Every diagnostic Atlas reports, in one place: id, severity, title and message format. Ids are
/// stable and never reused, in bands: 0xxx syntax, 1xxx YAML, 2xxx binding and types, 3xxx workflow
/// graph, 9xxx internal. A code means one thing. Diagnostics are built only by
/// <see cref="DiagnosticBuilder"/>, one method per descriptor (a test keeps the two in step);
/// spec/diagnostics.md documents each one (another test runs its examples).
/// </summary>
/// <remarks>
/// A format of just <c>{0}</c> is a reader's own explanation of text it cannot read (ATL0001 the .atlas
/// parser, ATL0003 the template parser, ATL1001 the YAML reader, ATL1002 the YAML loader's node shapes).
/// </remarks>
public static class DiagnosticDescriptors
{
    private const string Syntax = "Atlas.Syntax";
    private const string Yaml = "Atlas.Yaml";
    private const string Binding = "Atlas.Binding";
    private const string Graph = "Atlas.Workflow";
    private const string Internal = "Atlas.Internal";

    // 0xxx syntax
    public static readonly DiagnosticDescriptor SyntaxError = Error("ATL0001", "Syntax error", "{0}", Syntax);
    public static readonly DiagnosticDescriptor UnterminatedString = Error("ATL0002", "Unterminated string", "This string is never closed; end it with `{0}`", Syntax);
    public static readonly DiagnosticDescriptor TemplateSyntaxError = Error("ATL0003", "Template syntax error", "{0}", Syntax);
    public static readonly DiagnosticDescriptor InvalidDurationUnit = Error("ATL0004", "Invalid duration", "`{0}` is not a duration unit; use ms, s, m or h (e.g. `500ms`, `20s`){1}", Syntax);
    public static readonly DiagnosticDescriptor InvalidNumber = Error("ATL0005", "Invalid number", "`{0}` {1}", Syntax);
    public static readonly DiagnosticDescriptor MoreDiagnostics = Error("ATL0006", "Too many diagnostics", "{0} more diagnostics in this file are not shown ({1}), only the first {2}; fix these and check again", Syntax);
    public static readonly DiagnosticDescriptor SpacedDuration = Error("ATL0007", "Space inside a duration", "`{0}` is not a duration: write the unit right after the number, without a space: `{1}`", Syntax);

    // 1xxx YAML
    public static readonly DiagnosticDescriptor YamlSyntaxError = Error("ATL1001", "YAML syntax error", "{0}", Yaml);
    public static readonly DiagnosticDescriptor YamlUnexpectedNode = Error("ATL1002", "Unexpected YAML node", "{0}", Yaml);
    public static readonly DiagnosticDescriptor YamlUnknownSection = Error("ATL1003", "Unknown YAML section", "`{0}` is not a section of an Atlas YAML file; use {1}{2}", Yaml);
    public static readonly DiagnosticDescriptor YamlDuplicateKey = Error("ATL1004", "Duplicate YAML key", "The key `{0}` is already used in this mapping at line {1}, column {2}; YAML keys must be unique, so rename or merge this one", Yaml);
    public static readonly DiagnosticDescriptor YamlUnknownKey = Error("ATL1005", "Unknown YAML key", "`{0}` is not a key of {1}; use {2}{3}", Yaml);
    public static readonly DiagnosticDescriptor YamlMissingReturns = Error("ATL1006", "Missing result type", "{0} needs `returns:` with the type of its result (e.g. `returns: {1}`)", Yaml);
    public static readonly DiagnosticDescriptor YamlInvalidName = Error("ATL1007", "Invalid name", "{0} is not a valid name for {1}; use letters, digits and `_`, not starting with a digit", Yaml);
    public static readonly DiagnosticDescriptor YamlAlias = Error("ATL1008", "YAML alias", "YAML aliases (`*{0}`) are not supported in Atlas files; write the value out here", Yaml);

    // 2xxx binding and types
    public static readonly DiagnosticDescriptor UnknownName = Error("ATL2001", "Unknown name", "`{0}` is not declared{1}", Binding);
    public static readonly DiagnosticDescriptor UnknownMember = Error("ATL2002", "Unknown member", "`{0}` has no member `{1}`{2}", Binding);
    public static readonly DiagnosticDescriptor DuplicateName = Error("ATL2003", "Duplicate name", "`{0}` is already declared at {1}; give this one another name", Binding);
    public static readonly DiagnosticDescriptor ArgumentCountMismatch = Error("ATL2004", "Wrong number of arguments", "`{0}` takes {1} ({2}) but is given {3}", Binding);
    public static readonly DiagnosticDescriptor ArgumentTypeMismatch = Error("ATL2005", "Argument of the wrong type", "Argument `{0}` of `{1}` must be `{2}`, not `{3}`", Binding);
    public static readonly DiagnosticDescriptor ReturnTypeMismatch = Error("ATL2006", "Return type mismatch", "Workflow `{0}` returns `{1}`, but this is `{2}`", Binding);
    public static readonly DiagnosticDescriptor UnknownAttribute = Error("ATL2007", "Unknown attribute", "`{0}` has no attribute `{1}`{2}", Binding);
    public static readonly DiagnosticDescriptor InvalidAttributeValue = Error("ATL2008", "Attribute value of the wrong kind", "`{0}` must be {1}, not {2}{3}", Binding);
    public static readonly DiagnosticDescriptor AttributeOutOfRange = Error("ATL2009", "Attribute value out of range", "`{0}` must be {1}, not {2}", Binding);
    public static readonly DiagnosticDescriptor UnknownOption = Error("ATL2010", "Unknown option", "`{0}` is not a valid {1}; use one of {2}{3}", Binding);
    public static readonly DiagnosticDescriptor MissingAttribute = Error("ATL2011", "Missing attribute", "{0} `{1}` needs `{2}`{3}", Binding);
    public static readonly DiagnosticDescriptor RouteCannotMeetRequirements = Error("ATL2012", "Route cannot meet its requirements", "Route `{0}` requires [{1}], but no provider in its `use` list supports all of that: {2}; add a provider that does, or require less", Binding);
    public static readonly DiagnosticDescriptor UnusedDeclaration = Warning("ATL2013", "Unused declaration", "{0} `{1}` is declared but never used", Binding);
    public static readonly DiagnosticDescriptor UnknownType = Error("ATL2014", "Unknown type", "Type `{0}` is not declared{1}", Binding);
    public static readonly DiagnosticDescriptor WrongKindOfName = Error("ATL2015", "Wrong kind of name", "`{0}` is {1}, but {2} is expected here", Binding);
    public static readonly DiagnosticDescriptor MissingField = Error("ATL2016", "Missing field", "`{0}` needs a value for `{1}`", Binding);
    public static readonly DiagnosticDescriptor TypeMismatch = Error("ATL2017", "Type mismatch", "`{0}` must be {1}, not `{2}`", Binding);
    public static readonly DiagnosticDescriptor UnknownArgument = Error("ATL2018", "Argument that matches no parameter", "`{0}` has no parameter `{1}`{2}", Binding);
    public static readonly DiagnosticDescriptor NotAList = Error("ATL2019", "Not a list", "`{0}` is `{1}`, not a list, so it cannot be iterated", Binding);
    public static readonly DiagnosticDescriptor DuplicateAttribute = Error("ATL2020", "Duplicate attribute", "`{0}` is already set at {1}; remove one of them", Binding);
    public static readonly DiagnosticDescriptor ReservedName = Error("ATL2021", "Reserved name", "`{0}` is a built-in type name and cannot be declared; choose another name", Binding);
    public static readonly DiagnosticDescriptor NestingTooDeep = Error("ATL2022", "Nesting too deep", "This {0} is nested more than {1} levels deep; split it into steps", Binding);
    public static readonly DiagnosticDescriptor UninhabitableType = Error("ATL2023", "Recursive type that can never be built", "`{0}.{1}` is a required `{2}`, so no `{3}` can ever be built ({4}); make a field on this cycle optional (`{2}?`) or a list (`{2}[]`)", Binding);
    public static readonly DiagnosticDescriptor CheapestRouteWithoutCost = Error("ATL2024", "Provider without a cost in a cheapest route", "Route `{0}` picks the cheapest provider, but `{1}` declares no `cost`, so it cannot be ranked; add `cost {{ input = ..., output = ... }}` (USD per million tokens) to provider `{1}`, or choose another strategy", Binding);
    public static readonly DiagnosticDescriptor SourcesMatchNoFiles = Warning("ATL2025", "Knowledge sources match no files", "No file matches {0}, a source of knowledge base `{1}` (relative to this file's folder): it would ingest nothing and every search would return no passages", Binding);
    public static readonly DiagnosticDescriptor KnowledgePackageMissing = Error("ATL2031", "Knowledge base needs a package", "Knowledge base `{0}` needs {1} to be searched as `atlas run` searches it, and the project does not reference {2}; add a PackageReference (or ProjectReference)", Binding);
    public static readonly DiagnosticDescriptor ToolCallLimitWithoutTools = Warning("ATL2029", "Tool-call limit without tools", "`max_tool_calls` has no effect: agent `{0}` has no `tools` or `delegates` to call; remove it, or add what the agent should call", Binding);
    public static readonly DiagnosticDescriptor SharedKnowledgeStore = Error("ATL2030", "Knowledge bases share a store", "Knowledge base `{0}` stores in `{1}`, which is already the store of `{2}`: each ingest would remove the other's documents{3}; give each knowledge base its own store", Binding);
    public static readonly DiagnosticDescriptor EmptyAttribute = Error("ATL2032", "Empty attribute", "`{0}` must {1}", Binding);
    public static readonly DiagnosticDescriptor RepeatedArgument = Error("ATL2033", "Argument given twice", "`{0}` is already {1}; {2} it once", Binding);
    public static readonly DiagnosticDescriptor ModelCannotServeAgent = Error("ATL2034", "Model cannot serve the agent", "Agent `{0}` needs {1}, but {2}: {3}; use a model that supports it", Binding);
    public static readonly DiagnosticDescriptor PositionalAfterNamed = Error("ATL2035", "Positional argument after a named one", "A positional argument cannot follow a named one; name it (`parameter = value`) or move it first", Binding);
    public static readonly DiagnosticDescriptor RuntimePackageMissing = Error("ATL2036", "Declaration needs a runtime package", "{0} needs {1} at run time, and the project does not reference it; add a PackageReference (or ProjectReference) to {1}", Binding);

    // 3xxx workflow graph
    public static readonly DiagnosticDescriptor NonExhaustiveSwitch = Error("ATL3001", "Switch is not exhaustive", "This switch over `{0}` does not handle {1}; add a case for each or a `_` case", Graph);
    public static readonly DiagnosticDescriptor StepCycle = Error("ATL3002", "Cycle between steps", "Steps depend on each other in a cycle: {0}", Graph);
    public static readonly DiagnosticDescriptor WorkflowCycle = Error("ATL3003", "Cycle between workflows", "Workflows call each other in a cycle: {0}", Graph);
    public static readonly DiagnosticDescriptor InvalidSwitchCase = Error("ATL3004", "Switch case of the wrong type", "This switch is over `{0}`, so each case must be {1} or `_`, not {2}", Graph);
    public static readonly DiagnosticDescriptor SwitchArmTypeMismatch = Error("ATL3005", "Switch arms of different types", "This case is `{0}` but the first case is `{1}`; every case must give the same type", Graph);
    public static readonly DiagnosticDescriptor MissingReturn = Error("ATL3006", "Missing return", "Workflow `{0}` has no `return`; end it with `return <expression>` of type `{1}`", Graph);
    public static readonly DiagnosticDescriptor DelegationCycle = Error("ATL3007", "Cycle between delegating agents", "Agents delegate to each other in a cycle: {0}; remove one of these delegations", Graph);
    public static readonly DiagnosticDescriptor UnreachableSwitchCase = Error("ATL3008", "Unreachable switch case", "{0}, so it can never match; {1}", Graph);
    public static readonly DiagnosticDescriptor SwitchCaseNotAMember = Error("ATL3009", "Switch case that is not a member", "`{0}` is not a member of `{1}`{2}", Graph);

    // 9xxx internal
    public static readonly DiagnosticDescriptor InternalError = Error("ATL9001", "Internal error", "Atlas failed to process this file: {0}. This is a bug in Atlas; please report it", Internal);

    private static DiagnosticDescriptor Error(string id, string title, string format, string category) =>
        new(id, title, format, DiagnosticSeverity.Error, category);

    private static DiagnosticDescriptor Warning(string id, string title, string format, string category) =>
        new(id, title, format, DiagnosticSeverity.Warning, category);
}
