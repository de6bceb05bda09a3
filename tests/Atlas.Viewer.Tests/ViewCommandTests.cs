using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Atlas.Cli.Viewer;
using Atlas.Runtime;

namespace Atlas.Cli.Tests;

/// <summary><c>atlas view</c> as a process (its one line, 127.0.0.1 only, Ctrl+C), its failures, and the API's 404s.</summary>
public sealed class ViewCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task View_PrintsItsUrlOn127001_ServesTheApi_AndStopsCleanlyOnCtrlC()
    {
        var file = _dir.Write("flows.atlas", ViewerFixture.Flows);
        var store = Path.Combine(_dir.Path, "runs.db");
        Assert.Equal(0, Cli.Offline("run", file, "-w", "slow_pair", "--input", "\"x\"", "--store", store).ExitCode);

        var start = AtlasProcess.StartInfo("view", "--store", store);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            Assert.Matches(@"^viewing .*runs\.db at http://127\.0\.0\.1:\d+/$", line);
            var url = new Uri(line[(line.LastIndexOf(' ') + 1)..]);
            using var http = new HttpClient { BaseAddress = url };
            var runs = JsonNode.Parse(await http.GetStringAsync("/api/runs"))!;
            Assert.Equal("slow_pair", (string?)runs["runs"]![0]!["workflow"]);
            Assert.Contains("<title>Atlas runs</title>", await http.GetStringAsync("/"));

            // Another interface of the machine is not served.
            using var elsewhere = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Throws<AggregateException>(() => elsewhere.GetStringAsync(new Uri($"http://{OtherAddress()}:{url.Port}/")).Wait());

            Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "atlas view did not stop on SIGINT");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void View_NoStore_IsOneLineAndExit1()
    {
        var missing = Path.Combine(_dir.Path, "none", "runs.db");
        var result = Cli.Offline("view", "--store", missing);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"atlas view: no runs recorded in {missing}"], result.StderrLines);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void View_ADamagedStore_IsOneLineAndExit1()
    {
        var damaged = _dir.Write("runs.db", "this is not a SQLite database, and never was one.............................................");
        var result = Cli.Offline("view", "--store", damaged);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("atlas view: ", line);
        Assert.Contains(damaged, line);
    }

    [Fact]
    public void View_AMissingFile_IsUsageExit2()
    {
        var result = Cli.Offline("view", Path.Combine(_dir.Path, "nope.atlas"));
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Api_UnknownRunStepCallOrWorkflow_Is404Json()
    {
        var file = _dir.Write("flows.atlas", ViewerFixture.Flows);
        var store = Path.Combine(_dir.Path, "runs.db");
        Assert.Equal(3, Cli.Offline("run", file, "-w", "review", "--input", "\"x\"", "--store", store).ExitCode);
        await using var runStore = new SqliteRunStore(store);
        var runId = (await runStore.ListRunsAsync(new RunQuery())).Single().RunId;
        await using var viewer = await RunViewer.StartAsync(runStore, 0, default);
        using var http = new HttpClient { BaseAddress = viewer.Url };

        foreach (var path in new[]
                 {
                     "/api/runs/0000000000000000", $"/api/runs/{runId}/steps/nope", $"/api/runs/{runId}/model-calls/99",
                     "/api/runs/0000000000000000/live", "/api/workflows/nope/stats", "/api/nothing/here",
                 })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, path);
            Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString());
            Assert.NotNull((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
        }

        using var answer = await http.PostAsync("/api/runs/0000000000000000/answer", Json("{\"step\":\"ok\",\"value\":\"y\"}"));
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        using var wrongStep = await http.PostAsync($"/api/runs/{runId}/answer", Json("{\"step\":\"nope\",\"value\":\"y\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongStep.StatusCode);
        Assert.Contains("has no question for step 'nope'", (string?)JsonNode.Parse(await wrongStep.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task AnotherSite_CanNeitherReadTheStore_NorAnswerAQuestion()
    {
        var file = _dir.Write("flows.atlas", ViewerFixture.Flows);
        var store = Path.Combine(_dir.Path, "runs.db");
        Assert.Equal(3, Cli.Offline("run", file, "-w", "review", "--input", "\"x\"", "--store", store).ExitCode);
        await using var runStore = new SqliteRunStore(store);
        var runId = (await runStore.ListRunsAsync(new RunQuery())).Single().RunId;
        var step = (await runStore.GetHumanRequestsAsync(runId)).Single().Step;
        await using var viewer = await RunViewer.StartAsync(runStore, 0, default);
        using var http = new HttpClient { BaseAddress = viewer.Url };
        var answer = "{\"step\":\"" + step + "\",\"value\":\"y\"}";

        // DNS rebinding: a name that resolves to 127.0.0.1 but is not this page's.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/runs") { Headers = { Host = "evil.example:80" } };
        using var read = await http.SendAsync(rebound);
        // A form another page posts (no preflight): not JSON; and JSON from another origin.
        using var form = await http.PostAsync($"/api/runs/{runId}/answer", new StringContent(answer));
        using var foreign = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{runId}/answer") { Content = Json(answer), Headers = { { "Origin", "https://evil.example" } } };
        using var crossSite = await http.SendAsync(foreign);

        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Null((await runStore.GetHumanRequestsAsync(runId)).Single().Answer);
        using var ownPage = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{runId}/answer") { Content = Json(answer), Headers = { { "Origin", viewer.Url.GetLeftPart(UriPartial.Authority) } } };
        using var answered = await http.SendAsync(ownPage);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("true", (await runStore.GetHumanRequestsAsync(runId)).Single().Answer);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Api_LargeValues_AreCutInTheRunAndWholeOnDemand()
    {
        var file = _dir.Write("flows.atlas", ViewerFixture.Flows);
        var store = Path.Combine(_dir.Path, "runs.db");
        var big = new string('x', 50_000);
        Assert.Equal(3, Cli.Offline("run", file, "-w", "review", "--input", "\"" + big + "\"", "--store", store).ExitCode);
        await using var runStore = new SqliteRunStore(store);
        var runId = (await runStore.ListRunsAsync(new RunQuery())).Single().RunId;
        await using var viewer = await RunViewer.StartAsync(runStore, 0, default);
        using var http = new HttpClient { BaseAddress = viewer.Url };

        var run = JsonNode.Parse(await http.GetStringAsync($"/api/runs/{runId}"))!;
        Assert.True((bool)run["run"]!["input"]!["truncated"]!);
        Assert.Equal(ViewerJson.PreviewLength, ((string)run["run"]!["input"]!["text"]!).Length);
        var list = JsonNode.Parse(await http.GetStringAsync("/api/runs"))!;
        Assert.True(((string)list["runs"]![0]!["input"]!).Length < 200);
        var call = JsonNode.Parse(await http.GetStringAsync($"/api/runs/{runId}/model-calls/1"))!;
        var messages = call["request"]!.AsArray();
        Assert.Contains(big, (string)messages[messages.Count - 1]!["parts"]![0]!["text"]!);
    }

    /// <summary>An address of this machine other than loopback, or a documentation address no one answers on.</summary>
    private static string OtherAddress()
    {
        foreach (var address in Dns.GetHostAddresses(Dns.GetHostName()))
        {
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(address)) return address.ToString();
        }

        return "192.0.2.1";
    }
}
