using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Atlas.Runtime.Tests;

/// <summary>The real OpenAI client against a loopback server speaking chat-completions SSE.</summary>
public sealed class OpenAIWireTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private int _count;

    public OpenAIWireTests()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(Serve);
    }

    private int Port { get; }

    public Func<int, bool> FailWith500 { get; set; } = _ => false;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }

    [Fact]
    public async Task OpenAICompatible_StreamsTokens_OverSse()
    {
        using var runtime = Runtime(retry: 0);
        var events = new ConcurrentQueue<AtlasEvent>();
        var step = runtime.CreateStepContext("ask", events.Enqueue);
        var agent = new AgentDescriptor("helper", [], "string", null, "compat", TestSupport.Template("hello"));

        var result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), step, CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        Assert.Equal(["Hello", " from", " the", " wire"], events.OfType<TokenEmitted>().Select(t => t.Text));
        Assert.Contains("\"stream\":true", _requests.Single());
        Assert.Equal(new Usage(7, 4, 0), step.Usage);
    }

    [Fact]
    public async Task OpenAICompatible_500_IsRetriedByPolly()
    {
        FailWith500 = n => n == 0;
        using var runtime = Runtime(retry: 1);
        var events = new ConcurrentQueue<AtlasEvent>();
        var agent = new AgentDescriptor("helper", [], "string", null, "route", TestSupport.Template("hello"));

        var result = await runtime.InvokeAgentAsync(agent, TestSupport.Args(), runtime.CreateStepContext("ask", events.Enqueue), CancellationToken.None);

        Assert.Equal("Hello from the wire", result!.GetValue<string>());
        Assert.Single(events.OfType<RetryScheduled>());
        Assert.Equal(2, _requests.Count);
    }

    private AtlasRuntime Runtime(int retry) => TestSupport.Runtime(o =>
    {
        o.Providers.Add(new ProviderDescriptor("compat", "openai_compatible", "test-model", Endpoint: $"http://127.0.0.1:{Port}/v1"));
        o.Routes.Add(new RouteDescriptor("route", "fallback", ["compat"], Retry: retry, Timeout: TimeSpan.FromSeconds(10)));
    });

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            using (var reader = new System.IO.StreamReader(context.Request.InputStream))
            {
                _requests.Enqueue(await reader.ReadToEndAsync());
            }

            await Respond(Interlocked.Increment(ref _count) - 1, context.Response);
        }
    }

    private async Task Respond(int n, HttpListenerResponse response)
    {
        if (FailWith500(n))
        {
            response.StatusCode = 500;
            response.Close();
            return;
        }

        response.ContentType = "text/event-stream";
        var chunks = new[] { "Hello", " from", " the", " wire" };
        var body = new StringBuilder();
        foreach (var chunk in chunks)
        {
            body.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
                .Append(chunk).Append("\"},\"finish_reason\":null}]}\n\n");
        }

        body.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4,\"total_tokens\":11}}\n\n");
        body.Append("data: [DONE]\n\n");
        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
