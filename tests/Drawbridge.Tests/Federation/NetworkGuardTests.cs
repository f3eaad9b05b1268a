using System.Net;
using Drawbridge.Federation;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// What another server can make Drawbridge fetch: only public addresses over https, checked on the addresses a name
/// resolves to, unless Drawbridge:Federation:AllowPrivateNetworks; and never more than the size limit.
/// </summary>
public sealed class NetworkGuardTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.3")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public void Private_loopback_link_local_and_multicast_addresses_are_not_public(string address)
    {
        Assert.False(NetworkGuard.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2a00:1450:4009:81d::200e")]
    [InlineData("::ffff:93.184.215.14")]
    public void Public_addresses_are_public(string address)
    {
        Assert.True(NetworkGuard.IsPublic(IPAddress.Parse(address)));
    }

    private static FederationHttp Client(bool allowPrivate, int maxBytes = 1024 * 1024) =>
        new(Options.Create(new FederationOptions { AllowPrivateNetworks = allowPrivate, MaxFetchBytes = maxBytes, TimeoutSeconds = 60 }), TimeProvider.System);

    [Fact]
    public async Task Without_the_setting_loopback_addresses_and_plain_http_are_refused_before_any_request()
    {
        using var http = Client(allowPrivate: false);
        var plain = await Assert.ThrowsAsync<FederationFetchException>(() => http.GetBytesAsync(new Uri(server.BaseAddress, "/nodeinfo/2.0"), "application/json", null, default));
        Assert.Contains("not an https address", plain.Message, StringComparison.Ordinal);
        var loopback = await Assert.ThrowsAsync<FederationFetchException>(() => http.GetBytesAsync(new Uri($"https://127.0.0.1:{server.BaseAddress.Port}/nodeinfo/2.0"), "application/json", null, default));
        Assert.Contains("loopback", loopback.Message, StringComparison.Ordinal);
        var name = await Assert.ThrowsAsync<FederationFetchException>(() => http.GetBytesAsync(new Uri($"https://localhost:{server.BaseAddress.Port}/"), "application/json", null, default));
        Assert.Contains("loopback", name.Message, StringComparison.Ordinal);
        var credentials = await Assert.ThrowsAsync<FederationFetchException>(() => http.GetBytesAsync(new Uri("https://user:pw@example.org/"), "application/json", null, default));
        Assert.Contains("credentials", credentials.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_is_checked_on_the_addresses_it_resolves_to()
    {
        // "localhost" resolves through the system resolver to loopback addresses only: the connection is refused.
        var e = await Assert.ThrowsAsync<FederationFetchException>(async () =>
            await NetworkGuard.ConnectAsync(new SocketsHttpConnectionContextProbe("localhost", server.BaseAddress.Port).Context, allowPrivateNetworks: false, default));
        Assert.Contains("no public address", e.Message, StringComparison.Ordinal);
        // With the setting the same name connects.
        await using var stream = await NetworkGuard.ConnectAsync(new SocketsHttpConnectionContextProbe("localhost", server.BaseAddress.Port).Context, allowPrivateNetworks: true, default);
        Assert.True(stream.CanWrite);
    }

    [Fact]
    public async Task With_the_setting_loopback_peers_are_fetched_within_the_size_limit()
    {
        using var http = Client(allowPrivate: true);
        using var doc = await http.GetJsonAsync(new Uri(server.BaseAddress, "/nodeinfo/2.0"), "application/json", null, default);
        Assert.Equal("drawbridge", doc.RootElement.GetProperty("software").GetProperty("name").GetString());

        using var small = Client(allowPrivate: true, maxBytes: 64);
        var big = await Assert.ThrowsAsync<FederationFetchException>(() => small.GetBytesAsync(new Uri(server.BaseAddress, "/nodeinfo/2.0"), "application/json", null, default));
        Assert.Contains("larger than 64 bytes", big.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<FederationFetchException>(() => http.GetBytesAsync(new Uri(server.BaseAddress, "/nodeinfo/9.9"), "application/json", null, default));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        var notJson = await Assert.ThrowsAsync<FederationFetchException>(() => http.GetJsonAsync(new Uri(server.BaseAddress, "/.well-known/host-meta"), "application/json", null, default));
        Assert.Contains("did not answer with JSON", notJson.Message, StringComparison.Ordinal);
    }
}

/// <summary>Builds the connection context SocketsHttpHandler hands its connect callback, for a host and port.</summary>
internal sealed class SocketsHttpConnectionContextProbe
{
    public SocketsHttpConnectionContextProbe(string host, int port)
    {
        // The context has no public constructor: the handler's own callback is the honest way to get one.
        SocketsHttpConnectionContext? captured = null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = (ctx, _) =>
            {
                captured = ctx;
                throw new OperationCanceledException("captured");
            },
        };
        using var client = new HttpClient(handler);
        try
        {
            client.GetAsync(new Uri($"http://{host}:{port}/")).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
        Context = captured ?? throw new InvalidOperationException("No connection context was captured");
    }

    public SocketsHttpConnectionContext Context { get; }
}
