using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Atlas.Runtime.Tests;

/// <summary>A request the loopback server received: its number (from 0), path, headers of interest, body and arrival time.</summary>
public sealed record WireRequest(int Index, string Path, string? Authorization, string? ApiKey, string Body, long ArrivedAt, string Headers);

/// <summary>
/// A Kestrel server on 127.0.0.1 (a free port) that answers every request with <c>respond</c>.
/// Only loopback traffic; stopping it cancels <see cref="Stopping"/> so hanging handlers end.
/// </summary>
internal sealed class WireServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private int _count;

    private WireServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    public ConcurrentQueue<WireRequest> Requests { get; } = new();

    public CancellationToken Stopping => _stopping.Token;

    public static async Task<WireServer> StartAsync(Func<WireRequest, HttpContext, CancellationToken, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var server = new WireServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var request = new WireRequest(
                Interlocked.Increment(ref server._count) - 1,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.Headers["x-api-key"].FirstOrDefault(),
                await reader.ReadToEndAsync(),
                Stopwatch.GetTimestamp(),
                string.Join("\n", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}")));
            server.Requests.Enqueue(request);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server.Stopping);
            try
            {
                await respond(request, context, both.Token);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
                // The client went away (a timeout) or the server is stopping.
            }
        });
        await app.StartAsync();
        server.BaseUrl = app.Urls.Single().TrimEnd('/');
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
