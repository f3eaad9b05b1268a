using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drawbridge.Federation;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// A Drawbridge that federates with servers on loopback (<c>AllowPrivateNetworks</c>), on its own address and a port
/// chosen before it starts, so <c>Drawbridge:PublicUrl</c> (its ActivityPub ids) is known to background work too.
/// </summary>
public class FederatedServer : DrawbridgeServer
{
    public FederatedServer() : this("127.0.0.1", allowPrivate: true)
    {
    }

    protected FederatedServer(string ip, bool allowPrivate, int port = 0)
        : this(IPAddress.Parse(ip), port == 0 ? FediversePeer.FreePort(IPAddress.Parse(ip)) : port, allowPrivate)
    {
    }

    private FederatedServer(IPAddress address, int port, bool allowPrivate) : base(DatabaseKind.Sqlite, new Dictionary<string, string?>
    {
        ["Drawbridge:PublicUrl"] = $"http://{address}:{port}",
        ["Drawbridge:Federation:AllowPrivateNetworks"] = allowPrivate ? "true" : "false",
        ["Drawbridge:Federation:TimeoutSeconds"] = "5",
    }, address, port)
    {
        PublicUrl = $"http://{address}:{port}";
    }

    public string PublicUrl { get; }

    public string Domain => new Uri(PublicUrl).Authority;

    public string ActorUri(string handle) => $"{PublicUrl}/users/{handle.ToLowerInvariant()}";
}

/// <summary>The same, refusing private addresses as a production server does.</summary>
public sealed class GuardedServer() : FederatedServer("127.0.0.1", allowPrivate: false);

/// <summary>An actor of the <see cref="FediversePeer"/>: its id, key and the addresses Drawbridge reaches it at.</summary>
public sealed class PeerActor(FediversePeer peer, string name)
{
    public string Name { get; } = name;
    public string Id => $"{peer.BaseUrl}/users/{Name}";
    public string KeyId => $"{Id}#main-key";
    public string Inbox => $"{Id}/inbox";
    public string Followers => $"{Id}/followers";
    public RSA Key { get; set; } = RSA.Create(2048);
    public bool Locked { get; set; }
    public string DisplayName { get; set; } = name;
    public string Summary { get; set; } = "<p>Hello from the peer</p>";
    public List<string> AlsoKnownAs { get; } = [];
    public string Acct => $"{Name}@{peer.Domain}";
}

