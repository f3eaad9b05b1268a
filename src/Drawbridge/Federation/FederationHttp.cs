using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Drawbridge.Federation;

/// <summary>Settings of <c>Drawbridge:Federation</c>.</summary>
public sealed class FederationOptions
{
    public const string Section = "Drawbridge:Federation";

    /// <summary>
    /// Lets Drawbridge talk to private, loopback and link-local addresses, over plain http too: for tests and peers on
    /// the same machine or network. Off by default, so a remote server can't make this one fetch its neighbours.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The largest document fetched from another server (actors, objects, WebFinger).</summary>
    public int MaxFetchBytes { get; set; } = 1024 * 1024;

    /// <summary>How long one request to another server may take, connecting included.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Failed deliveries in a row after which a domain is paused (its circuit breaker opens).</summary>
    public int DomainFailureThreshold { get; set; } = 8;

    /// <summary>The first pause of a failing domain; it doubles with each failed probe.</summary>
    public double DomainPauseSeconds { get; set; } = 300;

    /// <summary>The longest pause of a failing domain between probes.</summary>
    public double DomainMaxPauseSeconds { get; set; } = 24 * 3600;

    /// <summary>
    /// Authorized fetch (Mastodon's "secure mode"): actors, posts, outboxes and collections in ActivityPub form are
    /// served only to requests signed by a server that is not suspended here; an unsigned request for an actor gets
    /// its key and addresses only. HTML pages are not affected. Off by default.
    /// </summary>
    public bool AuthorizedFetch { get; set; }
}

/// <summary>Why a fetch from or delivery to another server did not happen or failed.</summary>
public sealed class FederationFetchException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Which addresses Drawbridge may reach when another server names them: public unicast only, unless
/// <see cref="FederationOptions.AllowPrivateNetworks"/>. Checked on the addresses a name resolves to, at connect
/// time (so a name can't resolve to one address for the check and another for the connection), and on every redirect.
/// </summary>
public static class NetworkGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] == 0 // "this network"
                || b[0] == 10 // private
                || b[0] == 127 // loopback
                || (b[0] == 100 && (b[1] & 0xC0) == 64) // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254) // link-local (cloud metadata lives here)
                || (b[0] == 172 && (b[1] & 0xF0) == 16) // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
                || (b[0] == 192 && b[1] == 0 && b[2] == 2) // documentation
                || (b[0] == 192 && b[1] == 168) // private
                || (b[0] == 198 && (b[1] & 0xFE) == 18) // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100) // documentation
                || (b[0] == 203 && b[1] == 0 && b[2] == 113) // documentation
                || b[0] >= 224); // multicast, reserved, broadcast
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6None.Equals(address) || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
            {
                return false;
            }
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            // IPv4-compatible and NAT64 (64:ff9b::/96) addresses carry an IPv4 address that must pass too.
            if (b[..12].IndexOfAnyExcept((byte)0) < 0)
            {
                return false;
            }
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
            {
                return IsPublic(new IPAddress(b[12..]));
            }
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
            {
                return false; // documentation
            }
            return true;
        }
        return false;
    }

    /// <summary>Throws unless <paramref name="uri"/> is one Drawbridge may fetch: https (http only on private networks), no credentials.</summary>
    public static void CheckUri(Uri uri, bool allowPrivateNetworks)
    {
        if (!uri.IsAbsoluteUri)
        {
            throw new FederationFetchException($"{uri} is not an absolute address");
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivateNetworks && uri.Scheme == Uri.UriSchemeHttp))
        {
            throw new FederationFetchException($"{uri} is not an https address");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new FederationFetchException($"{uri} carries credentials");
        }
        if (!allowPrivateNetworks && (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6) && !IsPublic(IPAddress.Parse(uri.IdnHost.Trim('[', ']'))))
        {
            throw new FederationFetchException($"{uri.Host} is a private, loopback or link-local address");
        }
        if (!allowPrivateNetworks && (uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FederationFetchException($"{uri.Host} is a loopback name");
        }
    }

    /// <summary>Connects only to an allowed address of the host, after resolving it.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetworks, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = allowPrivateNetworks ? addresses : addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new FederationFetchException($"{host} resolves to no public address");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>
