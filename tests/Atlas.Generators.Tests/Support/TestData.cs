using System;
using System.IO;

namespace Atlas.Generators.Tests.Support;

internal static class TestData
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    /// <summary>The repository root (where Atlas.Dsl.sln is).</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Atlas.Dsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Atlas.Dsl.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A small valid project: two agents sharing a type, and a workflow using both.</summary>
    public const string Agents = """
        provider offline {
          kind = mock
        }

        type Ticket {
          subject: string
          body:    string
        }

        agent summarizer(ticket: Ticket) -> string {
          model  = offline
          prompt = "Summarize: {{ticket.body}}"
        }

        agent titler(ticket: Ticket) -> string {
          model  = offline
          prompt = "Title for: {{ticket.subject}}"
        }

        workflow digest(ticket: Ticket) -> string {
          summary = summarizer(ticket)
          title   = titler(ticket)
          return title
        }
        """;
}
