using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Federation;
using Drawbridge.Jobs;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// What local people do reaches other servers as Mastodon would send it: each activity arrives at a sink server on
/// loopback, signed with the actor's published key, addressed to the right inboxes and no others.
/// </summary>
public sealed class OutboundActivityTests(FederatingServer server) : IClassFixture<FederatingServer>
{
    private const string Public = "https://www.w3.org/ns/activitystreams#Public";

    private string Actor(string handle) => $"{server.PublicUrl}/users/{handle}";

    private static long Id(TestUser u) => long.Parse(u.Id, CultureInfo.InvariantCulture);

    private static string[] Strings(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) ? v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString()!).ToArray() : [v.GetString()!] : [];

    private static void SignedBy(SinkDelivery d, string actor)
    {
        Assert.True(d.Verified, d.SignatureError);
        Assert.Equal(actor + "#main-key", d.KeyId);
        Assert.Equal(actor, d.Activity.GetProperty("actor").GetString());
    }

    private async Task<(TestUser Ann, InboxSink One, InboxSink Two)> AuthorWithRemoteFollowersAsync(string handle, string first, string second)
    {
        var ann = await server.SignUpAsync(handle, "professional");
        var one = await InboxSink.StartAsync(first);
        var two = await InboxSink.StartAsync(second);
        foreach (var follower in new[] { await server.AddRemoteAccountAsync(one, "bob"), await server.AddRemoteAccountAsync(one, "carol"), await server.AddRemoteAccountAsync(two, "dave", sharedInbox: false) })
        {
            await server.AddFollowerAsync(Id(ann), follower);
        }
        // A local follower is reached by fan-out, never by delivery.
        var local = await server.SignUpAsync(handle + "_fan");
        await server.Http(local.Token).PostJsonAsync($"/api/drawbridge/v1/accounts/{ann.Id}/follow");
        return (ann, one, two);
    }

    [Fact]
    public async Task Notes_are_created_updated_and_deleted_on_each_followers_server_once_with_mastodons_addressing()
    {
        var (ann, one, two) = await AuthorWithRemoteFollowersAsync("out_notes", "127.0.0.31", "127.0.0.32");
        await using var _1 = one;
        await using var _2 = two;
        var actor = Actor("out_notes");
        using var h = server.Http(ann.Token);

        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Clinic opens at nine #nursing" });
        var postUri = $"{actor}/statuses/{post.Str("id")}";
        await one.WaitForAsync(r => r.Any(d => d.Type == "Create"));
        var created = (await two.WaitForAsync(r => r.Any(d => d.Type == "Create"))).Single(d => d.Type == "Create");
        Assert.Equal("/users/dave/inbox", created.Path);
        var create = one.Received.Single(d => d.Type == "Create");
        Assert.Equal("/inbox", create.Path); // bob and carol share their server's inbox: one request
        SignedBy(create, actor);
        Assert.Equal($"{postUri}/activity#create", create.Id);
        Assert.Equal([Public], Strings(create.Activity, "to"));
        Assert.Equal([$"{actor}/followers"], Strings(create.Activity, "cc"));
        var note = create.Activity.GetProperty("object");
        Assert.Equal("Note", note.Str("type"));
        Assert.Equal(postUri, note.Str("id"));
        Assert.Equal(actor, note.Str("attributedTo"));
        Assert.Equal($"{server.PublicUrl}/@out_notes/{post.Str("id")}", note.Str("url"));
        Assert.Contains("Clinic opens at nine", note.Str("content"), StringComparison.Ordinal);
        Assert.Equal("#nursing", note.GetProperty("tag").EnumerateArray().Single().Str("name"));
        Assert.Equal([Public], Strings(note, "to"));

        Assert.True((await h.PutAsJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}", new { text = "Clinic opens at half past nine #nursing" })).IsSuccessStatusCode);
        var update = (await one.WaitForAsync(r => r.Any(d => d.Type == "Update"))).Single(d => d.Type == "Update");
        SignedBy(update, actor);
        Assert.Equal(postUri, update.Activity.GetProperty("object").Str("id"));
        Assert.Contains("half past nine", update.Activity.GetProperty("object").Str("content"), StringComparison.Ordinal);
        Assert.True(update.Activity.GetProperty("object").TryGetProperty("updated", out _));

        Assert.True((await h.DeleteAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).IsSuccessStatusCode);
        var delete = (await one.WaitForAsync(r => r.Any(d => d.Type == "Delete"))).Single(d => d.Type == "Delete");
        SignedBy(delete, actor);
        Assert.Equal("Tombstone", delete.Activity.GetProperty("object").Str("type"));
        Assert.Equal(postUri, delete.Activity.GetProperty("object").Str("id"));
        await two.WaitForAsync(r => r.Any(d => d.Type == "Delete"));

        // Unlisted: followers in to, Public in cc. Followers-only: followers alone, and still delivered to them.
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Quiet update", visibility = "unlisted" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Just for followers", visibility = "followers" });
        var creates = (await one.WaitForAsync(r => r.Count(d => d.Type == "Create") == 3)).Where(d => d.Type == "Create").ToList();
        var unlisted = creates.Single(d => d.Activity.GetProperty("object").Str("content").Contains("Quiet", StringComparison.Ordinal));
        Assert.Equal([$"{actor}/followers"], Strings(unlisted.Activity, "to"));
        Assert.Equal([Public], Strings(unlisted.Activity, "cc"));
        var followersOnly = creates.Single(d => d.Activity.GetProperty("object").Str("content").Contains("Just for followers", StringComparison.Ordinal));
        Assert.Equal([$"{actor}/followers"], Strings(followersOnly.Activity, "to"));
        Assert.Empty(Strings(followersOnly.Activity, "cc"));
        Assert.DoesNotContain(Public, Strings(followersOnly.Activity.GetProperty("object"), "to").Concat(Strings(followersOnly.Activity.GetProperty("object"), "cc")));
        await two.WaitForAsync(r => r.Count(d => d.Type == "Create") == 3);
        await server.DrainJobsAsync();
        // Each activity reached each server exactly once.
        Assert.Equal(5, one.Received.Count);
        Assert.Equal(5, two.Received.Count);
        Assert.Equal(5, one.Received.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public async Task An_article_carries_its_title_summary_page_and_an_episodes_enclosure()
    {
        var (ann, one, two) = await AuthorWithRemoteFollowersAsync("out_articles", "127.0.0.33", "127.0.0.34");
        await using var _1 = one;
        await using var _2 = two;
        using var h = server.Http(ann.Token);
        var article = await h.PostJsonAsync("/api/drawbridge/v1/posts", new
        {
            kind = "article", title = "Night shifts, honestly", summary = "What a year of nights taught me",
            text = "## Sleep\n\nBlackout blinds **first**.", enclosureUrl = "https://cdn.example.org/episodes/nights.mp3",
        });
        var create = (await one.WaitForAsync(r => r.Any(d => d.Type == "Create"))).Single();
        SignedBy(create, Actor("out_articles"));
        var o = create.Activity.GetProperty("object");
        Assert.Equal("Article", o.Str("type"));
        Assert.Equal("Night shifts, honestly", o.Str("name"));
        Assert.Equal("What a year of nights taught me", o.Str("summary"));
        Assert.Contains("<strong>first</strong>", o.Str("content"), StringComparison.Ordinal);
        Assert.Equal($"{server.PublicUrl}/@out_articles/{article.Str("id")}", o.Str("url"));
        var enclosure = o.GetProperty("attachment").EnumerateArray().Single();
        Assert.Equal("Audio", enclosure.Str("type"));
        Assert.Equal("audio/mpeg", enclosure.Str("mediaType"));
        Assert.Equal("https://cdn.example.org/episodes/nights.mp3", enclosure.Str("url"));
    }

    [Fact]
    public async Task A_published_change_record_reaches_the_organisations_followers_as_an_article_updated_and_withdrawn()
    {
        var ann = await server.SignUpAsync("out_ysd", "professional");
        using var h = server.Http(ann.Token);
        await h.PostJsonAsync("/api/drawbridge/v1/organisations", new { handle = "out_ysd_trust", displayName = "Riverside Trust", bio = "" });
        var organisation = await server.Http().GetJsonAsync("/api/drawbridge/v1/accounts/out_ysd_trust");
        await using var one = await InboxSink.StartAsync("127.0.0.43");
        await server.AddFollowerAsync(long.Parse(organisation.Str("id"), CultureInfo.InvariantCulture), await server.AddRemoteAccountAsync(one, "erin"));
        var actor = Actor("out_ysd_trust");
        const string api = "/api/drawbridge/v1/organisations/out_ysd_trust";

        // A draft stays in the castle; publishing sends Create(Article).
        var draft = await h.PostJsonAsync($"{api}/changes", new
        {
            title = "Later visiting", youSaid = "Visiting ends too early for families who work.\n\nEvenings suit us better.",
            weDid = "Visiting now runs until 8pm <every> day.", service = "Ward 9", status = "planned",
        });
        var id = draft.Str("id");
        var objectId = $"{actor}/changes/{id}";
        await h.PostJsonAsync($"{api}/changes/{id}/review", new { decision = "publish" });
        var create = (await one.WaitForAsync(r => r.Any(d => d.Type == "Create"))).Single();
        SignedBy(create, actor);
        Assert.Equal([Public], Strings(create.Activity, "to"));
        Assert.Equal([$"{actor}/followers"], Strings(create.Activity, "cc"));
        var article = create.Activity.GetProperty("object");
        Assert.Equal("Article", article.Str("type"));
        Assert.Equal(objectId, article.Str("id"));
        Assert.Equal(actor, article.Str("attributedTo"));
        Assert.Equal("Later visiting", article.Str("name"));
        Assert.Equal("Change planned · Ward 9", article.Str("summary"));
        Assert.Equal($"{server.PublicUrl}/organisations/out_ysd_trust/you-said-we-did#change-{id}", article.Str("url"));
        var content = article.Str("content");
        Assert.Contains("<p>Visiting ends too early for families who work.</p><p>Evenings suit us better.</p>", content, StringComparison.Ordinal);
        Assert.Contains("until 8pm &lt;every&gt; day", content, StringComparison.Ordinal);

        // The object is fetchable at its id as ActivityPub JSON, and says the same.
        using (var fetch = new HttpRequestMessage(HttpMethod.Get, $"/users/out_ysd_trust/changes/{id}"))
        {
            fetch.Headers.Accept.ParseAdd("application/activity+json");
            using var fetched = await server.Http().SendAsync(fetch);
            Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
            Assert.Equal("application/activity+json", fetched.Content.Headers.ContentType?.MediaType);
            var served = await fetched.ReadJsonAsync();
            Assert.Equal(objectId, served.Str("id"));
            Assert.Equal(content, served.Str("content"));
        }

        // Planned → made: Update, with the new summary.
        Assert.True((await h.PutAsJsonAsync($"{api}/changes/{id}", new { status = "made" })).IsSuccessStatusCode);
        var update = (await one.WaitForAsync(r => r.Any(d => d.Type == "Update"))).Single(d => d.Type == "Update");
        SignedBy(update, actor);
        Assert.Equal(objectId, update.Activity.GetProperty("object").Str("id"));
        Assert.Equal("Change made · Ward 9", update.Activity.GetProperty("object").Str("summary"));

        // Withdrawn: Delete, and the object is gone.
        await h.PostJsonAsync($"{api}/changes/{id}/review", new { decision = "return" });
        var delete = (await one.WaitForAsync(r => r.Any(d => d.Type == "Delete"))).Single(d => d.Type == "Delete");
        SignedBy(delete, actor);
        Assert.Equal("Tombstone", delete.Activity.GetProperty("object").Str("type"));
        Assert.Equal(objectId, delete.Activity.GetProperty("object").Str("id"));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http().GetAsync($"/users/out_ysd_trust/changes/{id}")).StatusCode);
        await server.DrainJobsAsync();
        Assert.Equal(3, one.Received.Count);
    }

    private async Task<(Account Author, long PostId, string Uri)> RemotePostAsync(InboxSink sink, string user)
    {
        var author = await server.AddRemoteAccountAsync(sink, user);
        var id = await server.WithDbAsync(async (db, sp) =>
        {
            var post = new Post
            {
                Id = sp.GetRequiredService<Data.Snowflake>().Next(), AuthorId = author.Id, Content = "Any advice on night shifts?", ContentHtml = "<p>Any advice on night shifts?</p>",
                Visibility = Visibility.Public, Status = PostStatus.Published, CreatedAt = DateTime.UtcNow, Local = false,
                Uri = sink.Url($"/users/{user}/statuses/1"), Url = sink.Url($"/@{user}/1"),
            };
            post.ConversationId = post.Id;
            db.Posts.Add(post);
            await db.SaveChangesAsync();
            return post.Id;
        });
        return (author, id, sink.Url($"/users/{user}/statuses/1"));
    }

    [Fact]
    public async Task A_reply_like_and_repost_of_a_remote_post_reach_its_author_and_are_taken_back_by_undo()
    {
        var (ann, one, two) = await AuthorWithRemoteFollowersAsync("out_replies", "127.0.0.35", "127.0.0.36");
        await using var _1 = one;
        await using var _2 = two;
        await using var theirs = await InboxSink.StartAsync("127.0.0.37");
        var (eve, postId, postUri) = await RemotePostAsync(theirs, "eve");
        var actor = Actor("out_replies");
        using var h = server.Http(ann.Token);

        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Blackout blinds, and sleep before the first one.", inReplyToId = postId.ToString(CultureInfo.InvariantCulture) });
        var reply = (await theirs.WaitForAsync(r => r.Any(d => d.Type == "Create"))).Single(d => d.Type == "Create");
        SignedBy(reply, actor);
        var note = reply.Activity.GetProperty("object");
        Assert.Equal(postUri, note.Str("inReplyTo"));
        Assert.Contains(eve.Uri!, Strings(reply.Activity, "cc"));
        Assert.Contains(note.GetProperty("tag").EnumerateArray(), t => t.Str("type") == "Mention" && t.Str("href") == eve.Uri);
        await one.WaitForAsync(r => r.Any(d => d.Type == "Create")); // the followers get the reply too

        await h.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/like");
        var like = (await theirs.WaitForAsync(r => r.Any(d => d.Type == "Like"))).Single(d => d.Type == "Like");
        SignedBy(like, actor);
        Assert.Equal(postUri, like.Activity.Str("object"));
        await h.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/unlike");
        var undoLike = (await theirs.WaitForAsync(r => r.Any(d => d.Type == "Undo"))).Single(d => d.Type == "Undo");
        SignedBy(undoLike, actor);
        Assert.Equal(like.Id, undoLike.Activity.GetProperty("object").Str("id"));
        Assert.Equal("Like", undoLike.Activity.GetProperty("object").Str("type"));
        Assert.Equal(postUri, undoLike.Activity.GetProperty("object").Str("object"));

        await h.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/repost");
        var announce = (await theirs.WaitForAsync(r => r.Any(d => d.Type == "Announce"))).Single(d => d.Type == "Announce");
        SignedBy(announce, actor);
        Assert.Equal(postUri, announce.Activity.Str("object"));
        Assert.Equal([Public], Strings(announce.Activity, "to"));
        Assert.Contains(eve.Uri!, Strings(announce.Activity, "cc"));
        Assert.Equal(announce.Id, (await one.WaitForAsync(r => r.Any(d => d.Type == "Announce"))).Single(d => d.Type == "Announce").Id);
        await h.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/unrepost");
        var undoAnnounce = (await theirs.WaitForAsync(r => r.Count(d => d.Type == "Undo") == 2)).Last(d => d.Type == "Undo");
        SignedBy(undoAnnounce, actor);
        Assert.Equal(announce.Id, undoAnnounce.Activity.GetProperty("object").Str("id"));
        await one.WaitForAsync(r => r.Any(d => d.Type == "Undo"));
        await server.DrainJobsAsync();
        // eve is not a follower: she got what concerned her post, and nothing twice.
        Assert.Equal(["Announce", "Create", "Like", "Undo", "Undo"], theirs.Received.Select(d => d.Type).Order());
    }

    [Fact]
    public async Task Following_a_remote_account_sends_a_follow_that_stays_a_request_until_accepted_and_undo_names_it()
    {
        var ann = await server.SignUpAsync("out_follows");
        await using var sink = await InboxSink.StartAsync("127.0.0.38");
        var frank = await server.AddRemoteAccountAsync(sink, "frank");
        var actor = Actor("out_follows");
        using var h = server.Http(ann.Token);

        var relationship = await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{frank.Id}/follow");
        Assert.False(relationship.GetProperty("following").GetBoolean());
        Assert.True(relationship.GetProperty("requested").GetBoolean());
        var follow = (await sink.WaitForAsync(r => r.Any(d => d.Type == "Follow"))).Single();
        SignedBy(follow, actor);
        Assert.Equal("/users/frank/inbox", follow.Path);
        Assert.Equal(frank.Uri, follow.Activity.Str("object"));
        var stored = await server.WithDbAsync((db, _) => db.Follows.AsNoTracking().SingleAsync(f => f.FollowerId == Id(ann) && f.FolloweeId == frank.Id));
        Assert.Equal(follow.Id, stored.Uri);
        Assert.Equal(FollowState.Requested, stored.State);

        await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{frank.Id}/unfollow");
        var undo = (await sink.WaitForAsync(r => r.Any(d => d.Type == "Undo"))).Single(d => d.Type == "Undo");
        SignedBy(undo, actor);
        Assert.Equal(follow.Id, undo.Activity.GetProperty("object").Str("id"));
        Assert.Equal("Follow", undo.Activity.GetProperty("object").Str("type"));
    }

    [Fact]
    public async Task A_locked_account_accepts_one_remote_request_and_rejects_another_by_the_follows_own_ids()
    {
        var ann = await server.SignUpAsync("out_locked");
        await server.WithDbAsync((db, _) => db.Accounts.Where(a => a.Id == Id(ann)).ExecuteUpdateAsync(s => s.SetProperty(a => a.Locked, true)));
        await using var sink = await InboxSink.StartAsync("127.0.0.39");
        var gina = await server.AddRemoteAccountAsync(sink, "gina");
        var hal = await server.AddRemoteAccountAsync(sink, "hal");
        var actor = Actor("out_locked");
        await server.WithDbAsync(async (db, sp) =>
        {
            var follows = sp.GetRequiredService<FollowService>();
            foreach (var remote in new[] { gina, hal })
            {
                // As the inbox does with a remote Follow: the request, with the Follow activity's id.
                Assert.True((await follows.FollowAsync(remote.Id, Id(ann), CancellationToken.None)).Succeeded);
                await db.Follows.Where(f => f.FollowerId == remote.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Uri, remote.Uri + "#follows/1"));
            }
            db.ChangeTracker.Clear();
            Assert.True((await follows.AcceptFollowRequestAsync(Id(ann), gina.Id, CancellationToken.None)).Succeeded);
            Assert.True((await follows.RejectFollowRequestAsync(Id(ann), hal.Id, CancellationToken.None)).Succeeded);
            return 0;
        });

        var received = await sink.WaitForAsync(r => r.Count >= 2);
        var accept = received.Single(d => d.Type == "Accept");
        SignedBy(accept, actor);
        Assert.Equal("/users/gina/inbox", accept.Path);
        Assert.Equal(gina.Uri + "#follows/1", accept.Activity.GetProperty("object").Str("id"));
        Assert.Equal(gina.Uri, accept.Activity.GetProperty("object").Str("actor"));
        Assert.Equal(actor, accept.Activity.GetProperty("object").Str("object"));
        var reject = received.Single(d => d.Type == "Reject");
        SignedBy(reject, actor);
        Assert.Equal("/users/hal/inbox", reject.Path);
        Assert.Equal(hal.Uri + "#follows/1", reject.Activity.GetProperty("object").Str("id"));
    }

    [Fact]
    public async Task Blocking_a_remote_account_sends_block_and_unblocking_sends_undo_to_it_alone()
    {
        var ann = await server.SignUpAsync("out_blocks");
        await using var sink = await InboxSink.StartAsync("127.0.0.40");
        var ivan = await server.AddRemoteAccountAsync(sink, "ivan");
        await server.AddFollowerAsync(Id(ann), ivan);
        var actor = Actor("out_blocks");
        using var h = server.Http(ann.Token);

        await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{ivan.Id}/block");
        var block = (await sink.WaitForAsync(r => r.Any(d => d.Type == "Block"))).Single(d => d.Type == "Block");
        SignedBy(block, actor);
        Assert.Equal("/users/ivan/inbox", block.Path);
        Assert.Equal(ivan.Uri, block.Activity.Str("object"));
        await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{ivan.Id}/unblock");
        var undo = (await sink.WaitForAsync(r => r.Any(d => d.Type == "Undo"))).Single(d => d.Type == "Undo");
        SignedBy(undo, actor);
        Assert.Equal(block.Id, undo.Activity.GetProperty("object").Str("id"));

        // Blocked, ivan is no longer a follower: a new post does not reach him.
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "After the block" });
        await server.DrainJobsAsync();
        Assert.DoesNotContain(sink.Received, d => d.Type == "Create");
    }

    [Fact]
    public async Task A_profile_change_sends_update_of_the_actor_and_a_removed_account_sends_delete_to_its_followers()
    {
        var (ann, one, two) = await AuthorWithRemoteFollowersAsync("out_profile", "127.0.0.41", "127.0.0.42");
        await using var _1 = one;
        await using var _2 = two;
        var actor = Actor("out_profile");
        using var h = server.Http(ann.Token);
        Assert.True((await h.PatchAsync("/api/drawbridge/v1/me", JsonContent.Create(new { displayName = "Ann Profiled", bio = "Ward sister" }))).IsSuccessStatusCode);
        var update = (await one.WaitForAsync(r => r.Any(d => d.Type == "Update"))).Single();
        SignedBy(update, actor);
        var person = update.Activity.GetProperty("object");
        Assert.Equal("Person", person.Str("type"));
        Assert.Equal(actor, person.Str("id"));
        Assert.Equal("Ann Profiled", person.Str("name"));
        Assert.Equal(actor + "#main-key", person.GetProperty("publicKey").Str("id"));
        await two.WaitForAsync(r => r.Any(d => d.Type == "Update"));

        // The grace period over, the account is removed: its followers' servers hear Delete (verified with the key they hold).
        await server.WithDbAsync(async (db, sp) =>
        {
            await db.Accounts.Where(a => a.Id == Id(ann)).ExecuteUpdateAsync(s => s.SetProperty(a => a.DeletionRequestedAt, DateTime.UtcNow.AddDays(-60)));
            sp.GetRequiredService<JobQueue>().Enqueue(db, new PurgeDeletedAccounts());
            await db.SaveChangesAsync();
            return 0;
        });
        var delete = (await one.WaitForAsync(r => r.Any(d => d.Type == "Delete"))).Single(d => d.Type == "Delete");
        SignedBy(delete, actor);
        Assert.Equal(actor, delete.Activity.Str("object"));
        Assert.Equal("/users/dave/inbox", (await two.WaitForAsync(r => r.Any(d => d.Type == "Delete"))).Single(d => d.Type == "Delete").Path);
    }

    [Fact]
    public async Task Changes_of_an_account_without_remote_followers_stage_no_delivery()
    {
        var ann = await server.SignUpAsync("out_localonly");
        var local = await server.SignUpAsync("out_localfan");
        await server.Http(local.Token).PostJsonAsync($"/api/drawbridge/v1/accounts/{ann.Id}/follow");
        await server.Http(ann.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Only locals here" });
        await server.DrainJobsAsync();
        var deliveries = await server.WithDbAsync((db, _) => db.Jobs.Where(j => j.Queue == JobQueues.Delivery && j.Payload.Contains($"\"senderId\":{ann.Id},")).CountAsync());
        Assert.Equal(0, deliveries);
    }

    [Fact]
    public async Task The_outbox_pages_create_activities_of_public_posts_newest_first_without_followers_only_ones()
    {
        var ann = await server.SignUpAsync("out_outbox");
        using var h = server.Http(ann.Token);
        for (var i = 0; i < 22; i++)
        {
            await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Outbox post {i}" });
        }
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Hidden from the outbox", visibility = "followers" });
        using var anonymous = server.Http();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd("application/activity+json");
        var collection = await anonymous.GetJsonAsync("/users/out_outbox/outbox");
        Assert.Equal("OrderedCollection", collection.Str("type"));
        Assert.Equal(22, collection.GetProperty("totalItems").GetInt32());
        var first = await anonymous.GetJsonAsync(new Uri(collection.Str("first")).PathAndQuery);
        Assert.Equal("OrderedCollectionPage", first.Str("type"));
        var items = first.GetProperty("orderedItems").EnumerateArray().ToList();
        Assert.Equal(20, items.Count);
        Assert.All(items, i => Assert.Equal("Create", i.Str("type")));
        Assert.Contains("Outbox post 21", items[0].GetProperty("object").Str("content"), StringComparison.Ordinal);
        var next = await anonymous.GetJsonAsync(new Uri(first.Str("next")).PathAndQuery);
        var rest = next.GetProperty("orderedItems").EnumerateArray().ToList();
        Assert.Equal(2, rest.Count);
        Assert.Contains("Outbox post 0", rest[^1].GetProperty("object").Str("content"), StringComparison.Ordinal);
        Assert.DoesNotContain(items.Concat(rest), i => i.GetProperty("object").Str("content").Contains("Hidden", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/users/out_outbox/outbox?page=true&max_id=soon")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/users/nobody_here/outbox?page=true")).StatusCode);
    }
}
