using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Drawbridge.Tests.Clients;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// Another fediverse server, built on Fedify (tests/node/fedify-peer.mjs) rather than on anything of Drawbridge's: a
/// Node process on its own loopback address with one actor, <c>peer</c>. The test tells it what to do and asks what
/// its inbox took through a small control API on the same port.
/// </summary>
public sealed class FedifyPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private FedifyPeer(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }
    public string Domain => new Uri(Url).Authority;
    public string Actor => $"{Url}/users/peer";
    public string Acct => $"peer@{Domain}";

    /// <summary>What the peer wrote on stderr so far (Fedify's own log when FEDIFY_DEBUG is set).</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static async Task<FedifyPeer> StartAsync(string ip)
    {
        var node = NodeHarness.Shared;
        await node.EnsureInstalledAsync();
        var port = FediversePeer.FreePort(IPAddress.Parse(ip));
        var start = new ProcessStartInfo(node.Node) { WorkingDirectory = node.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("fedify-peer.mjs");
        start.Environment["PEER_HOST"] = ip;
        start.Environment["PEER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("FEDIFY_DEBUG") is { Length: > 0 } debug)
        {
            start.Environment["FEDIFY_DEBUG"] = debug;
        }
        var process = Process.Start(start)!;
        var peer = new FedifyPeer(process, $"http://{ip}:{port}");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (peer._errors)
            {
                peer._errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.Contains("\"listening\"", StringComparison.Ordinal))
        {
            await peer.DisposeAsync();
            throw new InvalidOperationException($"The Fedify peer did not start: {line}\n{peer.Errors}");
        }
        return peer;
    }

    private async Task<JsonElement> ControlAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, Url + path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"The Fedify peer failed {path}: {text}\n{Errors}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The peer follows <paramref name="actor"/>; returns the Follow's id.</summary>
    public async Task<string> FollowAsync(string actor) => (await ControlAsync(HttpMethod.Post, "/control/follow", new { actor })).Str("id");

    /// <summary>The peer replies to <paramref name="inReplyTo"/>, addressed to its author <paramref name="actor"/>; returns the Note's id.</summary>
    public async Task<string> ReplyAsync(string actor, string inReplyTo, string content) =>
        (await ControlAsync(HttpMethod.Post, "/control/reply", new { actor, inReplyTo, content })).Str("id");

    public async Task<string> LikeAsync(string actor, string @object) => (await ControlAsync(HttpMethod.Post, "/control/like", new { actor, @object })).Str("id");

    /// <summary>What Fedify's inbox listeners were given (only activities that passed its verification reach them).</summary>
    public async Task<IReadOnlyList<JsonElement>> ReceivedAsync() => [.. (await ControlAsync(HttpMethod.Get, "/control/received")).EnumerateArray()];

    /// <summary>Every POST to the peer's inboxes, with the status Fedify answered and the signature headers it came with.</summary>
    public async Task<IReadOnlyList<JsonElement>> DeliveriesAsync() => [.. (await ControlAsync(HttpMethod.Get, "/control/deliveries")).EnumerateArray()];

    /// <summary>Waits (at most 30 s) for an activity the listeners took that matches; fails with all they took if none comes.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var received = await ReceivedAsync();
            if (received.FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The Fedify peer did not receive {what}; it received: {string.Join("\n", received.Select(r => r.GetRawText()))}\n{Errors}");
            }
            await Task.Delay(50);
        }
    }

    public HttpClient Http => _http;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _http.Dispose();
    }
}
