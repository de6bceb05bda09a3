namespace Atlas.Generators.Tests.Packaging;

/// <summary>The files of a tiny console app that uses Atlas.</summary>
internal static class ConsumerProject
{
    public const string Program = "namespace Consumer;\n\npublic static class Program\n{\n    public static void Main()\n    {\n    }\n}\n";

    /// <summary>Line 2, column 8 is the error: <c>flow.atlas(2,8): error ATL0001</c>.</summary>
    public const string BrokenAtlas = "provider offline {\n  kind mock\n}\n";

    public const string BrokenAtlasError = "flow.atlas(2,8): error ATL0001: Unexpected `mock`; expected `=` or `{`";

    /// <summary>Types only, so the generated code needs nothing beyond the BCL.</summary>
    public const string GoodAtlas = "enum Mood { calm, busy }\n\ntype Note {\n  text: string\n  mood: Mood\n}\n";

    public static string Project(string references, string imports = "") => $"""
        <Project Sdk="Microsoft.NET.Sdk">
        {imports}
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>disable</ImplicitUsings>
          </PropertyGroup>
          <ItemGroup>
        {references}
          </ItemGroup>
        </Project>
        """;
}
