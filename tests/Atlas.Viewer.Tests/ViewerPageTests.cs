using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.Playwright;

namespace Atlas.Cli.Tests;

/// <summary>The viewer's pages in headless Chromium, over runs the CLI recorded.</summary>
public sealed class ViewerPageTests(ViewerFixture fixture) : IClassFixture<ViewerFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToHaveTextOptions SoonText = new() { Timeout = 15_000 };

    [Fact]
    public async Task RunsList_ShowsTheRecordedRun_AndFiltersByStatus()
    {
        var page = await fixture.OpenAsync();
        var row = page.Locator($"tr.run[data-run='{fixture.SupportRun}']");
        await Assertions.Expect(row).ToBeVisibleAsync(Soon);
        await Assertions.Expect(row).ToContainTextAsync("support");
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("succeeded");
        await ViewerFixture.ScreenshotAsync(page, "runs");

        await page.SelectOptionAsync("select[name=status]", "failed");
        await page.ClickAsync("form.filters button");
        await Assertions.Expect(page.GetByText("No runs match.")).ToBeVisibleAsync(Soon);
        await page.FillAsync("input[name=since]", "yesterday");
        await page.SelectOptionAsync("select[name=status]", "");
        await page.ClickAsync("form.filters button");
        await Assertions.Expect(page.Locator("p.error")).ToContainTextAsync("is neither an age");
        await page.CloseAsync();
    }

    [Fact]
    public async Task RunPage_ShowsTheGraphColouredByStatus_TheTimeline_AndAPrompt()
    {
        var page = await fixture.OpenAsync();
        await page.ClickAsync($"tr.run[data-run='{fixture.SupportRun}'] a.mono");
        await Assertions.Expect(page.Locator("#graph")).ToBeVisibleAsync(Soon);

        // A node per step of the plan, each with its recorded status; the parameter too.
        foreach (var step in new[] { "triage", "context", "answer" })
            await Assertions.Expect(page.Locator($"#graph g.node.status-succeeded[data-id='step_{step}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#graph g.node.status-param[data-id='param_ticket']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#graph g.node.critical")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("p.note")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".bottleneck")).ToContainTextAsync("Slowest step:");

        // The timeline: a bar per step, and one per model call inside them.
        await Assertions.Expect(page.Locator("#timeline rect.bar-step")).ToHaveCountAsync(3);
        var calls = (await fixture.RunStore.GetModelCallsAsync(fixture.SupportRun)).Count;
        Assert.True(calls >= 2);
        await Assertions.Expect(page.Locator("#timeline rect.bar-model")).ToHaveCountAsync(calls);
        var tools = (await fixture.RunStore.GetToolCallsAsync(fixture.SupportRun)).Count;
        await Assertions.Expect(page.Locator("#timeline rect.bar-tool")).ToHaveCountAsync(tools);

        // A step's input (the ticket it read) and output.
        await page.ClickAsync("tr.step[data-step='triage']");
        await Assertions.Expect(page.Locator("pre.step-input")).ToContainTextAsync("Charged twice this month");
        await Assertions.Expect(page.Locator("pre.step-output")).ToContainTextAsync("\"category\"");

        // The classifier's prompt as rendered, and its reply.
        await page.ClickAsync("tr.call[data-call='1']");
        await Assertions.Expect(page.Locator(".prompt")).ToContainTextAsync("Subject: Charged twice this month");
        await Assertions.Expect(page.Locator(".prompt .role-system")).ToContainTextAsync("You triage customer-support tickets.");
        await Assertions.Expect(page.Locator(".reply .role-assistant")).ToBeVisibleAsync();
        await ViewerFixture.ScreenshotAsync(page, "run");

        await page.ClickAsync("tr.step[data-step='answer']");
        await Assertions.Expect(page.Locator("pre.step-output")).ToContainTextAsync("a mock reply about");
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DocsScreenshot(), FullPage = false });
        await page.CloseAsync();
    }

    [Fact]
    public async Task RunPage_TextFromTheStore_IsShownAsText()
    {
        // A prompt is untrusted: markup in it must reach the page as text, never as elements.
        var result = Cli.Offline("run", fixture.FlowFile, "-w", "review", "--input", "\"<img src=x onerror=alert(1)><b>bold</b>\"", "--store", fixture.Store);
        Assert.Equal(3, result.ExitCode);
        var runId = WaitingRun(result);
        var page = await fixture.OpenAsync("#/run/" + runId);
        await Assertions.Expect(page.Locator("form.question pre.value")).ToContainTextAsync("Send this?", new() { Timeout = 15_000 });
        await page.ClickAsync("tr.call[data-call='1']");
        await Assertions.Expect(page.Locator(".prompt")).ToContainTextAsync("<b>bold</b>");
        await Assertions.Expect(page.Locator(".prompt")).ToContainTextAsync("<img src=x onerror=alert(1)>");
        Assert.Equal(0, await page.Locator("main img, main b").CountAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task RunPage_ARunningRun_IsSeenFinishingWithoutReload()
    {
        var running = Task.Run(() => Cli.Offline("run", fixture.FlowFile, "-w", "slow_pair", "--input", "\"Bo\"", "--store", fixture.Store));
        string? runId = null;
        for (var i = 0; i < 100 && runId is null; i++)
        {
            runId = (await fixture.RunStore.ListRunsAsync(new RunQuery("slow_pair", RunStatus.Running))).FirstOrDefault()?.RunId;
            if (runId is null) await Task.Delay(50);
        }

        Assert.NotNull(runId);
        var page = await fixture.OpenAsync("#/run/" + runId);
        await Assertions.Expect(page.Locator("dd[data-fact=status] .badge")).ToHaveTextAsync("running", new() { Timeout = 15_000 });
        await page.EvaluateAsync("window.notReloaded = true");
        await ViewerFixture.ScreenshotAsync(page, "live-running");

        await Assertions.Expect(page.Locator("dd[data-fact=status] .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#graph g.node.status-succeeded[data-id='step_second']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#timeline rect.bar-step")).ToHaveCountAsync(2);
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"));
        await ViewerFixture.ScreenshotAsync(page, "live-done");
        Assert.Equal(0, (await running).ExitCode);
        await page.CloseAsync();
    }

    [Fact]
    public async Task RunPage_AWaitingHumanStep_IsAnsweredFromThePage()
    {
        var result = Cli.Offline("run", fixture.FlowFile, "-w", "review", "--input", "\"Ann\"", "--store", fixture.Store);
        Assert.Equal(3, result.ExitCode);
        var runId = WaitingRun(result);
        var page = await fixture.OpenAsync("#/run/" + runId);
        var form = page.Locator("form.question[data-step='ok']");
        await Assertions.Expect(form).ToContainTextAsync("Send this?", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#graph g.node.status-waiting[data-id='step_ok']")).ToBeVisibleAsync();

        // Checked as atlas runs answer checks it: a bool takes true/false/yes/no, not "maybe".
        await form.Locator("textarea").FillAsync("maybe");
        await form.Locator("button").ClickAsync();
        await Assertions.Expect(form.Locator(".answer-error")).ToContainTextAsync("answer 'maybe' does not answer 'ok'");
        await ViewerFixture.ScreenshotAsync(page, "answer-invalid");

        await form.Locator("textarea").FillAsync("yes");
        await form.Locator("button").ClickAsync();
        // The page shows what atlas runs answer prints, also once the live update has redrawn the question as answered.
        var done = page.Locator(".question[data-step='ok'] .answer-done");
        await Assertions.Expect(done).ToContainTextAsync($"answered 'ok' of run {runId}: true");
        await Assertions.Expect(done).ToContainTextAsync($"--resume {runId}");
        await Assertions.Expect(page.Locator(".question.answered[data-step='ok'] code.answer")).ToHaveTextAsync("true", SoonText);
        var question = (await fixture.RunStore.GetHumanRequestsAsync(runId)).Single();
        Assert.Equal("true", question.Answer);
        await ViewerFixture.ScreenshotAsync(page, "answer-recorded");

        // The answer is what atlas run --resume goes on with.
        var resumed = Cli.Offline("run", fixture.FlowFile, "--resume", runId, "--store", fixture.Store);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        await page.CloseAsync();
    }

    [Fact]
    public async Task WorkflowPage_ShowsPercentilesTokensAndRatesPerStep()
    {
        var page = await fixture.OpenAsync("#/workflow/support");
        foreach (var step in new[] { "triage", "context", "answer" })
            await Assertions.Expect(page.Locator($"table.stats tr[data-step='{step}']")).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("table.stats tr[data-step='triage'] td").Nth(6)).ToHaveTextAsync("0%");
        await ViewerFixture.ScreenshotAsync(page, "workflow");
        await page.CloseAsync();
    }

    private static string WaitingRun(CliResult result) =>
        result.StderrLines.Single(l => l.StartsWith("waiting: run ", StringComparison.Ordinal))["waiting: run ".Length..].Split(' ')[0];

    /// <summary>
    /// docs/viewer.png, the README's picture of the run page: written when missing or with ATLAS_ACCEPT=1 (as snapshots
    /// are), so a test run leaves the committed picture alone; otherwise beside the other screenshots.
    /// </summary>
    private static string DocsScreenshot()
    {
        var docs = Path.Combine(Cli.RepositoryRoot, "docs", "viewer.png");
        if (!File.Exists(docs) || Environment.GetEnvironmentVariable("ATLAS_ACCEPT") == "1") return docs;
        return Path.Combine(Cli.RepositoryRoot, "artifacts", "viewer", "docs-viewer.png");
    }
}
