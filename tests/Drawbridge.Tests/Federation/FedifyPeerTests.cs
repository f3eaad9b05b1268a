using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Tests.Federation;

/// <summary>A Drawbridge and a Fedify-built server beside it, each on its own loopback address.</summary>
public sealed class FedifyFixture : IAsyncLifetime
{
    public FederatingServer Server { get; } = new();
    public FedifyPeer Peer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Peer = await FedifyPeer.StartAsync("127.0.0.62");
    }

    public async Task DisposeAsync()
    {
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }
        await ((IAsyncLifetime)Server).DisposeAsync();
    }
}

/// <summary>
/// Drawbridge against an independent implementation of ActivityPub: a server built on Fedify follows a Drawbridge
/// account, receives its posts and articles (verified by Fedify's own inbox, from the HTTP signature alone), and
/// replies and likes; Drawbridge verifies those and shows them where its users look.
/// </summary>
public sealed class FedifyPeerTests(FedifyFixture f) : IClassFixture<FedifyFixture>
{
    private FederatingServer Server => f.Server;
    private FedifyPeer Peer => f.Peer;

    private string ActorOf(string handle) => $"{Server.PublicUrl}/users/{handle}";

    private async Task Eventually(Func<Task<bool>> condition, string what, Func<Task<string>>? diagnose = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}; {(diagnose is null ? "" : await diagnose())}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>What Drawbridge's inboxes stored and what became of each, for failure messages.</summary>
    private Task<string> InboundAsync() => Server.WithDbAsync(async (db, _) => string.Join("\n",
        (await db.InboundActivities.AsNoTracking().OrderBy(a => a.Id).ToListAsync()).Select(a => $"{a.Type} {a.ActivityUri} processed={a.ProcessedAt is not null} outcome={a.Outcome} body={a.Body}")));

    private static string? Str(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    [Fact]
    public async Task A_Fedify_server_follows_receives_notes_and_articles_and_its_reply_and_like_show_here()
    {
        var ann = await Server.SignUpAsync("fedify_ann", "professional");
        var actor = ActorOf("fedify_ann");

        // The peer follows; Drawbridge accepts, and the peer's inbox takes the Accept of its own Follow.
        var followId = await Peer.FollowAsync(actor);
        var accept = await Peer.WaitForAsync(r => Str(r, "type") == "Accept", "an Accept");
        Assert.Equal(actor, Str(accept, "actor"));
        Assert.True(Str(accept.GetProperty("object"), "type") == "Follow", accept.GetRawText());
        Assert.Equal(followId, Str(accept.GetProperty("object"), "id"));
        Assert.Equal(Peer.Actor, Str(accept.GetProperty("object"), "actor"));
        var followers = await Server.Http().GetJsonAsync("/api/drawbridge/v1/accounts/fedify_ann/followers");
        Assert.Contains(followers.EnumerateArray(), a => a.Str("handle") == Peer.Acct);

        // A note and an article reach the peer as Create(Note) and Create(Article).
        using var h = Server.Http(ann.Token);
        var note = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Flu jabs at the Tuesday clinic #vaccines" });
        var article = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "What a flu jab does", summary = "Plain answers", text = "It teaches your body to **recognise** the virus." });
        var noteUri = $"{actor}/statuses/{note.Str("id")}";
        var articleUri = $"{actor}/statuses/{article.Str("id")}";
        var gotNote = await Peer.WaitForAsync(r => Str(r, "type") == "Create" && Str(r.GetProperty("object"), "id") == noteUri, "the Create of the note");
        var gotArticle = await Peer.WaitForAsync(r => Str(r, "type") == "Create" && Str(r.GetProperty("object"), "id") == articleUri, "the Create of the article");
        Assert.Equal(actor, Str(gotNote, "actor"));
        Assert.Equal("Note", Str(gotNote.GetProperty("object"), "type"));
        Assert.Contains("Flu jabs at the Tuesday clinic", Str(gotNote.GetProperty("object"), "content"), StringComparison.Ordinal);
        Assert.Equal($"{Server.PublicUrl}/@fedify_ann/{note.Str("id")}", Str(gotNote.GetProperty("object"), "url"));
        Assert.Equal(actor, Str(gotNote.GetProperty("object"), "attributedTo"));
        var articleSeen = gotArticle.GetProperty("object");
        Assert.Equal("Article", Str(articleSeen, "type"));
        Assert.Equal("What a flu jab does", Str(articleSeen, "name"));
        Assert.Equal("Plain answers", Str(articleSeen, "summary"));
        Assert.Contains("<strong>recognise</strong>", Str(articleSeen, "content"), StringComparison.Ordinal);
        Assert.Equal($"{Server.PublicUrl}/@fedify_ann/{article.Str("id")}", Str(articleSeen, "url"));

