using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Drawbridge.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Tests.Federation;

/// <summary>One POST a sink received: where, what, and whether its signature verified against the sender's published key.</summary>
public sealed record SinkDelivery(string Path, JsonElement Activity, string? KeyId, string? Scheme, string? SignatureError, int Status)
{
    /// <summary>The sink took it (answered 2xx), as opposed to refusing it.</summary>
    public bool Accepted => Status is >= 200 and < 300;

    public bool Verified => SignatureError is null;
    public string Type => Activity.GetProperty("type").GetString()!;
    public string Id => Activity.GetProperty("id").GetString()!;
}

/// <summary>
/// A stand-in for another fediverse server: a real Kestrel server on its own loopback address (127.0.0.x is a
/// distinct host), recording each POST to any inbox and verifying its HTTP signature with the repository's verifier,
/// using the key the signing actor publishes (fetched from the key id, as a real server does). It can answer with any
/// status, or never answer at all, or be stopped and started again on the same address.
/// </summary>
public sealed class InboxSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<SinkDelivery> _received = new();
    private readonly ConcurrentDictionary<string, AsymmetricAlgorithm> _keys = new();
    private readonly HttpClient _fetch = new(new SocketsHttpHandler { UseCookies = false });
    private WebApplication? _app;
    private readonly CancellationTokenSource _hung = new();

    private InboxSink(IPAddress address) => Address = address;

    public IPAddress Address { get; }
    public int Port { get; private set; }
    public string Authority => $"{Address}:{Port}";
    public string Url(string path) => $"http://{Authority}{path}";
    public string SharedInbox => Url("/inbox");
    public string Inbox(string user) => Url($"/users/{user}/inbox");
    public string Actor(string user) => Url($"/users/{user}");

    /// <summary>What to answer (202 by default); called for every POST. Null: hang until the sink is disposed.</summary>
    public Func<HttpContext, int?> Answer { get; set; } = _ => 202;

    /// <summary>How long it takes to answer each POST.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Every POST, answered or not, in arrival order.</summary>
    public IReadOnlyList<SinkDelivery> Received => _received.ToList();

    /// <summary>How many POSTs arrived, including the ones it refused or never answered.</summary>
    public int Attempts => _attempts;
    private int _attempts;

    public static async Task<InboxSink> StartAsync(string address, int port = 0)
    {
        var sink = new InboxSink(IPAddress.Parse(address));
        await sink.StartAsync(port);
        return sink;
    }

    public async Task StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(Address, port == 0 ? Port : port));
        var app = builder.Build();
        app.MapPost("/{**path}", HandleAsync);
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Port = bound.Port;
        _app = app;
    }

    /// <summary>Stops answering: connections are refused until <see cref="StartAsync(int)"/> is called again.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _attempts);
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }
        var status = Answer(ctx);
        if (status is null)
        {
            // A server that never answers: hold the request until the client gives up or the sink goes.
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _hung.Token).Token);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        JsonElement activity;
        try
        {
            activity = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            ctx.Response.StatusCode = 400;
            return;
        }
        string? error = null;
        SignatureCheck? check = null;
        try
        {
            check = await HttpSignatures.VerifyAsync(SignedMessage.From(ctx.Request), body, DateTimeOffset.UtcNow, ResolveKeyAsync, ctx.RequestAborted);
        }
        catch (Exception e) when (e is SignatureException or FormatException or CryptographicException or HttpRequestException or JsonException)
        {
            error = e.Message;
        }
        if (error is null && activity.TryGetProperty("actor", out var actor) && check!.KeyId.Split('#')[0] != actor.GetString())
        {
            error = $"signed by {check.KeyId}, sent for {actor.GetString()}";
        }
        var answer = error is null ? status.Value : 401;
        _received.Enqueue(new SinkDelivery(ctx.Request.Path.Value ?? "", activity, check?.KeyId, check?.Scheme, error, answer));
        ctx.Response.StatusCode = answer;
    }

    /// <summary>Fetches and keeps the key <paramref name="keyId"/>, as a server does when one of its users follows its actor.</summary>
    public async Task KnowKeyAsync(string keyId) =>
        Assert.True(await ResolveKeyAsync(keyId, CancellationToken.None) is not null, $"{keyId} is not the key its actor publishes");

    private async Task<AsymmetricAlgorithm?> ResolveKeyAsync(string keyId, CancellationToken ct)
    {
        if (_keys.TryGetValue(keyId, out var known))
        {
            return known;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, keyId.Split('#')[0]);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/activity+json"));
        using var response = await _fetch.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var actor = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        var key = actor.GetProperty("publicKey");
        if (key.GetProperty("id").GetString() != keyId)
        {
            return null;
        }
        return _keys[keyId] = HttpSignatures.ImportPublicKey(key.GetProperty("publicKeyPem").GetString()!);
    }

    /// <summary>Waits until what was received satisfies <paramref name="done"/>; fails the test with what did arrive if it never does.</summary>
    public async Task<IReadOnlyList<SinkDelivery>> WaitForAsync(Func<IReadOnlyList<SinkDelivery>, bool> done, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var now = Received;
            if (done(now))
            {
                return now;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The sink at {Authority} did not get what was expected within {seconds} s; it got: "
                    + string.Join("; ", now.Select(d => $"{d.Path} {d.Type} {d.Id} {d.SignatureError}")));
            }
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _hung.CancelAsync();
        await StopAsync();
        _fetch.Dispose();
        _hung.Dispose();
    }
}
