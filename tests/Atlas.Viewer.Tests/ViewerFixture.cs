using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Cli.Viewer;
using Atlas.Runtime;
using Microsoft.Playwright;

namespace Atlas.Cli.Tests;

/// <summary>
/// One run store with real runs recorded by the CLI offline (the support-triage example, and small flows of this
/// file: one waits for a human, one is slow), a viewer serving it in process on a free port, and headless Chromium.
/// </summary>
public sealed class ViewerFixture : IAsyncLifetime
{
    /// <summary>Two steps on a mock slow enough to watch: the live test starts it in the background.</summary>
    public const string Flows = """
        provider offline { kind = mock }
        provider slow {
          kind    = mock
          latency = 80ms   # per streamed token: a step of about 2 s
        }
        agent writer(to: string) -> string {
          model  = offline
          prompt = "Write to {{to}}"
        }
        agent slow_writer(to: string) -> string {
          model  = slow
          prompt = "Write slowly to {{to}}"
        }
        human approver(text: string) -> bool {
          prompt = "Send this? {{text}}"
        }
        workflow review(to: string) -> bool {
          draft = writer(to)
          ok    = approver(draft)
          return ok
        }
        workflow slow_pair(to: string) -> string {
          first  = slow_writer(to)
          second = slow_writer(first)
          return second
        }
        """;

    private readonly TempDirectory _dir = new();
    private IPlaywright? _playwright;

    public string Store { get; private set; } = "";

    public string FlowFile { get; private set; } = "";

    /// <summary>The support example's run (triage, context, answer through the support agent's tool and delegate).</summary>
    public string SupportRun { get; private set; } = "";

    public SqliteRunStore RunStore { get; private set; } = null!;

    internal RunViewer Viewer { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        Store = Path.Combine(_dir.Path, "runs.db");
        var example = Path.Combine(_dir.Path, "support-triage");
        CopyExample(example);
        var support = Cli.Offline("run", Path.Combine(example, "support.atlas"), "-w", "support", "--input", "@" + Path.Combine(example, "ticket.json"), "--store", Store);
        Assert.True(support.ExitCode == 0, support.Stderr);
        FlowFile = _dir.Write("flows.atlas", Flows);

        RunStore = new SqliteRunStore(Store);
        SupportRun = (await RunStore.ListRunsAsync(new RunQuery("support"))).Single().RunId;
        Viewer = await RunViewer.StartAsync(RunStore, 0, CancellationToken.None);
        Http.BaseAddress = Viewer.Url;

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh page at <paramref name="hash"/> (<c>#/run/ID</c>), 1400 px wide.</summary>
    public async Task<IPage> OpenAsync(string hash = "#/")
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync(new Uri(Viewer.Url, hash).ToString());
        return page;
    }

    /// <summary>Saves a screenshot of <paramref name="page"/> to artifacts/viewer/NAME.png (kept by CI, not committed).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Cli.RepositoryRoot, "artifacts", "viewer");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.CloseAsync();
            _playwright.Dispose();
        }

        await Viewer.DisposeAsync();
        await RunStore.DisposeAsync();
        Http.Dispose();
        _dir.Dispose();
    }

    private static void CopyExample(string to)
    {
        var from = Cli.Example("support-triage");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" or ".atlas") || relative.Contains(".db", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