/// <summary>
/// A small ActivityPub server of the tests' own, on its own loopback address: it serves its actors (with their keys)
/// and WebFinger, records what is delivered to its inboxes, and delivers signed activities to Drawbridge as Mastodon
/// would (draft-cavage with a Digest, or RFC 9421).
/// </summary>
public sealed class FediversePeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, PeerActor> _actors = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private int _next;

    private FediversePeer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public string Domain => new Uri(BaseUrl).Authority;

    /// <summary>Every activity delivered to one of the peer's inboxes, in order.</summary>
    public ConcurrentQueue<JsonElement> Received { get; } = new();

    /// <summary>How many times the peer served an actor document (so a test can tell a fetch from the cache).</summary>
    public int ActorFetches;

    public static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<FediversePeer> StartAsync(string ip = "127.0.0.9")
    {
        var address = IPAddress.Parse(ip);
        var port = FreePort(address);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        var peer = new FediversePeer(app, $"http://{ip}:{port}");
        app.MapGet("/users/{name}", (string name) =>
        {
            if (!peer._actors.TryGetValue(name, out var actor))
            {
                return Results.NotFound();
            }
            Interlocked.Increment(ref peer.ActorFetches);
            return Results.Text(peer.ActorJson(actor).ToJsonString(), "application/activity+json");
        });
        app.MapGet("/.well-known/webfinger", (string resource) =>
        {
            var acct = resource.StartsWith("acct:", StringComparison.Ordinal) ? resource[5..] : resource;
            var name = acct.Split('@')[0];
            if (!peer._actors.TryGetValue(name, out var actor))
            {
                return Results.NotFound();
            }
            return Results.Text(new JsonObject
            {
                ["subject"] = $"acct:{actor.Acct}",
                ["links"] = new JsonArray(new JsonObject { ["rel"] = "self", ["type"] = "application/activity+json", ["href"] = actor.Id }),
            }.ToJsonString(), "application/jrd+json");
        });
        app.MapGet("/users/{name}/statuses/{n}", (HttpRequest request) =>
        {
            var id = peer.BaseUrl + request.Path;
            peer.ObjectFetches.Enqueue((id, SignatureKeyId(request)));
            return peer.Objects.TryGetValue(id, out var o) ? Results.Text(o.ToJsonString(), "application/activity+json") : Results.NotFound();
        });
        async Task<IResult> Inbox(HttpRequest request)
        {
            using var doc = await JsonDocument.ParseAsync(request.Body);
            peer.Received.Enqueue(doc.RootElement.Clone());
            return Results.Accepted();
        }
        app.MapPost("/users/{name}/inbox", (HttpRequest request) => Inbox(request));
        app.MapPost("/inbox", (HttpRequest request) => Inbox(request));
        await app.StartAsync();
        return peer;
    }

    public PeerActor AddActor(string name, bool locked = false)
    {
        var actor = new PeerActor(this, name) { Locked = locked };
        _actors[name] = actor;
        return actor;
    }

    public JsonObject ActorJson(PeerActor a) => new()
    {
        ["@context"] = new JsonArray("https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"),
        ["id"] = a.Id,
        ["type"] = "Person",
        ["preferredUsername"] = a.Name,
        ["name"] = a.DisplayName,
        ["summary"] = a.Summary,
        ["url"] = $"{BaseUrl}/@{a.Name}",
        ["inbox"] = a.Inbox,
        ["outbox"] = $"{a.Id}/outbox",
        ["followers"] = a.Followers,
        ["endpoints"] = new JsonObject { ["sharedInbox"] = $"{BaseUrl}/inbox" },
        ["manuallyApprovesFollowers"] = a.Locked,
        ["icon"] = new JsonObject { ["type"] = "Image", ["url"] = $"{BaseUrl}/avatars/{a.Name}.png" },
        ["alsoKnownAs"] = new JsonArray(a.AlsoKnownAs.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
        ["publicKey"] = new JsonObject { ["id"] = a.KeyId, ["owner"] = a.Id, ["publicKeyPem"] = a.Key.ExportSubjectPublicKeyInfoPem() },
    };

    /// <summary>A fresh activity id on this peer.</summary>
    public string NewId(PeerActor actor, string what = "activity") => $"{actor.Id}/{what}/{Interlocked.Increment(ref _next)}";

    /// <summary>A Note by <paramref name="actor"/>, public unless addressed otherwise.</summary>
    public JsonObject Note(PeerActor actor, string html, string? inReplyTo = null, JsonArray? to = null, JsonArray? cc = null, JsonArray? tag = null) => new()
    {
        ["id"] = NewId(actor, "statuses"),
        ["type"] = "Note",
        ["attributedTo"] = actor.Id,
        ["content"] = html,
        ["inReplyTo"] = inReplyTo,
        ["published"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["to"] = to ?? new JsonArray("https://www.w3.org/ns/activitystreams#Public"),
        ["cc"] = cc ?? new JsonArray(actor.Followers),
        ["tag"] = tag ?? new JsonArray(),
    };

    /// <summary>An activity of <paramref name="type"/> by <paramref name="actor"/> about <paramref name="obj"/>.</summary>
    public JsonObject Activity(PeerActor actor, string type, JsonNode? obj, string? id = null) => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = id ?? NewId(actor, type.ToLowerInvariant()),
        ["type"] = type,
        ["actor"] = actor.Id,
        ["object"] = obj,
    };

    /// <summary>Objects this peer serves at their ids (<see cref="Publish"/>), and each GET of one with the key id that signed it.</summary>
    public ConcurrentDictionary<string, JsonObject> Objects { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Id, string? KeyId)> ObjectFetches { get; } = new();

    /// <summary>Serves <paramref name="obj"/> at its id from now on, and returns its id.</summary>
    public string Publish(JsonObject obj)
    {
        var id = obj["id"]!.GetValue<string>();
        Objects[id] = obj;
        return id;
    }

    /// <summary>The key id of a draft-cavage or RFC 9421 signature on a request, or null when unsigned.</summary>
    private static string? SignatureKeyId(HttpRequest request)
    {
        var header = request.Headers["Signature-Input"].ToString() is { Length: > 0 } input ? input : request.Headers["Signature"].ToString();
        var m = System.Text.RegularExpressions.Regex.Match(header, "keyid=\"([^\"]+)\"", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>A GET of <paramref name="url"/> asking for ActivityPub JSON, signed as <paramref name="signer"/> (draft-cavage) unless null.</summary>
    public async Task<HttpResponseMessage> SignedGetAsync(PeerActor? signer, string url, string accept = "application/activity+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd(accept);
        if (signer is not null)
        {
            HttpSignatures.SignCavage(request, signer.KeyId, signer.Key, DateTimeOffset.UtcNow, null);
        }
        return await _http.SendAsync(request);
    }

    public enum Signing { Cavage, Rfc9421, None }

    /// <summary>POSTs an activity to an inbox, signed with <paramref name="signer"/>'s key (by default the actor's own).</summary>
    public Task<HttpResponseMessage> DeliverAsync(PeerActor signer, string inbox, JsonObject activity, Signing signing = Signing.Cavage, RSA? key = null) =>
        DeliverRawAsync(signer, inbox, Encoding.UTF8.GetBytes(activity.ToJsonString()), signing, key);

    public async Task<HttpResponseMessage> DeliverRawAsync(PeerActor signer, string inbox, byte[] body, Signing signing = Signing.Cavage, RSA? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, inbox) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/activity+json");
        // As curl does for large bodies: a server that refuses on the headers alone answers before the body is sent.
        request.Headers.ExpectContinue = body.Length > 64 * 1024;
        if (signing == Signing.Cavage)
        {
            HttpSignatures.SignCavage(request, signer.KeyId, key ?? signer.Key, DateTimeOffset.UtcNow, body);
        }
        else if (signing == Signing.Rfc9421)
        {
            HttpSignatures.SignMessage(request, signer.KeyId, key ?? signer.Key, DateTimeOffset.UtcNow, body);
        }
        return await _http.SendAsync(request);
    }

    /// <summary>Waits until an activity of this type has been delivered to the peer, and returns it.</summary>
    public async Task<JsonElement> WaitForAsync(string type, Func<JsonElement, bool>? match = null, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var a in Received)
            {
                if (a.TryGetProperty("type", out var t) && t.GetString() == type && (match is null || match(a)))
                {
                    return a;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {type} reached the peer within {seconds} seconds; it received: {string.Join(", ", Received.Select(r => r.GetProperty("type").GetString()))}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
