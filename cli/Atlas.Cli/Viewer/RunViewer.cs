using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atlas.Cli.Viewer;

/// <summary>
/// The run viewer's web server: Kestrel on 127.0.0.1 only (never another interface: the store holds prompts and
/// replies), the page and its script and style from the assembly's resources, and <see cref="ViewerApi"/>.
/// </summary>
/// <remarks>Started by <c>atlas view</c>, and in process by the viewer's tests; disposing it stops the server.</remarks>
internal sealed class RunViewer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunViewer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the page is: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts serving <paramref name="store"/> on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    /// <exception cref="IOException">The port is taken (Kestrel's own exception).</exception>
    public static async Task<RunViewer> StartAsync(SqliteRunStore store, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        // Another site open in the same browser must neither read the store (DNS rebinding: a Host that is not this
        // loopback address) nor answer a question (a cross-site POST: only JSON from this page's own origin).
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var host = request.Host.Host;
            var sameOrigin = !request.Headers.TryGetValue("Origin", out var origin)
                || (Uri.TryCreate(origin.ToString(), UriKind.Absolute, out var from) && from.IsLoopback && from.Port == request.Host.Port);
            var json = request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false;
            if (host is not ("127.0.0.1" or "localhost") || (HttpMethods.IsPost(request.Method) && !(json && sameOrigin)))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (RunStoreException ex) when (!context.Response.HasStarted)
            {
                // A store damaged while the viewer runs: one line, as atlas runs says it.
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync(ViewerJson.Error(JsonText.OneLine(ex.Message)).ToJsonString(), context.RequestAborted).ConfigureAwait(false);
            }
        });

        new ViewerApi(store, app.Lifetime.ApplicationStopping).Map(app);
        foreach (var asset in ViewerAssets.All) app.MapGet(asset.Path, () => Results.Bytes(asset.Content, asset.ContentType));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var bound = new Uri(address).Port;
        return new RunViewer(app, new Uri($"http://127.0.0.1:{bound}/"));
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled, then stops (closing live pages' streams).</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stopping.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
