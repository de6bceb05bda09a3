using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security;
using System.Text;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas new NAME</c>: a folder with a starter <c>.atlas</c> file (a mock provider behind a
/// fallback route, types, two agents, a workflow), a sample input, and a console project that
/// uses the generator. <c>atlas run</c> works on it at once, offline; so does <c>dotnet run</c> when
/// the tool carries the Atlas packages (<see cref="CliEnvironment.PackageFeed"/>): a nuget.config
/// then adds that folder as a package source, for the versions it holds.
/// </summary>
public static class NewCommand
{
    public const string Name = "new";
    private const string CommandName = AtlasCli.Name + " " + Name;

    /// <summary>The Microsoft.Extensions.DependencyInjection version the scaffold asks for (the repository's own).</summary>
    internal const string DependencyInjectionVersion = "10.0.15";

    public static readonly IReadOnlyList<string> Examples =
    [
        "atlas new reviews && cd reviews && atlas run reviews.atlas --input @input.json   # offline, on the mock provider",
    ];

    public const string ExitCodesHelp = "0 created, 2 bad usage (a bad name, or the folder exists)";

    public static Command Create(CliEnvironment environment)
    {
        var name = new Argument<string>("NAME") { Description = "The folder to create (it must not exist); its last part names the project and the .atlas file." };
        var command = new Command(Name, "Create a starter Atlas project: an .atlas file that runs offline on mock, a sample input, and a console project using the generator.")
        {
            name,
        };
        command.SetAction(parseResult => Execute(parseResult.GetValue(name)!, environment));
        return command;
    }

    private static int Execute(string path, CliEnvironment environment)
    {
        var projectName = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (projectName.Length == 0 || !projectName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || !char.IsAsciiLetter(projectName[0]))
        {
            throw new UsageException($"{CommandName}: '{path}' is not a usable project name; start with a letter and use letters, digits, '-', '_' or '.'");
        }

        if (Directory.Exists(path) || File.Exists(path)) throw new UsageException($"{CommandName}: '{path}' already exists");

        var fileName = projectName.ToLowerInvariant().Replace('-', '_').Replace('.', '_');
        var rootNamespace = Pascal(projectName);
        var feedVersion = BundledVersion(environment.PackageFeed);
        var version = feedVersion ?? typeof(NewCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0";
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [fileName + ".atlas"] = AtlasFile(fileName),
            ["input.json"] = Input,
            [projectName + ".csproj"] = ProjectFile(rootNamespace, version, feedVersion is not null),
            ["Program.cs"] = ProgramFile(rootNamespace),
            [".gitignore"] = "bin/\nobj/\n",
            ["README.md"] = Readme(projectName, fileName),
        };
        if (feedVersion is not null)
        {
            files["nuget.config"] = NuGetConfig(Path.GetFullPath(environment.PackageFeed));
        }

        try
        {
            Directory.CreateDirectory(path);
            foreach (var (file, text) in files) File.WriteAllText(Path.Combine(path, file), text.ReplaceLineEndings("\n"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{CommandName}: cannot create '{path}': {ex.Message}");
        }

        var atlas = Path.Combine(path, fileName + ".atlas");
        var output = environment.Output;
        output.WriteLine($"created {path}/ with {string.Join(", ", files.Keys.Where(f => !f.StartsWith('.')))}");
        output.WriteLine();
        output.WriteLine("next:");
        output.WriteLine($"  atlas run {atlas} --input @{Path.Combine(path, "input.json")}   # offline, no build");
        output.WriteLine($"  atlas graph {atlas}");
        output.WriteLine(feedVersion is not null
            ? $"  cd {path} && dotnet run                                  # the same workflow as typed C# (the Atlas packages come with this tool; see nuget.config)"
            : $"  cd {path} && dotnet run                                  # the same workflow as typed C# (needs the Atlas packages; see {projectName}.csproj)");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The version of the Atlas.Generators and Atlas.Runtime packages in <paramref name="feed"/>, or <see langword="null"/>
    /// when it does not hold both in one version (a build from source carries none).
    /// </summary>
    private static string? BundledVersion(string feed)
    {
        const string Runtime = "Atlas.Runtime.", Extension = ".nupkg";
        try
        {
            return Directory.Exists(feed)
                ? Directory.EnumerateFiles(feed, Runtime + "*" + Extension)
                    .Select(f => Path.GetFileName(f)[Runtime.Length..^Extension.Length])
                    .Where(v => v.Length > 0 && char.IsAsciiDigit(v[0]) && File.Exists(Path.Combine(feed, "Atlas.Generators." + v + Extension)))
                    .Order(StringComparer.Ordinal)
                    .LastOrDefault()
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Adds a source; the user's own (nuget.org by default) stay for everything else, so no <clear />.
    private static string NuGetConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <!-- Atlas.Generators, Atlas.Runtime and Atlas.Runtime.OpenAI come from the packages the atlas tool carries (this folder is
             inside the tool's installation); every other package from your usual sources. Once the Atlas
             packages are on a feed you use, delete this file. -->
        <configuration>
          <packageSources>
            <add key="atlas" value="{SecurityElement.Escape(feed)}" />
          </packageSources>
        </configuration>

        """;

    private static string Pascal(string name)
    {
        var result = new StringBuilder();
        var upper = true;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            result.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return result.ToString();
    }

    private const string Input = """
        {
          "product": "Trail running shoes",
          "text": "Great grip on wet rocks and they dried overnight, but the laces keep coming undone."
        }

        """;

    private static string AtlasFile(string name) => $$$""""
        # {{{name}}}: a starter Atlas project. Run it with no build and no API key:
        #
        #   atlas run {{{name}}}.atlas --input @input.json
        #
        # With OPENAI_API_KEY set, the `main` route uses OpenAI; without it, the built-in mock.

        provider openai {
          kind     = openai
          model    = "gpt-4o-mini"
          api_key  = env("OPENAI_API_KEY")   # unset: the provider is unavailable, not an error
          supports = [chat, tools, json, streaming]
          cost     { input = 0.15, output = 0.60 }
        }

        provider offline {
          kind    = mock        # deterministic, offline, schema-valid answers, streamed
          latency = 10ms
        }

        route main {
          strategy = fallback
          use      = [openai, offline]
          retry    = 1
          timeout  = 30s
        }

        enum Sentiment { positive, mixed, negative }

        type Review {
          product: string
          text:    string
        }

        type Analysis {
          sentiment: Sentiment
          summary:   string
          topics:    string[]
        }

        type Answer {
          analysis: Analysis
          reply:    string
        }

        agent analyst(review: Review) -> Analysis {
          model        = main
          temperature  = 0
          instructions = "You analyse product reviews: the sentiment, a one-line summary, the topics raised."
          prompt = """
            Product: {{review.product}}
            Review: {{review.text}}
          """
        }

        agent responder(review: Review, analysis: Analysis) -> string {
          model  = main
          prompt = """
            Write a short, friendly reply to this {{analysis.sentiment}} review of {{review.product}}.
            It raised: {{analysis.topics}}.
            Review: {{review.text}}
          """
        }

        workflow respond(review: Review) -> Answer {
          analysis = analyst(review)
          reply    = responder(review, analysis)
          return Answer { analysis = analysis, reply = reply }
        }

        """";

    private static string ProjectFile(string rootNamespace, string version, bool bundled) => $$"""
        <Project Sdk="Microsoft.NET.Sdk">
          <!-- A console app on Atlas: the Atlas.Generators package turns the *.atlas files here into
               typed C# at build time (records, agents, workflows, AddAtlas), Atlas.Runtime runs them, and
               Atlas.Runtime.OpenAI is the client of the `openai` provider (each provider kind has its package;
               the build names the one a declaration needs, ATL2036).
               {{(bundled
                   ? "They come from the atlas tool that created this project (see nuget.config). Without it,"
                   : "Until those packages are on a feed you use,")}} either add a folder holding them
               (`dotnet pack` in a clone of Atlas) as a package source, or replace the three lines
               with references into the clone:
                 <ProjectReference Include="path/to/atlas/generators/Atlas.Generators/Atlas.Generators.csproj"
                                   OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                 <ProjectReference Include="path/to/atlas/runtime/Atlas.Runtime/Atlas.Runtime.csproj" />
                 <ProjectReference Include="path/to/atlas/runtime/Atlas.Runtime.OpenAI/Atlas.Runtime.OpenAI.csproj" />
                 <AdditionalFiles Include="*.atlas" />
               `atlas run` needs none of this: it runs the .atlas files directly. -->
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>disable</ImplicitUsings>
            <RootNamespace>{{rootNamespace}}</RootNamespace>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Atlas.Generators" Version="{{version}}" PrivateAssets="all" />
            <PackageReference Include="Atlas.Runtime" Version="{{version}}" />
            <PackageReference Include="Atlas.Runtime.OpenAI" Version="{{version}}" />
            <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="{{DependencyInjectionVersion}}" />
          </ItemGroup>
        </Project>

        """;

    private static string ProgramFile(string rootNamespace) => $$"""
        using System;
        using System.Text.Encodings.Web;
        using System.Text.Json;
        using System.Threading.Tasks;
        using Microsoft.Extensions.DependencyInjection;

        namespace {{rootNamespace}};

        /// <summary>Runs the generated <see cref="RespondWorkflow"/> on one review and prints the typed answer as JSON.</summary>
        internal static class Program
        {
            public static async Task Main()
            {
                // API keys come from the environment; without them the `main` route uses `offline` (mock).
                await using var services = new ServiceCollection().AddAtlas().BuildServiceProvider();

                var review = new Review(
                    Product: "Trail running shoes",
                    Text: "Great grip on wet rocks and they dried overnight, but the laces keep coming undone.");
                Answer answer = await services.GetRequiredService<RespondWorkflow>().RunAsync(review);

                // The generated resolver writes the names as declared in the .atlas file.
                var pretty = new JsonSerializerOptions(AtlasJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                Console.WriteLine(JsonSerializer.Serialize(answer, pretty));
            }
        }

        """;

    private static string Readme(string projectName, string fileName) => $$"""
        # {{projectName}}

        A starter Atlas project: `{{fileName}}.atlas` declares a provider, a route, types,
        two agents and a workflow.

        ```sh
        atlas run {{fileName}}.atlas --input @input.json   # runs it now, offline on the mock provider
        atlas graph {{fileName}}.atlas                     # its dataflow graph (Mermaid)
        atlas check {{fileName}}.atlas                     # diagnostics only
        dotnet run                             # the same workflow as generated, typed C#
        ```

        """;
}