        // Fedify took them on the HTTP signature alone: signed headers, nothing in the body that could vouch instead.
        var deliveries = await Peer.DeliveriesAsync();
        foreach (var id in new[] { Str(accept, "id"), Str(gotNote, "id"), Str(gotArticle, "id") })
        {
            var delivery = Assert.Single(deliveries, d => Str(d, "id") == id);
            Assert.Equal(202, delivery.GetProperty("status").GetInt32());
            Assert.False(delivery.GetProperty("bodySigned").GetBoolean());
            Assert.True(Str(delivery, "signature") is not null, "delivered without a Signature header");
            // Drawbridge knocks first with RFC 9421, and Fedify verifies it: no fallback to draft-cavage was needed.
            Assert.True(Str(delivery, "signatureInput") is not null, $"not signed with RFC 9421: {delivery.GetRawText()}");
        }

        // The peer replies to the note and likes it; Drawbridge verifies both and shows them on the thread page.
        await Peer.ReplyAsync(actor, noteUri, "<p>Do I need to book?</p>");
        await Peer.LikeAsync(actor, noteUri);
        var threadPath = $"/@fedify_ann/{note.Str("id")}";
        await Eventually(async () =>
        {
            var page = await Server.Http().GetStringAsync(threadPath);
            return page.Contains("Do I need to book?", StringComparison.Ordinal) && page.Contains("1 like", StringComparison.Ordinal);
        }, "the peer's reply and like on the thread page", async () =>
        {
            // Whether Drawbridge took them at all, and whether the page reads them when rendered afresh.
            var fresh = await Server.Http().GetStringAsync($"{threadPath}?fresh={Guid.NewGuid():N}");
            return $"rendered afresh: reply {fresh.Contains("Do I need to book?", StringComparison.Ordinal)}, like {fresh.Contains("1 like", StringComparison.Ordinal)}; "
                + $"inbox: {await InboundAsync()}";
        });
        var thread = await Server.Http().GetStringAsync(threadPath);
        Assert.Contains($"@{Peer.Acct}", thread, StringComparison.Ordinal);
        var annNotifications = await h.GetJsonAsync("/api/drawbridge/v1/notifications");
        var fromPeer = annNotifications.EnumerateArray().Where(n => n.GetProperty("actor").ValueKind == JsonValueKind.Object && n.GetProperty("actor").Str("handle") == Peer.Acct)
            .Select(n => n.Str("kind")).ToHashSet();
        Assert.Superset(new HashSet<string> { "follow", "reply", "like" }, fromPeer);
        // The peer's page here shows who it is.
        var profile = await Server.Http().GetStringAsync($"/@{Peer.Acct}");
        Assert.Contains("Fedify Peer", profile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_side_refuses_an_unsigned_delivery_from_the_other()
    {
        await Server.SignUpAsync("fedify_guard");
        var forged = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = $"{Peer.Actor}/forged/1",
            ["type"] = "Like",
            ["actor"] = Peer.Actor,
            ["object"] = $"{ActorOf("fedify_guard")}/statuses/1",
        }));
        using var toDrawbridge = new ByteArrayContent(forged);
        toDrawbridge.Headers.ContentType = MediaTypeHeaderValue.Parse("application/activity+json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Http().PostAsync("/users/fedify_guard/inbox", toDrawbridge)).StatusCode);

        var fromDrawbridge = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = $"{ActorOf("fedify_guard")}#forged",
            ["type"] = "Create",
            ["actor"] = ActorOf("fedify_guard"),
            ["object"] = new Dictionary<string, object> { ["id"] = $"{ActorOf("fedify_guard")}/statuses/forged", ["type"] = "Note", ["content"] = "Forged", ["attributedTo"] = ActorOf("fedify_guard") },
        }));
        using var toPeer = new ByteArrayContent(fromDrawbridge);
        toPeer.Headers.ContentType = MediaTypeHeaderValue.Parse("application/activity+json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Peer.Http.PostAsync($"{Peer.Url}/users/peer/inbox", toPeer)).StatusCode);
        Assert.DoesNotContain(await Peer.ReceivedAsync(), r => Str(r, "id") == $"{ActorOf("fedify_guard")}#forged");
    }
}
