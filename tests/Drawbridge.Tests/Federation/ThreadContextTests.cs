using System.Net;
using System.Text.Json.Nodes;
using Drawbridge.Data;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>A Drawbridge that talks to loopback and a peer serving posts, for replies to posts not known here.</summary>
public sealed class ThreadContextFixture : IAsyncLifetime
{
    public FederatedServer Server { get; } = new();
    public FediversePeer Peer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Server).InitializeAsync();
        Peer = await FediversePeer.StartAsync("127.0.0.62");
    }

    public async Task DisposeAsync()
    {
        await Peer.DisposeAsync();
        await ((IAsyncLifetime)Server).DisposeAsync();
    }
}

/// <summary>
/// A reply to a post this server has never seen arrives with its context: the post it answers is fetched from its
/// server (signed by this server's instance actor) and stored, a few posts up the thread at most, never in a loop;
/// when the fetch fails the reply is kept without it.
/// </summary>
public sealed class ThreadContextTests(ThreadContextFixture f) : IClassFixture<ThreadContextFixture>
{
    private FederatedServer Server => f.Server;
    private FediversePeer Peer => f.Peer;

    private async Task DeliverAsync(PeerActor actor, JsonObject note)
    {
        var response = await Peer.DeliverAsync(actor, $"{Server.PublicUrl}/inbox", Peer.Activity(actor, "Create", note));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Server.DrainJobsAsync();
    }

    /// <summary>The stored post with this ActivityPub id: its id here and the id of the post it answers, or null when not stored.</summary>
    private async Task<(long Id, long? InReplyToId)?> StoredAsync(string uri)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Uri == uri);
        return post is null ? null : (post.Id, post.InReplyToId);
    }

    [Fact]
    public async Task A_reply_to_an_unknown_post_brings_the_thread_above_it_fetched_with_the_instance_actors_signature()
    {
        var tom = Peer.AddActor("ctx_tom");
        var uma = Peer.AddActor("ctx_uma");
        var root = Peer.Publish(Peer.Note(tom, "<p>Who else is on the ward round tomorrow?</p>"));
        var middle = Peer.Publish(Peer.Note(uma, "<p>Me, from eight</p>", inReplyTo: root));

        var answer = Peer.Note(tom, "<p>Great, see you there</p>", inReplyTo: middle);
        await DeliverAsync(tom, answer);

        var reply = await StoredAsync(answer["id"]!.GetValue<string>());
        var storedMiddle = await StoredAsync(middle);
        var storedRoot = await StoredAsync(root);
        Assert.NotNull(reply);
        Assert.NotNull(storedMiddle);
        Assert.NotNull(storedRoot);
        Assert.Equal(storedMiddle!.Value.Id, reply!.Value.InReplyToId);
        Assert.Equal(storedRoot!.Value.Id, storedMiddle.Value.InReplyToId);
        Assert.Null(storedRoot.Value.InReplyToId);

        // Readers see the whole conversation from the reply.
        var thread = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{reply.Value.Id}/thread");
        var text = thread.GetRawText();
        Assert.Contains("Who else is on the ward round tomorrow?", text, StringComparison.Ordinal);
        Assert.Contains("Me, from eight", text, StringComparison.Ordinal);

        Assert.All(Peer.ObjectFetches.Where(x => x.Id == middle || x.Id == root), x => Assert.Equal($"{Server.PublicUrl}/actor#main-key", x.KeyId));
        Assert.Contains(Peer.ObjectFetches, x => x.Id == root);
    }

    [Fact]
    public async Task Only_three_posts_up_the_thread_are_fetched_and_a_loop_is_followed_once()
    {
        var vic = Peer.AddActor("ctx_vic");
        var chain = new List<string> { Peer.Publish(Peer.Note(vic, "<p>level 0</p>")) };
        for (var i = 1; i <= 4; i++)
        {
            chain.Add(Peer.Publish(Peer.Note(vic, $"<p>level {i}</p>", inReplyTo: chain[^1])));
        }
        await DeliverAsync(vic, Peer.Note(vic, "<p>level 5</p>", inReplyTo: chain[4]));

        Assert.NotNull(await StoredAsync(chain[4]));
        Assert.NotNull(await StoredAsync(chain[3]));
        var top = await StoredAsync(chain[2]);
        Assert.NotNull(top);
        Assert.Null(top!.Value.InReplyToId); // the fourth post up was not fetched: the third keeps no parent
        Assert.Null(await StoredAsync(chain[1]));
        Assert.Null(await StoredAsync(chain[0]));

        // Two posts that answer each other: each is fetched once, and both are stored.
        var first = Peer.Note(vic, "<p>loop one</p>");
        var second = Peer.Note(vic, "<p>loop two</p>", inReplyTo: first["id"]!.GetValue<string>());
        first["inReplyTo"] = second["id"]!.GetValue<string>();
        Peer.Publish(first);
        Peer.Publish(second);
        await DeliverAsync(vic, Peer.Note(vic, "<p>into the loop</p>", inReplyTo: second["id"]!.GetValue<string>()));
        Assert.NotNull(await StoredAsync(second["id"]!.GetValue<string>()));
        Assert.NotNull(await StoredAsync(first["id"]!.GetValue<string>()));
        Assert.Single(Peer.ObjectFetches, x => x.Id == first["id"]!.GetValue<string>());
        Assert.Single(Peer.ObjectFetches, x => x.Id == second["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_reply_whose_parent_cannot_be_fetched_is_kept_without_it()
    {
        var wes = Peer.AddActor("ctx_wes");
        var missing = Peer.NewId(wes, "statuses");
        var note = Peer.Note(wes, "<p>Replying to a deleted post</p>", inReplyTo: missing);
        await DeliverAsync(wes, note);

        var reply = await StoredAsync(note["id"]!.GetValue<string>());
        Assert.NotNull(reply);
        Assert.Null(reply!.Value.InReplyToId);
        Assert.Null(await StoredAsync(missing));
        Assert.Contains(Peer.ObjectFetches, x => x.Id == missing);

        // A parent on a server that cannot be reached at all fails the same way.
        var far = Peer.Note(wes, "<p>Replying far away</p>", inReplyTo: "https://unreachable.invalid/users/x/statuses/1");
        await DeliverAsync(wes, far);
        var kept = await StoredAsync(far["id"]!.GetValue<string>());
        Assert.NotNull(kept);
        Assert.Null(kept!.Value.InReplyToId);
    }
}
