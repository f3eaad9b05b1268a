using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Federation;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>A Drawbridge in authorized-fetch mode, a peer it knows, and a second peer whose domain it suspends.</summary>
public sealed class AuthorizedFetchFixture : IAsyncLifetime
{
    public FederatingServer Server { get; } = FederatingServer.With(new Dictionary<string, string?> { ["Drawbridge:Federation:AuthorizedFetch"] = "true" });
    public FediversePeer Peer { get; private set; } = null!;
    public FediversePeer Suspended { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Server).InitializeAsync();
        Peer = await FediversePeer.StartAsync("127.0.0.63");
        Suspended = await FediversePeer.StartAsync("127.0.0.64");
    }

    public async Task DisposeAsync()
    {
        await Suspended.DisposeAsync();
        await Peer.DisposeAsync();
        await ((IAsyncLifetime)Server).DisposeAsync();
    }
}

/// <summary>
/// With <c>AuthorizedFetch</c> on, actors, posts, outboxes and collections in ActivityPub form go only to requests
/// signed by a server that is not suspended; an unsigned request for an actor gets its key and addresses only, the
/// instance actor is always served, and the HTML pages are as they were.
/// </summary>
public sealed class AuthorizedFetchTests(AuthorizedFetchFixture f) : IClassFixture<AuthorizedFetchFixture>
{
    private FederatingServer Server => f.Server;
    private FediversePeer Peer => f.Peer;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r)
    {
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{r.RequestMessage?.RequestUri} answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<(string Actor, string PostUri, string PostId)> AuthorAsync(string handle)
    {
        var user = await Server.SignUpAsync(handle, "professional");
        using var h = Server.Http(user.Token);
        var profile = await h.PatchAsJsonAsync("/api/drawbridge/v1/me", new { bio = "Ward sister" });
        Assert.True(profile.IsSuccessStatusCode, await profile.Content.ReadAsStringAsync());
        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Visiting hours change on Monday" });
        var actor = $"{Server.PublicUrl}/users/{handle}";
        return (actor, $"{actor}/statuses/{post.Str("id")}", post.Str("id"));
    }

    [Fact]
    public async Task Unsigned_requests_get_401_or_a_key_only_actor_and_signed_ones_from_a_known_server_get_everything()
    {
        var (actor, postUri, postId) = await AuthorAsync("af_ann");
        var asker = Peer.AddActor("af_asker");

        // Unsigned: the actor's key and addresses only; everything else 401; the instance actor in full.
        var keyOnly = await JsonAsync(await Peer.SignedGetAsync(null, actor));
        Assert.Equal(actor, keyOnly.Str("id"));
        Assert.Equal($"{actor}#main-key", keyOnly.GetProperty("publicKey").Str("id"));
        Assert.Contains("BEGIN PUBLIC KEY", keyOnly.GetProperty("publicKey").Str("publicKeyPem"), StringComparison.Ordinal);
        Assert.Equal($"{actor}/inbox", keyOnly.Str("inbox"));
        Assert.False(keyOnly.TryGetProperty("summary", out _));
        Assert.False(keyOnly.TryGetProperty("name", out _));
        Assert.False(keyOnly.TryGetProperty("attachment", out _));
        foreach (var url in new[] { postUri, $"{actor}/outbox", $"{actor}/outbox?page=true", $"{actor}/followers", $"{actor}/following", $"{actor}/collections/featured", $"{Server.PublicUrl}/@af_ann/{postId}" })
        {
            var refused = await Peer.SignedGetAsync(null, url);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{url} answered {(int)refused.StatusCode}");
            Assert.Contains("signed", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        var instance = await JsonAsync(await Peer.SignedGetAsync(null, $"{Server.PublicUrl}/actor"));
        Assert.Equal("Application", instance.Str("type"));

        // Signed by an actor of a server that is not suspended: all of it, also at the negotiated addresses.
        var full = await JsonAsync(await Peer.SignedGetAsync(asker, actor));
        Assert.Contains("Ward sister", full.Str("summary"), StringComparison.Ordinal);
        var note = await JsonAsync(await Peer.SignedGetAsync(asker, postUri));
        Assert.Contains("Visiting hours", note.Str("content"), StringComparison.Ordinal);
        Assert.Equal(postUri, (await JsonAsync(await Peer.SignedGetAsync(asker, $"{Server.PublicUrl}/@af_ann/{postId}"))).Str("id"));
        Assert.Equal(actor, (await JsonAsync(await Peer.SignedGetAsync(asker, $"{Server.PublicUrl}/@af_ann"))).Str("id"));
        Assert.Equal("OrderedCollection", (await JsonAsync(await Peer.SignedGetAsync(asker, $"{actor}/outbox"))).Str("type"));
        Assert.Equal("OrderedCollection", (await JsonAsync(await Peer.SignedGetAsync(asker, $"{actor}/followers"))).Str("type"));

        // A signature that does not verify is refused, for the actor too.
        var impostor = Peer.AddActor("af_impostor");
        impostor.Key = System.Security.Cryptography.RSA.Create(2048);
        var bad = new PeerActor(Peer, "af_asker") { Key = impostor.Key };
        Assert.Equal(HttpStatusCode.Unauthorized, (await Peer.SignedGetAsync(bad, postUri)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Peer.SignedGetAsync(bad, actor)).StatusCode);

        // The pages are not affected.
        using var browser = Server.Http();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/@af_ann")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/@af_ann/{postId}")).StatusCode);
    }

    [Fact]
    public async Task A_request_signed_by_an_actor_of_a_suspended_server_is_refused()
    {
        var (_, postUri, _) = await AuthorAsync("af_bea");
        var shunned = f.Suspended.AddActor("af_shunned");
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            var blocks = scope.ServiceProvider.GetRequiredService<DomainBlocks>();
            Assert.True((await blocks.BlockAsync(f.Suspended.Domain, Drawbridge.Federation.DomainBlockSeverity.Suspend, "Spam", CancellationToken.None)).Succeeded);
        }

        var refused = await f.Suspended.SignedGetAsync(shunned, postUri);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("suspended", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>Without authorized fetch (the default), ActivityPub documents are public as before.</summary>
public sealed class OpenFetchTests(FederatingServer server) : IClassFixture<FederatingServer>
{
    [Fact]
    public async Task By_default_unsigned_requests_get_actors_posts_and_collections_in_full()
    {
        var user = await server.SignUpAsync("open_cal", "professional");
        using var h = server.Http(user.Token);
        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Open to all" });
        using var ap = server.Http();
        ap.DefaultRequestHeaders.Accept.ParseAdd("application/activity+json");
        var actor = $"{server.PublicUrl}/users/open_cal";

        Assert.Equal("open_cal", (await ap.GetJsonAsync(actor)).Str("preferredUsername"));
        Assert.Contains("Open to all", (await ap.GetJsonAsync($"{actor}/statuses/{post.Str("id")}")).Str("content"), StringComparison.Ordinal);
        Assert.Equal("OrderedCollection", (await ap.GetJsonAsync($"{actor}/followers")).Str("type"));
        Assert.Equal("OrderedCollection", (await ap.GetJsonAsync($"{actor}/outbox")).Str("type"));
    }
}