/// Every request Drawbridge makes to another server goes through here: the <see cref="NetworkGuard"/> on each address
/// and redirect, a time limit, a size limit on what is read, and HTTP signatures on what is sent.
/// </summary>
public sealed class FederationHttp : IDisposable
{
    public const string ActivityJson = "application/activity+json";
    public const string LdJson = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
    private const int MaxRedirects = 3;

    private readonly HttpClient _http;
    private readonly FederationOptions _options;
    private readonly TimeProvider _time;
    // Which servers refused an RFC 9421 signature and took a draft-cavage one: they get cavage first next time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _cavageOnly = new(StringComparer.OrdinalIgnoreCase);

    public FederationHttp(IOptions<FederationOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var allowPrivate = _options.AllowPrivateNetworks;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Brotli,
            ConnectTimeout = TimeSpan.FromSeconds(_options.TimeoutSeconds),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 16,
            ConnectCallback = (context, ct) => NetworkGuard.ConnectAsync(context, allowPrivate, ct),
        })
        {
            Timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds),
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Drawbridge/1.0");
    }

    public FederationOptions Options => _options;

    /// <summary>A key that signs requests: the key id (the actor's key URI) and its private key.</summary>
    public sealed record Signer(string KeyId, RSA Key);

    /// <summary>GETs a JSON document (an actor, an object, a collection), following up to three checked redirects.</summary>
    public async Task<JsonDocument> GetJsonAsync(Uri uri, string accept, Signer? signer, CancellationToken ct)
    {
        var bytes = await GetBytesAsync(uri, accept, signer, ct);
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            throw new FederationFetchException($"{uri} did not answer with JSON");
        }
    }

    public async Task<byte[]> GetBytesAsync(Uri uri, string accept, Signer? signer, CancellationToken ct)
    {
        for (var hop = 0; ; hop++)
        {
            NetworkGuard.CheckUri(uri, _options.AllowPrivateNetworks);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd(accept);
            if (signer is not null)
            {
                HttpSignatures.SignCavage(request, signer.KeyId, signer.Key, _time.GetUtcNow());
            }
            using var response = await SendAsync(request, ct);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                if (hop >= MaxRedirects)
                {
                    throw new FederationFetchException($"{uri} redirected more than {MaxRedirects} times");
                }
                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new FederationFetchException($"{uri} answered {(int)response.StatusCode}", response.StatusCode);
            }
            return await ReadLimitedAsync(response, _options.MaxFetchBytes, ct);
        }
    }

    /// <summary>
    /// POSTs an activity to an inbox, signed. Double-knock: RFC 9421 first, and when the server refuses it (400, 401,
    /// 403), draft-cavage; a server that took only draft-cavage gets it first from then on.
    /// </summary>
    public async Task<HttpStatusCode> PostActivityAsync(Uri inbox, byte[] body, Signer signer, CancellationToken ct)
    {
        NetworkGuard.CheckUri(inbox, _options.AllowPrivateNetworks);
        var authority = inbox.Authority;
        var cavageFirst = _cavageOnly.ContainsKey(authority);
        var status = await PostOnceAsync(inbox, body, signer, rfc9421: !cavageFirst, ct);
        if (!cavageFirst && status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            status = await PostOnceAsync(inbox, body, signer, rfc9421: false, ct);
            if ((int)status < 300)
            {
                _cavageOnly[authority] = true;
            }
        }
        return status;
    }

    private async Task<HttpStatusCode> PostOnceAsync(Uri inbox, byte[] body, Signer signer, bool rfc9421, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, inbox) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(LdJson);
        request.Headers.Accept.ParseAdd(ActivityJson);
        if (rfc9421)
        {
            HttpSignatures.SignMessage(request, signer.KeyId, signer.Key, _time.GetUtcNow(), body);
        }
        else
        {
            HttpSignatures.SignCavage(request, signer.KeyId, signer.Key, _time.GetUtcNow(), body);
        }
        using var response = await SendAsync(request, ct);
        return response.StatusCode;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is FederationFetchException refused)
        {
            throw refused;
        }
        catch (HttpRequestException e)
        {
            throw new FederationFetchException($"{request.RequestUri} could not be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FederationFetchException($"{request.RequestUri} did not answer within {_options.TimeoutSeconds} seconds");
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new FederationFetchException($"{response.RequestMessage?.RequestUri} is larger than {limit} bytes");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new FederationFetchException($"{response.RequestMessage?.RequestUri} is larger than {limit} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public void Dispose() => _http.Dispose();
}
