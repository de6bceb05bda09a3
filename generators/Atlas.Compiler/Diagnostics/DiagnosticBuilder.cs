using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Atlas.Compiler.Model;
using Atlas.Compiler.Text;

namespace Atlas.Compiler.Diagnostics;

/// <summary>Why a number literal cannot be used (ATL0005).</summary>
public enum InvalidNumberReason
{
    /// <summary>Not finite: <c>1e400</c>.</summary>
    TooLarge,

    /// <summary>A whole number outside <see cref="int"/>.</summary>
    OutsideInt32,

    /// <summary>A duration longer than the runtime can count in milliseconds.</summary>
    DurationTooLong,
}

/// <summary>
/// Builds every Atlas diagnostic: one method per code of <see cref="DiagnosticDescriptors"/>, named as
/// its descriptor, taking what the message is about as typed values and formatting them into the
/// descriptor's message (Bicep's <c>DiagnosticBuilder</c>). Nothing else creates a
/// <see cref="Diagnostic"/> from a descriptor, so a code's message is built in exactly one place.
/// Start at a location: <c>DiagnosticBuilder.At(file, span).UnknownMember(type, member, suggestion)</c>.
/// </summary>
/// <remarks>
/// A <c>suggestion</c> is the name to suggest (or null for none) and reads "; did you mean `x`?".
/// A small immutable value: thread-safe.
/// </remarks>
public readonly struct DiagnosticBuilder
{
    private readonly Location _location;

    private DiagnosticBuilder(Location location) => _location = location;

    /// <summary>Diagnostics at <paramref name="location"/>.</summary>
    public static DiagnosticBuilder At(Location location) => new(location);

    /// <summary>Diagnostics at <paramref name="span"/> of <paramref name="file"/>.</summary>
    public static DiagnosticBuilder At(SourceFile file, TextSpan span) => new(file.GetLocation(span));

    // ---------- 0xxx syntax ----------

    /// <summary>ATL0001: the .atlas parser cannot read the text here; <paramref name="problem"/> says what it found and expected.</summary>
    public Diagnostic SyntaxError(string problem) => Create(DiagnosticDescriptors.SyntaxError, problem);

    /// <summary>ATL0002: a string that is never closed by <paramref name="closingQuotes"/> (<c>"</c> or <c>"""</c>).</summary>
    public Diagnostic UnterminatedString(string closingQuotes) => Create(DiagnosticDescriptors.UnterminatedString, closingQuotes);

    /// <summary>ATL0003: the template parser cannot read a <c>{{ }}</c> tag; <paramref name="problem"/> says why.</summary>
    public Diagnostic TemplateSyntaxError(string problem) => Create(DiagnosticDescriptors.TemplateSyntaxError, problem);

    /// <summary>ATL0004: <paramref name="unit"/> after a number is not <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>.</summary>
    public Diagnostic InvalidDurationUnit(string unit, string? suggestion) =>
        Create(DiagnosticDescriptors.InvalidDurationUnit, unit, DidYouMean(suggestion));

    /// <summary>ATL0005: the number (or duration) <paramref name="written"/> cannot be represented.</summary>
    public Diagnostic InvalidNumber(string written, InvalidNumberReason reason) =>
        Create(DiagnosticDescriptors.InvalidNumber, written, reason switch
        {
            InvalidNumberReason.DurationTooLong => "is too long a duration",
            InvalidNumberReason.OutsideInt32 => "does not fit in 32 bits; whole numbers must be between -2147483648 and 2147483647",
            _ => "is too large to be a number",
        });

    /// <summary>
    /// ATL0006: after the first <paramref name="shown"/> diagnostics of a file, the ones left out. An error
    /// when an error is among them, else a warning, so a capped file never passes.
    /// </summary>
    public Diagnostic MoreDiagnostics(int hiddenErrors, int hiddenWarnings, int shown)
    {
        var summary = Create(DiagnosticDescriptors.MoreDiagnostics, Count(hiddenErrors + hiddenWarnings), CountOf(hiddenErrors, "error", hiddenWarnings, "warning"), shown);
        return hiddenErrors > 0 ? summary : summary with { Severity = DiagnosticSeverity.Warning };
    }

    /// <summary>ATL0007: <paramref name="written"/> parts the number <paramref name="number"/> from its <paramref name="unit"/> with a space (<c>30 s</c>).</summary>
    public Diagnostic SpacedDuration(string written, string number, string unit) =>
        Create(DiagnosticDescriptors.SpacedDuration, written, number + unit);

    // ---------- 1xxx YAML ----------

    /// <summary>ATL1001: the YAML reader cannot read on from here; <paramref name="problem"/> says why.</summary>
    public Diagnostic YamlSyntaxError(string problem) => Create(DiagnosticDescriptors.YamlSyntaxError, problem);

    /// <summary>ATL1002: a node of a kind this place does not take; <paramref name="problem"/> says what was expected and what this is.</summary>
    public Diagnostic YamlUnexpectedNode(string problem) => Create(DiagnosticDescriptors.YamlUnexpectedNode, problem);

    /// <summary>ATL1003: <paramref name="section"/> at the top level is none of <paramref name="sections"/>.</summary>
    public Diagnostic YamlUnknownSection(string section, IEnumerable<string> sections, string? suggestion) =>
        Create(DiagnosticDescriptors.YamlUnknownSection, section, DiagnosticText.CodeList(sections, "or"), DidYouMean(suggestion));

    /// <summary>ATL1004: <paramref name="key"/> is already a key of this mapping, first at <paramref name="first"/>.</summary>
    public Diagnostic YamlDuplicateKey(string key, LinePosition first) =>
        Create(DiagnosticDescriptors.YamlDuplicateKey, key, first.Line, first.Column);

    /// <summary>ATL1005: <paramref name="key"/> is none of the <paramref name="keys"/> of <paramref name="owner"/> (<c>workflow `w`</c>).</summary>
    public Diagnostic YamlUnknownKey(string key, string owner, IEnumerable<string> keys, string? suggestion) =>
        Create(DiagnosticDescriptors.YamlUnknownKey, key, owner, DiagnosticText.CodeList(keys, "or"), DidYouMean(suggestion));

    /// <summary>ATL1006: <paramref name="owner"/> (as it starts a sentence: <c>Agent `a`</c>) has no <c>returns:</c>; <paramref name="exampleType"/> shows one.</summary>
    public Diagnostic YamlMissingReturns(string owner, string exampleType) =>
        Create(DiagnosticDescriptors.YamlMissingReturns, owner, exampleType);

    /// <summary>ATL1007: the key <paramref name="written"/> (as described, quoted) is not a name, needed for <paramref name="what"/>.</summary>
    public Diagnostic YamlInvalidName(string written, string what) => Create(DiagnosticDescriptors.YamlInvalidName, written, what);

    /// <summary>ATL1008: the alias <c>*<paramref name="alias"/></c>, which Atlas files do not support.</summary>
    public Diagnostic YamlAlias(string alias) => Create(DiagnosticDescriptors.YamlAlias, alias);

    // ---------- 2xxx binding and types ----------

    /// <summary>ATL2001: <paramref name="name"/> is not declared nor in scope.</summary>
    public Diagnostic UnknownName(string name, string? suggestion) => Create(DiagnosticDescriptors.UnknownName, name, DidYouMean(suggestion));

    /// <summary>ATL2002: <paramref name="owner"/> (a type, an enum or a knowledge base) has no <paramref name="member"/>.</summary>
    public Diagnostic UnknownMember(string owner, string member, string? suggestion) =>
        Create(DiagnosticDescriptors.UnknownMember, owner, member, DidYouMean(suggestion));

    /// <summary>ATL2003: <paramref name="name"/> is declared again; the first is at <paramref name="first"/>.</summary>
    public Diagnostic DuplicateName(string name, Location first) => Create(DiagnosticDescriptors.DuplicateName, name, first);

    /// <summary>
    /// ATL2004: <paramref name="callee"/> takes <paramref name="required"/> to <paramref name="parameters"/>.Count arguments
    /// (each as written in messages: <c>ticket: Ticket</c>) but is given <paramref name="given"/>.
    /// </summary>
    public Diagnostic ArgumentCountMismatch(string callee, int required, IReadOnlyList<string> parameters, int given)
    {
        static string Arguments(int n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " argument" : " arguments");
        string takes = required == parameters.Count
            ? (required == 0 ? "no arguments" : Arguments(required))
            : $"{required.ToString(CultureInfo.InvariantCulture)} to {Arguments(parameters.Count)}";
        string list = parameters.Count == 0 ? "none" : string.Join(", ", parameters);
        return Create(DiagnosticDescriptors.ArgumentCountMismatch, callee, takes, list, given);
    }

    /// <summary>ATL2005: the argument for <paramref name="parameter"/> of <paramref name="callee"/> is <paramref name="actual"/>, not <paramref name="expected"/>.</summary>
    public Diagnostic ArgumentTypeMismatch(string parameter, string callee, TypeRef expected, TypeRef actual) =>
        Create(DiagnosticDescriptors.ArgumentTypeMismatch, parameter, callee, expected, actual);

    /// <summary>ATL2006: <paramref name="workflow"/> declares it returns <paramref name="declared"/> but returns <paramref name="actual"/>.</summary>
    public Diagnostic ReturnTypeMismatch(string workflow, TypeRef declared, TypeRef actual) =>
        Create(DiagnosticDescriptors.ReturnTypeMismatch, workflow, declared, actual);

    /// <summary>ATL2007: the block of <paramref name="owner"/> (<c>provider p</c>) has no <paramref name="attribute"/>.</summary>
    public Diagnostic UnknownAttribute(string owner, string attribute, string? suggestion) =>
        Create(DiagnosticDescriptors.UnknownAttribute, owner, attribute, DidYouMean(suggestion));

    /// <summary>ATL2008: <paramref name="attribute"/> must be <paramref name="expected"/> (a description: <c>a number</c>) but is <paramref name="found"/>.</summary>
    public Diagnostic InvalidAttributeValue(string attribute, string expected, string found, string? suggestion = null) =>
        Create(DiagnosticDescriptors.InvalidAttributeValue, attribute, expected, found, DidYouMean(suggestion));

    /// <summary>ATL2009: <paramref name="attribute"/> is <paramref name="written"/>, outside what it allows (<c>between 0 and 2</c>).</summary>
    public Diagnostic AttributeOutOfRange(string attribute, string allowed, string written) =>
        Create(DiagnosticDescriptors.AttributeOutOfRange, attribute, allowed, written);

    /// <summary>ATL2010: <paramref name="written"/> is not one of the <paramref name="options"/> of a <paramref name="optionKind"/> (<c>route strategy</c>).</summary>
    public Diagnostic UnknownOption(string written, string optionKind, IEnumerable<string> options, string? suggestion) =>
        Create(DiagnosticDescriptors.UnknownOption, written, optionKind, string.Join(", ", options), DidYouMean(suggestion));

    /// <summary>
    /// ATL2011: <paramref name="owner"/> <paramref name="name"/> (<c>Agent</c> <c>echo</c>) has no <paramref name="attribute"/>;
    /// <paramref name="howToAdd"/> continues the sentence (<c>; add `prompt = "..."`</c>).
    /// </summary>
    public Diagnostic MissingAttribute(string owner, string name, string attribute, string howToAdd) =>
        Create(DiagnosticDescriptors.MissingAttribute, owner, name, attribute, howToAdd);

    /// <summary>ATL2012: no provider of <paramref name="route"/> supports all its <paramref name="required"/> capabilities.</summary>
    public Diagnostic RouteCannotMeetRequirements(string route, IEnumerable<string> required, IEnumerable<(string Name, IEnumerable<string> Capabilities)> providers) =>
        Create(DiagnosticDescriptors.RouteCannotMeetRequirements, route, string.Join(", ", required), Supports(providers));

    /// <summary>ATL2013: the <paramref name="kind"/> (<c>Tool</c>) <paramref name="name"/> is never used.</summary>
    public Diagnostic UnusedDeclaration(string kind, string name) => Create(DiagnosticDescriptors.UnusedDeclaration, kind, name);

    /// <summary>ATL2014: the type <paramref name="name"/> is not declared.</summary>
    public Diagnostic UnknownType(string name, string? suggestion) => Create(DiagnosticDescriptors.UnknownType, name, DidYouMean(suggestion));

    /// <summary>ATL2015: <paramref name="name"/> is <paramref name="actual"/> (<c>a route</c>) where <paramref name="expected"/> (<c>a type</c>) is needed.</summary>
    public Diagnostic WrongKindOfName(string name, string actual, string expected) =>
        Create(DiagnosticDescriptors.WrongKindOfName, name, actual, expected);

    /// <summary>ATL2016: an object of <paramref name="type"/> gives no value for the required <paramref name="field"/>.</summary>
    public Diagnostic MissingField(string type, string field) => Create(DiagnosticDescriptors.MissingField, type, field);

    /// <summary>ATL2017: <paramref name="expression"/> is <paramref name="actual"/>, where one of <paramref name="expectedTypes"/> is needed.</summary>
    public Diagnostic TypeMismatch(string expression, IEnumerable<string> expectedTypes, string actual) =>
        Create(DiagnosticDescriptors.TypeMismatch, expression, DiagnosticText.CodeList(expectedTypes, "or"), actual);

    /// <summary>ATL2018: <paramref name="callee"/> has no parameter named <paramref name="argument"/>.</summary>
    public Diagnostic UnknownArgument(string callee, string argument, string? suggestion) =>
        Create(DiagnosticDescriptors.UnknownArgument, callee, argument, DidYouMean(suggestion));

    /// <summary>ATL2019: <paramref name="expression"/>, of <paramref name="type"/>, is iterated but is not a list.</summary>
    public Diagnostic NotAList(string expression, TypeRef type) => Create(DiagnosticDescriptors.NotAList, expression, type);

    /// <summary>ATL2020: <paramref name="attribute"/> is set again; the first is at <paramref name="first"/>.</summary>
    public Diagnostic DuplicateAttribute(string attribute, Location first) => Create(DiagnosticDescriptors.DuplicateAttribute, attribute, first);

    /// <summary>ATL2021: a declaration named as the built-in type <paramref name="name"/>.</summary>
    public Diagnostic ReservedName(string name) => Create(DiagnosticDescriptors.ReservedName, name);

    /// <summary>ATL2022: a <paramref name="what"/> (<c>expression</c>) nested deeper than <paramref name="limit"/>.</summary>
    public Diagnostic NestingTooDeep(string what, int limit) => Create(DiagnosticDescriptors.NestingTooDeep, what, limit);

    /// <summary>
    /// ATL2023: <paramref name="type"/>'s required <paramref name="field"/> of <paramref name="fieldType"/> starts
    /// <paramref name="cycle"/> (type names, first repeated last) of required fields, so no value can be built.
    /// </summary>
    public Diagnostic UninhabitableType(string type, string field, string fieldType, IEnumerable<string> cycle) =>
        Create(DiagnosticDescriptors.UninhabitableType, type, field, fieldType, type, Path(cycle));

    /// <summary>ATL2024: <paramref name="route"/> picks the cheapest provider, but <paramref name="provider"/> has no cost.</summary>
    public Diagnostic CheapestRouteWithoutCost(string route, string provider) => Create(DiagnosticDescriptors.CheapestRouteWithoutCost, route, provider);

    /// <summary>ATL2025: no file matches the <paramref name="unmatchedSources"/> of <paramref name="knowledge"/>.</summary>
    public Diagnostic SourcesMatchNoFiles(IEnumerable<string> unmatchedSources, string knowledge) =>
        Create(DiagnosticDescriptors.SourcesMatchNoFiles, string.Join(", ", unmatchedSources.Select(Code)), knowledge);

    /// <summary>ATL2029: <paramref name="agent"/> sets <c>max_tool_calls</c> but has nothing to call.</summary>
    public Diagnostic ToolCallLimitWithoutTools(string agent) => Create(DiagnosticDescriptors.ToolCallLimitWithoutTools, agent);

    /// <summary>
    /// ATL2030: <paramref name="knowledge"/> (embedding with <paramref name="embedder"/>) stores in <paramref name="store"/>,
    /// already the store of <paramref name="firstKnowledge"/> (embedding with <paramref name="firstEmbedder"/>).
    /// </summary>
    public Diagnostic SharedKnowledgeStore(string knowledge, string store, string firstKnowledge, string firstEmbedder, string embedder)
    {
        string embedders = firstEmbedder == embedder
            ? ""
            : $", and they embed with different embedders ({Code(firstEmbedder)}, {Code(embedder)}) whose vectors cannot share one store";
        return Create(DiagnosticDescriptors.SharedKnowledgeStore, knowledge, store, firstKnowledge, embedders);
    }

    /// <summary>
    /// ATL2031: <paramref name="knowledge"/> needs <paramref name="needs"/> (the packages, each with what it is for) and the
    /// project does not reference <paramref name="missingPackages"/>.
    /// </summary>
    public Diagnostic KnowledgePackageMissing(string knowledge, string needs, IEnumerable<string> missingPackages) =>
        Create(DiagnosticDescriptors.KnowledgePackageMissing, knowledge, needs, string.Join(" and ", missingPackages));

    /// <summary>ATL2032: <paramref name="attribute"/> is empty but must <paramref name="requirement"/> (<c>name at least one provider</c>).</summary>
    public Diagnostic EmptyAttribute(string attribute, string requirement) => Create(DiagnosticDescriptors.EmptyAttribute, attribute, requirement);

    /// <summary>
    /// ATL2033: <paramref name="name"/> is given twice: an argument of the callee <paramref name="owner"/>, or, when
    /// <paramref name="isObjectField"/>, a field of an object of the type <paramref name="owner"/>.
    /// </summary>
    public Diagnostic RepeatedArgument(string name, string owner, bool isObjectField) => isObjectField
        ? Create(DiagnosticDescriptors.RepeatedArgument, name, $"set in this {Code(owner)}", "set")
        : Create(DiagnosticDescriptors.RepeatedArgument, name, $"given to {Code(owner)}", "pass");

    /// <summary>
    /// ATL2034: the <paramref name="model"/> (a provider or a route, as <paramref name="modelKind"/> says) of <paramref name="agent"/>
    /// has no provider that supports what the agent needs: <c>tools</c> when it <paramref name="callsTools"/>, <c>json</c> when it
    /// returns the structured <paramref name="structuredResult"/> (null for text), together with a route's <paramref name="routeRequire"/>.
    /// </summary>
    public Diagnostic ModelCannotServeAgent(
        string agent,
        bool callsTools,
        TypeRef? structuredResult,
        string model,
        ModelTargetKind modelKind,
        IReadOnlyList<string> routeRequire,
        IEnumerable<(string Name, IEnumerable<string> Capabilities)> providers)
    {
        var needs = new List<string>();
        if (callsTools) needs.Add("`tools` (it calls tools or delegates)");
        if (structuredResult is not null) needs.Add($"`json` (it returns {Code(structuredResult.ToString())})");
        string which = modelKind == ModelTargetKind.Provider
            ? $"provider {Code(model)} does not"
            : routeRequire.Count == 0
                ? $"no provider of route {Code(model)} does"
                : $"no provider of route {Code(model)} does along with the route's `require` [{string.Join(", ", routeRequire)}]";
        return Create(DiagnosticDescriptors.ModelCannotServeAgent, agent, string.Join(" and ", needs), which, Supports(providers));
    }

    /// <summary>ATL2035: a positional argument after a named one.</summary>
    public Diagnostic PositionalAfterNamed() => Create(DiagnosticDescriptors.PositionalAfterNamed);

    /// <summary>
    /// ATL2036: the project does not reference <paramref name="package"/>, which the provider <paramref name="name"/> of the kind
    /// <paramref name="providerKind"/> needs, or, when <paramref name="providerKind"/> is null, the <c>mcp</c> server <paramref name="name"/>.
    /// </summary>
    public Diagnostic RuntimePackageMissing(string name, string? providerKind, string package) =>
        Create(DiagnosticDescriptors.RuntimePackageMissing, providerKind is null ? $"MCP server {Code(name)}" : $"Provider {Code(name)} (kind {Code(providerKind)})", package);

    // ---------- 3xxx workflow graph ----------

    /// <summary>
    /// ATL3001: a switch over <paramref name="subject"/> handles neither its <paramref name="unhandledValues"/> nor <c>_</c>;
    /// null when the values cannot be listed (strings, numbers).
    /// </summary>
    public Diagnostic NonExhaustiveSwitch(TypeRef subject, IReadOnlyList<string>? unhandledValues) =>
        Create(DiagnosticDescriptors.NonExhaustiveSwitch, subject, unhandledValues is null
            ? $"every other {Code(subject.Name)} value"
            : DiagnosticText.CodeList(unhandledValues, "and"));

    /// <summary>ATL3002: steps that read each other; <paramref name="cycle"/> names them, the first repeated last.</summary>
    public Diagnostic StepCycle(IEnumerable<string> cycle) => Create(DiagnosticDescriptors.StepCycle, Path(cycle));

    /// <summary>ATL3003: workflows that call each other; <paramref name="cycle"/> names them, the first repeated last.</summary>
    public Diagnostic WorkflowCycle(IEnumerable<string> cycle) => Create(DiagnosticDescriptors.WorkflowCycle, Path(cycle));

    /// <summary>ATL3004: a case <paramref name="found"/> (as described) in a switch over <paramref name="subject"/>, whose cases must be <paramref name="expected"/>.</summary>
    public Diagnostic InvalidSwitchCase(TypeRef subject, string expected, string found) =>
        Create(DiagnosticDescriptors.InvalidSwitchCase, subject, expected, found);

    /// <summary>ATL3005: a case of type <paramref name="arm"/> where the first case is <paramref name="first"/>.</summary>
    public Diagnostic SwitchArmTypeMismatch(TypeRef arm, TypeRef first) => Create(DiagnosticDescriptors.SwitchArmTypeMismatch, arm, first);

    /// <summary>ATL3006: <paramref name="workflow"/>, declared to return <paramref name="returns"/>, has no <c>return</c>.</summary>
    public Diagnostic MissingReturn(string workflow, TypeRef returns) => Create(DiagnosticDescriptors.MissingReturn, workflow, returns);

    /// <summary>ATL3007: agents that delegate to each other; <paramref name="cycle"/> names them, the first repeated last.</summary>
    public Diagnostic DelegationCycle(IEnumerable<string> cycle) => Create(DiagnosticDescriptors.DelegationCycle, Path(cycle));

    /// <summary>ATL3008: a case that can never match: it handles <paramref name="alreadyHandledValue"/> again, or (null) it comes after <c>_</c>.</summary>
    public Diagnostic UnreachableSwitchCase(string? alreadyHandledValue) => alreadyHandledValue is null
        ? Create(DiagnosticDescriptors.UnreachableSwitchCase, "This case comes after `_`", "move it above the `_` case")
        : Create(DiagnosticDescriptors.UnreachableSwitchCase, $"{Code(alreadyHandledValue)} is already handled by an earlier case", "remove this one");

    /// <summary>ATL3009: the case <paramref name="written"/> in a switch over the enum <paramref name="enumName"/> is none of its members.</summary>
    public Diagnostic SwitchCaseNotAMember(string written, string enumName, string? suggestion) =>
        Create(DiagnosticDescriptors.SwitchCaseNotAMember, written, enumName, DidYouMean(suggestion));

    // ---------- 9xxx internal ----------

    /// <summary>ATL9001: Atlas itself failed; <paramref name="detail"/> is the failure (<c>InvalidOperationException: ...</c>).</summary>
    public Diagnostic InternalError(string detail) => Create(DiagnosticDescriptors.InternalError, detail);

    // ---------- formatting ----------

    /// <summary>
    /// The one place a descriptor becomes a diagnostic. Names and text from the file are echoed in
    /// messages, so control characters are escaped here (see <see cref="DiagnosticText.Escape"/>).
    /// </summary>
    private Diagnostic Create(DiagnosticDescriptor descriptor, params object[] args) =>
        new(descriptor.Id, descriptor.Severity, DiagnosticText.Escape(string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args)), _location);

    private static string DidYouMean(string? suggestion) => Suggestions.DidYouMean(suggestion);

    private static string Code(string text) => "`" + text + "`";

    private static string Path(IEnumerable<string> names) => string.Join(" → ", names);

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"`p` supports [chat, json]; `q` supports [chat]".</summary>
    private static string Supports(IEnumerable<(string Name, IEnumerable<string> Capabilities)> providers) =>
        string.Join("; ", providers.Select(p => $"{Code(p.Name)} supports [{string.Join(", ", p.Capabilities)}]"));

    private static string CountOf(int a, string aName, int b, string bName)
    {
        static string One(int n, string name) => Count(n) + " " + name + (n == 1 ? "" : "s");
        if (a == 0) return One(b, bName);
        if (b == 0) return One(a, aName);
        return One(a, aName) + " and " + One(b, bName);
    }
}
