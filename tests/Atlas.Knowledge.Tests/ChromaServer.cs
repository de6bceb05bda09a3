using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;

namespace Atlas.Knowledge.Tests;

/// <summary>
/// The ChromaDB server the Chroma tests run against: <c>ATLAS_CHROMA_URL</c> when set (.ci/run sources
/// .ci/chroma.sh, which starts one), otherwise one started here from .ci/chroma/node_modules
/// (<c>bash .ci/chroma.sh install</c>). No server is a test failure, never a skip.
/// </summary>
/// <remarks>One per test process (<see cref="Shared"/>), started on first use and stopped at exit.</remarks>
public sealed class ChromaServer : IDisposable
{
    private static readonly Lazy<ChromaServer> LazyShared = new(() =>
    {
        var server = new ChromaServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    private readonly Process? _process;
    private readonly string? _data;

    /// <summary>The server for this test run (the first call starts or finds it; throws if there is none).</summary>
    public static ChromaServer Shared => LazyShared.Value;

    private ChromaServer()
    {
        var url = Environment.GetEnvironmentVariable("ATLAS_CHROMA_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            var chroma = FindChroma() ?? throw new InvalidOperationException(
                "No ChromaDB server: ATLAS_CHROMA_URL is not set and .ci/chroma/node_modules has no chroma. Run `bash .ci/chroma.sh install` (or source .ci/chroma.sh).");
            var port = FreePort();
            _data = Path.Combine(Path.GetTempPath(), "atlas-chroma-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_data);
            _process = Process.Start(new ProcessStartInfo(chroma, ["run", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--path", _data])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            url = $"http://127.0.0.1:{port}";
        }

        Url = new Uri(url);
        WaitForHeartbeat();
    }

    public Uri Url { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public void Dispose()
    {
        Http.Dispose();
        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
            _process.Dispose();
            try
            {
                Directory.Delete(_data!, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private void WaitForHeartbeat()
    {
        // A server given by URL was already waited for (.ci/chroma.sh); one started here may take a while to open its port.
        var deadline = DateTime.UtcNow.AddSeconds(_process is null ? 10 : 60);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = Http.GetAsync(new Uri(Url, "/api/v2/heartbeat")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e;
            }

            if (_process is { HasExited: true })
            {
                break;
            }

            Thread.Sleep(250);
        }

        throw new InvalidOperationException($"ChromaDB at {Url} does not answer its heartbeat: {last?.Message}");
    }

    private static string? FindChroma()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".ci", "chroma", "node_modules", ".bin", "chroma");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

