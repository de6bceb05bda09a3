// Generated from Atlas.Compiler/Diagnostics/DiagnosticDescriptors.cs by
// tests/Atlas.Generators.Tests/Diagnostics/DiagnosticMirrorTests.cs (RoslynMirror_IsGeneratedFromTheCatalog).
// Do not edit: change the catalog, then run that test with ATLAS_ACCEPT=1.
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using FrontEnd = Atlas.Compiler.Diagnostics.DiagnosticDescriptors;

namespace Atlas.Generators.Diagnostics;

/// <summary>
/// The Roslyn side of Atlas' diagnostic catalog: one <see cref="DiagnosticDescriptor"/> per
/// front-end descriptor, with the same id, title, category and severity. Ids, categories and
/// severities are literals so release tracking (AnalyzerReleases.*.md) can check them; titles come
/// from the front-end. The front-end formats messages itself, so every message format is <c>{0}</c>.
/// </summary>
internal static class AtlasDiagnosticDescriptors
{
    private const string MessageFormat = "{0}";

    // 0xxx syntax
    public static readonly DiagnosticDescriptor SyntaxError = new("ATL0001", FrontEnd.SyntaxError.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnterminatedString = new("ATL0002", FrontEnd.UnterminatedString.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor TemplateSyntaxError = new("ATL0003", FrontEnd.TemplateSyntaxError.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidDurationUnit = new("ATL0004", FrontEnd.InvalidDurationUnit.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidNumber = new("ATL0005", FrontEnd.InvalidNumber.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor MoreDiagnostics = new("ATL0006", FrontEnd.MoreDiagnostics.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor SpacedDuration = new("ATL0007", FrontEnd.SpacedDuration.Title, MessageFormat, "Atlas.Syntax", DiagnosticSeverity.Error, isEnabledByDefault: true);

    // 1xxx YAML
    public static readonly DiagnosticDescriptor YamlSyntaxError = new("ATL1001", FrontEnd.YamlSyntaxError.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlUnexpectedNode = new("ATL1002", FrontEnd.YamlUnexpectedNode.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlUnknownSection = new("ATL1003", FrontEnd.YamlUnknownSection.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlDuplicateKey = new("ATL1004", FrontEnd.YamlDuplicateKey.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlUnknownKey = new("ATL1005", FrontEnd.YamlUnknownKey.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlMissingReturns = new("ATL1006", FrontEnd.YamlMissingReturns.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlInvalidName = new("ATL1007", FrontEnd.YamlInvalidName.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor YamlAlias = new("ATL1008", FrontEnd.YamlAlias.Title, MessageFormat, "Atlas.Yaml", DiagnosticSeverity.Error, isEnabledByDefault: true);

    // 2xxx binding and types
    public static readonly DiagnosticDescriptor UnknownName = new("ATL2001", FrontEnd.UnknownName.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnknownMember = new("ATL2002", FrontEnd.UnknownMember.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor DuplicateName = new("ATL2003", FrontEnd.DuplicateName.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ArgumentCountMismatch = new("ATL2004", FrontEnd.ArgumentCountMismatch.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ArgumentTypeMismatch = new("ATL2005", FrontEnd.ArgumentTypeMismatch.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ReturnTypeMismatch = new("ATL2006", FrontEnd.ReturnTypeMismatch.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnknownAttribute = new("ATL2007", FrontEnd.UnknownAttribute.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidAttributeValue = new("ATL2008", FrontEnd.InvalidAttributeValue.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor AttributeOutOfRange = new("ATL2009", FrontEnd.AttributeOutOfRange.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnknownOption = new("ATL2010", FrontEnd.UnknownOption.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor MissingAttribute = new("ATL2011", FrontEnd.MissingAttribute.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor RouteCannotMeetRequirements = new("ATL2012", FrontEnd.RouteCannotMeetRequirements.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnusedDeclaration = new("ATL2013", FrontEnd.UnusedDeclaration.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnknownType = new("ATL2014", FrontEnd.UnknownType.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor WrongKindOfName = new("ATL2015", FrontEnd.WrongKindOfName.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor MissingField = new("ATL2016", FrontEnd.MissingField.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor TypeMismatch = new("ATL2017", FrontEnd.TypeMismatch.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnknownArgument = new("ATL2018", FrontEnd.UnknownArgument.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor NotAList = new("ATL2019", FrontEnd.NotAList.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor DuplicateAttribute = new("ATL2020", FrontEnd.DuplicateAttribute.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ReservedName = new("ATL2021", FrontEnd.ReservedName.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor NestingTooDeep = new("ATL2022", FrontEnd.NestingTooDeep.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UninhabitableType = new("ATL2023", FrontEnd.UninhabitableType.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor CheapestRouteWithoutCost = new("ATL2024", FrontEnd.CheapestRouteWithoutCost.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor SourcesMatchNoFiles = new("ATL2025", FrontEnd.SourcesMatchNoFiles.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ToolCallLimitWithoutTools = new("ATL2029", FrontEnd.ToolCallLimitWithoutTools.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor SharedKnowledgeStore = new("ATL2030", FrontEnd.SharedKnowledgeStore.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor KnowledgePackageMissing = new("ATL2031", FrontEnd.KnowledgePackageMissing.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor EmptyAttribute = new("ATL2032", FrontEnd.EmptyAttribute.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor RepeatedArgument = new("ATL2033", FrontEnd.RepeatedArgument.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor ModelCannotServeAgent = new("ATL2034", FrontEnd.ModelCannotServeAgent.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor PositionalAfterNamed = new("ATL2035", FrontEnd.PositionalAfterNamed.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor RuntimePackageMissing = new("ATL2036", FrontEnd.RuntimePackageMissing.Title, MessageFormat, "Atlas.Binding", DiagnosticSeverity.Error, isEnabledByDefault: true);

    // 3xxx workflow graph
    public static readonly DiagnosticDescriptor NonExhaustiveSwitch = new("ATL3001", FrontEnd.NonExhaustiveSwitch.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor StepCycle = new("ATL3002", FrontEnd.StepCycle.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor WorkflowCycle = new("ATL3003", FrontEnd.WorkflowCycle.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidSwitchCase = new("ATL3004", FrontEnd.InvalidSwitchCase.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor SwitchArmTypeMismatch = new("ATL3005", FrontEnd.SwitchArmTypeMismatch.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor MissingReturn = new("ATL3006", FrontEnd.MissingReturn.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor DelegationCycle = new("ATL3007", FrontEnd.DelegationCycle.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UnreachableSwitchCase = new("ATL3008", FrontEnd.UnreachableSwitchCase.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor SwitchCaseNotAMember = new("ATL3009", FrontEnd.SwitchCaseNotAMember.Title, MessageFormat, "Atlas.Workflow", DiagnosticSeverity.Error, isEnabledByDefault: true);

    // 9xxx internal
    public static readonly DiagnosticDescriptor InternalError = new("ATL9001", FrontEnd.InternalError.Title, MessageFormat, "Atlas.Internal", DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>Every descriptor, in id order.</summary>
    public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(
        SyntaxError,
        UnterminatedString,
        TemplateSyntaxError,
        InvalidDurationUnit,
        InvalidNumber,
        MoreDiagnostics,
        SpacedDuration,
        YamlSyntaxError,
        YamlUnexpectedNode,
        YamlUnknownSection,
        YamlDuplicateKey,
        YamlUnknownKey,
        YamlMissingReturns,
        YamlInvalidName,
        YamlAlias,
        UnknownName,
        UnknownMember,
        DuplicateName,
        ArgumentCountMismatch,
        ArgumentTypeMismatch,
        ReturnTypeMismatch,
        UnknownAttribute,
        InvalidAttributeValue,
        AttributeOutOfRange,
        UnknownOption,
        MissingAttribute,
        RouteCannotMeetRequirements,
        UnusedDeclaration,
        UnknownType,
        WrongKindOfName,
        MissingField,
        TypeMismatch,
        UnknownArgument,
        NotAList,
        DuplicateAttribute,
        ReservedName,
        NestingTooDeep,
        UninhabitableType,
        CheapestRouteWithoutCost,
        SourcesMatchNoFiles,
        ToolCallLimitWithoutTools,
        SharedKnowledgeStore,
        KnowledgePackageMissing,
        EmptyAttribute,
        RepeatedArgument,
        ModelCannotServeAgent,
        PositionalAfterNamed,
        RuntimePackageMissing,
        NonExhaustiveSwitch,
        StepCycle,
        WorkflowCycle,
        InvalidSwitchCase,
        SwitchArmTypeMismatch,
        MissingReturn,
        DelegationCycle,
        UnreachableSwitchCase,
        SwitchCaseNotAMember,
        InternalError);

    private static readonly ImmutableDictionary<string, DiagnosticDescriptor> ById = CreateIndex();

    /// <summary>The descriptor for an Atlas id, or <see langword="null"/> if the catalog does not know it.</summary>
    public static DiagnosticDescriptor? Find(string id) => ById.TryGetValue(id, out var descriptor) ? descriptor : null;

    private static ImmutableDictionary<string, DiagnosticDescriptor> CreateIndex()
    {
        var builder = ImmutableDictionary.CreateBuilder<string, DiagnosticDescriptor>(System.StringComparer.Ordinal);
        foreach (var descriptor in All) builder[descriptor.Id] = descriptor;
        return builder.ToImmutable();
    }
}
