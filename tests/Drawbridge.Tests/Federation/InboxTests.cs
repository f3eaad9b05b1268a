using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drawbridge.Data;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>The peer and the server for one test class: a Drawbridge that talks to loopback, and a small ActivityPub server beside it.</summary>
public sealed class InboxFixture : IAsyncLifetime
{
    public FederatedServer Server { get; } = new();
    public FediversePeer Peer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Server).InitializeAsync();
        Peer = await FediversePeer.StartAsync("127.0.0.9");
    }

    public async Task DisposeAsync()
    {
        await Peer.DisposeAsync();
        await ((IAsyncLifetime)Server).DisposeAsync();
    }
}

/// <summary>
/// Deliveries to the inboxes from a server of the tests' own: each activity Drawbridge accepts and what people here
/// then see, and each bad delivery refused with the right status and nothing stored.
/// </summary>
public sealed class InboxTests(InboxFixture f) : IClassFixture<InboxFixture>
{
    private FederatedServer Server => f.Server;
    private FediversePeer Peer => f.Peer;
    private string Inbox(string handle) => $"{Server.PublicUrl}/users/{handle}/inbox";
    private string SharedInbox => $"{Server.PublicUrl}/inbox";

    private async Task<int> StoredActivitiesAsync(string? activityId = null)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        return await db.InboundActivities.CountAsync(a => activityId == null || a.ActivityUri == activityId);
    }

    private async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> LocalPostAsync(TestUser user, string text)
    {
        using var h = Server.Http(user.Token);
        return (await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text })).Str("id");
    }

    private string LocalPostUri(string handle, string id) => $"{Server.PublicUrl}/users/{handle}/statuses/{id}";

    private async Task DeliverAndProcessAsync(PeerActor actor, JsonObject activity, string? inbox = null)
    {
        var response = await Peer.DeliverAsync(actor, inbox ?? SharedInbox, activity);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{activity["type"]} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await Server.DrainJobsAsync();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Refusals

    [Fact]
    public async Task An_unsigned_delivery_is_refused_with_401_and_nothing_is_stored()
    {
        var actor = Peer.AddActor("unsigned_sam");
        var activity = Peer.Activity(actor, "Like", "https://example.org/x");
        var response = await Peer.DeliverAsync(actor, SharedInbox, activity, FediversePeer.Signing.None);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signature", (await ProblemAsync(response)).Str("detail"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await StoredActivitiesAsync(activity["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_delivery_signed_with_a_key_that_is_not_the_actors_is_refused_with_401()
    {
        var actor = Peer.AddActor("forger_fay");
        using var other = RSA.Create(2048);
        var activity = Peer.Activity(actor, "Like", "https://example.org/x");
        var response = await Peer.DeliverAsync(actor, SharedInbox, activity, key: other);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("does not match", (await ProblemAsync(response)).Str("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await StoredActivitiesAsync(activity["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_activity_signed_by_one_actor_on_behalf_of_another_is_refused_with_401()
    {
        var mallory = Peer.AddActor("mallory");
        var victim = Peer.AddActor("victim_vic");
        var activity = Peer.Activity(victim, "Like", "https://example.org/x");
        var response = await Peer.DeliverAsync(mallory, SharedInbox, activity);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not by the activity's actor", (await ProblemAsync(response)).Str("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await StoredActivitiesAsync(activity["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_body_whose_digest_does_not_match_is_refused_with_401()
    {
        var actor = Peer.AddActor("tamper_tom");
        var body = Encoding.UTF8.GetBytes(Peer.Activity(actor, "Like", "https://example.org/x").ToJsonString());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, SharedInbox) { Content = new ByteArrayContent(body) };
        Drawbridge.Federation.HttpSignatures.SignCavage(request, actor.KeyId, actor.Key, DateTimeOffset.UtcNow, body);
        // The body changes after signing: the signed Digest no longer matches it.
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Peer.Activity(actor, "Like", "https://example.org/y").ToJsonString()));
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_delivery_is_refused_with_413()
    {
        var actor = Peer.AddActor("big_ben");
        var activity = Peer.Activity(actor, "Create", Peer.Note(actor, new string('x', 1_100_000)));
        var response = await Peer.DeliverAsync(actor, SharedInbox, activity);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await StoredActivitiesAsync(activity["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{\"type\": \"Like\", ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"@context\": 42, \"id\": \"http://127.0.0.9/a/1\", \"type\": \"Like\", \"actor\": \"ACTOR\", \"object\": \"x\"}")]
    [InlineData("{\"id\": \"http://127.0.0.9/a/2\", \"actor\": \"ACTOR\", \"object\": \"x\"}")]
    [InlineData("{\"id\": \"not a uri\", \"type\": \"Like\", \"actor\": \"ACTOR\"}")]
    public async Task Malformed_json_or_json_ld_is_refused_with_400(string json)
    {
        var actor = Peer.AddActor("malformed_mo");
        var before = await StoredActivitiesAsync();
        var response = await Peer.DeliverRawAsync(actor, SharedInbox, Encoding.UTF8.GetBytes(json.Replace("ACTOR", actor.Id, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((await ProblemAsync(response)).Str("detail")));
        Assert.Equal(before, await StoredActivitiesAsync());
    }

    [Fact]
    public async Task An_activity_whose_id_is_on_another_server_than_its_actor_is_refused_with_400()
    {
        var actor = Peer.AddActor("spoof_sue");
        var activity = Peer.Activity(actor, "Like", "https://example.org/x", id: "https://elsewhere.example/activities/1");
        var response = await Peer.DeliverAsync(actor, SharedInbox, activity);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await StoredActivitiesAsync("https://elsewhere.example/activities/1"));
    }

    [Fact]
    public async Task A_delivery_to_an_unknown_accounts_inbox_is_404()
    {
        var actor = Peer.AddActor("lost_lou");
        var response = await Peer.DeliverAsync(actor, Inbox("nobody_here"), Peer.Activity(actor, "Like", "https://example.org/x"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Keys and idempotency

    [Fact]
    public async Task A_second_delivery_of_the_same_activity_changes_nothing()
    {
        var ann = await Server.SignUpAsync("idem_ann");
        var postId = await LocalPostAsync(ann, "Like me twice");
        var actor = Peer.AddActor("twice_tess");
        var like = Peer.Activity(actor, "Like", LocalPostUri("idem_ann", postId));
        await DeliverAndProcessAsync(actor, like);
        await DeliverAndProcessAsync(actor, like);
        Assert.Equal(1, await StoredActivitiesAsync(like["id"]!.GetValue<string>()));
        var post = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}");
        Assert.Equal(1, post.GetProperty("likesCount").GetInt32());
    }

    [Fact]
    public async Task The_key_is_fetched_once_and_fetched_again_when_the_actor_rotates_it()
    {
        var ann = await Server.SignUpAsync("rotate_ann");
        var first = await LocalPostAsync(ann, "First");
        var second = await LocalPostAsync(ann, "Second");
        var third = await LocalPostAsync(ann, "Third");
        var actor = Peer.AddActor("rotating_rae");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Like", LocalPostUri("rotate_ann", first)));
        var fetches = Peer.ActorFetches;
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Like", LocalPostUri("rotate_ann", second)));
        Assert.Equal(fetches, Peer.ActorFetches); // the stored key served

        actor.Key = RSA.Create(2048);
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Like", LocalPostUri("rotate_ann", third)));
        Assert.True(Peer.ActorFetches > fetches);
        var post = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{third}");
        Assert.Equal(1, post.GetProperty("likesCount").GetInt32());
    }

    [Fact]
    public async Task Rfc9421_signatures_are_accepted_too()
    {
        var ann = await Server.SignUpAsync("rfc_ann");
        var postId = await LocalPostAsync(ann, "Signed the new way");
        var actor = Peer.AddActor("fedify_fi");
        var response = await Peer.DeliverAsync(actor, Inbox("rfc_ann"), Peer.Activity(actor, "Like", LocalPostUri("rfc_ann", postId)), FediversePeer.Signing.Rfc9421);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Server.DrainJobsAsync();
        Assert.Equal(1, (await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}")).GetProperty("likesCount").GetInt32());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Activities

    [Fact]
    public async Task A_remote_reply_joins_the_local_thread_shown_as_user_at_domain_and_notifies_the_author()
    {
        var ann = await Server.SignUpAsync("thread_ann");
        var postId = await LocalPostAsync(ann, "How was your shift?");
        var actor = Peer.AddActor("replying_rob");
        actor.DisplayName = "Rob <script>alert(1)</script>";
        var note = Peer.Note(actor, "<p>Long but good <script>alert('x')</script><a href=\"javascript:alert(1)\">click</a> #nightshift</p>", LocalPostUri("thread_ann", postId),
            tag: new JsonArray(new JsonObject { ["type"] = "Hashtag", ["name"] = "#NightShift", ["href"] = $"{Peer.BaseUrl}/tags/nightshift" }));
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", note));

        var thread = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}/thread");
        var reply = thread.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("post")).Single(p => p.GetProperty("author").Str("handle") == actor.Acct);
        Assert.Contains("Long but good", reply.Str("contentHtml"), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", reply.Str("contentHtml"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", reply.Str("contentHtml"), StringComparison.OrdinalIgnoreCase);

        using var h = Server.Http(ann.Token);
        var notifications = await h.GetJsonAsync("/api/drawbridge/v1/notifications");
        Assert.Contains(notifications.EnumerateArray(), n => n.Str("kind") == "reply" && n.GetProperty("actor").Str("handle") == actor.Acct);

        // The thread page shows the author as user@domain, links their page here and the original, and escapes the name.
        var page = await Server.Http().GetStringAsync($"/@thread_ann/{postId}");
        Assert.Contains($"@{actor.Acct}", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/@{actor.Acct}\"", page, StringComparison.Ordinal);
        Assert.Contains(note["id"]!.GetValue<string>(), page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", page, StringComparison.Ordinal);
        var tag = await Server.Http().GetJsonAsync("/api/drawbridge/v1/timelines/tags/nightshift");
        Assert.Contains(tag.EnumerateArray(), p => p.GetProperty("author").Str("handle") == actor.Acct);
        var profile = await Server.Http().GetAsync($"/@{actor.Acct}");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Contains($"See the profile on {Peer.Domain}", await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_reply_to_an_organisation_and_a_mention_of_its_opted_in_staff_land_in_its_inbox_classified()
    {
        var admin = await Server.SignUpAsync("fedorg_lead", "professional");
        var nurse = await Server.SignUpAsync("fedorg_nurse", "professional");
        using var a = Server.Http(admin.Token);
        const string api = "/api/drawbridge/v1/organisations/fedorg_trust";
        await a.PostJsonAsync("/api/drawbridge/v1/organisations", new { handle = "fedorg_trust", displayName = "Federated Trust", bio = "" });
        await a.PostJsonAsync($"{api}/members", new { handle = nurse.Handle, role = "responder" });
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            // The nurse opts in (as on the organisation's staff page): what is said to them reaches the organisation too.
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var organisationId = await db.Accounts.Where(x => x.Handle == "fedorg_trust").Select(x => x.Id).SingleAsync();
            var organisations = scope.ServiceProvider.GetRequiredService<Drawbridge.Accounts.OrganisationService>();
            Assert.True((await organisations.SetIncludeInInboxAsync(long.Parse(nurse.Id, System.Globalization.CultureInfo.InvariantCulture), organisationId, true, CancellationToken.None)).Succeeded);
        }
        var orgPost = (await a.PostJsonAsync($"{api}/posts", new { text = "How was your stay with us?" })).Str("postId");

        var actor = Peer.AddActor("fed_patient");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create",
            Peer.Note(actor, "<p>The food on the ward was cold and tasteless.</p>", LocalPostUri("fedorg_trust", orgPost))));
        var nurseUri = Server.ActorUri("fedorg_nurse");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", Peer.Note(actor,
            "<p><a href=\"" + nurseUri + "\" class=\"u-url mention\">@fedorg_nurse</a> We waited five hours in the waiting room to be seen.</p>",
            cc: new JsonArray(actor.Followers, nurseUri),
            tag: new JsonArray(new JsonObject { ["type"] = "Mention", ["href"] = nurseUri, ["name"] = "@fedorg_nurse@" + Server.Domain }))));

        var items = (await a.GetJsonAsync($"{api}/inbox?limit=50")).GetProperty("items").EnumerateArray().ToList();
        var reply = items.Single(i => i.Str("text").Contains("food on the ward", StringComparison.Ordinal));
        Assert.Equal("reply", reply.Str("source"));
        Assert.NotEqual(JsonValueKind.Null, reply.GetProperty("classifiedAt").ValueKind);
        Assert.False(string.IsNullOrEmpty(reply.Str("theme")));
        var mention = items.Single(i => i.Str("text").Contains("five hours", StringComparison.Ordinal));
        Assert.Equal("mention", mention.Str("source"));
        Assert.NotEqual(JsonValueKind.Null, mention.GetProperty("classifiedAt").ValueKind);
        Assert.False(string.IsNullOrEmpty(mention.Str("theme")));
    }

    [Fact]
    public async Task A_remote_reply_carrying_a_patients_nhs_number_to_a_local_person_is_held()
    {
        var ann = await Server.SignUpAsync("held_ann", "professional");
        var postId = await LocalPostAsync(ann, "Ask me about clinics");
        var actor = Peer.AddActor("oversharing_olly");
        var note = Peer.Note(actor, "<p>My mum's NHS number is 943 476 5919, can you check her appointment?</p>", LocalPostUri("held_ann", postId));
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", note));
        var thread = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}/thread");
        Assert.DoesNotContain(thread.GetProperty("items").EnumerateArray(), i => i.GetProperty("post").GetProperty("author").Str("handle") == actor.Acct);
        Assert.DoesNotContain("943 476 5919", await Server.Http().GetStringAsync($"/@held_ann/{postId}"), StringComparison.Ordinal);
        await using var scope = Server.Services.CreateAsyncScope();
        var held = await scope.ServiceProvider.GetRequiredService<DrawbridgeDb>().Posts.SingleAsync(p => p.Uri == note["id"]!.GetValue<string>());
        Assert.Equal(Drawbridge.Posts.PostStatus.Held, held.Status);
    }

    [Fact]
    public async Task A_remote_article_is_stored_with_its_title_summary_and_link_and_attachments_are_linked_not_embedded()
    {
        var actor = Peer.AddActor("writer_wren");
        var ann = await Server.SignUpAsync("reader_ann");
        var article = Peer.Note(actor, "<p>Body of the piece.</p>", tag: new JsonArray(new JsonObject { ["type"] = "Mention", ["href"] = Server.ActorUri("reader_ann"), ["name"] = $"@reader_ann@{Server.Domain}" }));
        article["type"] = "Article";
        article["name"] = "Ten lessons from the ward";
        article["summary"] = "What I learnt";
        article["url"] = $"{Peer.BaseUrl}/@writer_wren/articles/ten-lessons";
        article["attachment"] = new JsonArray(new JsonObject { ["type"] = "Document", ["mediaType"] = "image/png", ["url"] = $"{Peer.BaseUrl}/files/ward.png", ["name"] = "The ward at dawn" });
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", article));

        using var h = Server.Http(ann.Token);
        var mention = (await h.GetJsonAsync("/api/drawbridge/v1/notifications")).EnumerateArray().Single(n => n.Str("kind") == "mention");
        var post = await h.GetJsonAsync($"/api/drawbridge/v1/posts/{mention.Str("postId")}");
        Assert.Equal("article", post.Str("kind"));
        Assert.Equal("Ten lessons from the ward", post.Str("title"));
        Assert.Equal("What I learnt", post.Str("summary"));
        var page = await Server.Http().GetStringAsync(post.Str("url"));
        Assert.Contains($"href=\"{Peer.BaseUrl}/@writer_wren/articles/ten-lessons\"", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Peer.BaseUrl}/files/ward.png\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"src=\"{Peer.BaseUrl}", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Followers_only_and_direct_posts_are_shown_only_to_those_they_are_for()
    {
        var actor = Peer.AddActor("private_pat");
        var follower = await Server.SignUpAsync("pat_follower");
        var mentioned = await Server.SignUpAsync("pat_mentioned");
        var stranger = await Server.SignUpAsync("pat_stranger");
        // A local follower of the remote account (accepted by its server).
        var remoteId = await ResolveAsync(actor.Acct);
        using (var h = Server.Http(follower.Token))
        {
            await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{remoteId}/follow");
        }
        var follow = JsonNode.Parse(JsonSerializer.Serialize(new { type = "Follow", actor = Server.ActorUri("pat_follower"), @object = actor.Id }))!;
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Accept", follow));

        var forFollowers = Peer.Note(actor, "<p>Only my followers</p>", to: new JsonArray(actor.Followers), cc: new JsonArray());
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", forFollowers));
        var direct = Peer.Note(actor, "<p>Just for you</p>", to: new JsonArray(Server.ActorUri("pat_mentioned")), cc: new JsonArray(),
            tag: new JsonArray(new JsonObject { ["type"] = "Mention", ["href"] = Server.ActorUri("pat_mentioned") }));
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", direct));

        async Task<IReadOnlyList<string>> SeenBy(TestUser? u)
        {
            using var h = Server.Http(u?.Token);
            return (await h.GetJsonAsync($"/api/drawbridge/v1/accounts/{Uri.EscapeDataString(actor.Acct)}/posts")).EnumerateArray().Select(p => p.Str("contentHtml")).ToList();
        }
        Assert.Contains(await SeenBy(follower), c => c.Contains("Only my followers", StringComparison.Ordinal));
        Assert.DoesNotContain(await SeenBy(follower), c => c.Contains("Just for you", StringComparison.Ordinal));
        Assert.Contains(await SeenBy(mentioned), c => c.Contains("Just for you", StringComparison.Ordinal));
        Assert.DoesNotContain(await SeenBy(mentioned), c => c.Contains("Only my followers", StringComparison.Ordinal));
        Assert.Empty(await SeenBy(stranger));
        Assert.Empty(await SeenBy(null));
    }

    private async Task<string> ResolveAsync(string acct)
    {
        using var h = Server.Http();
        var found = await h.GetJsonAsync($"/api/drawbridge/v1/search?q={Uri.EscapeDataString("@" + acct)}");
        return found.GetProperty("accounts").EnumerateArray().Single(a => a.Str("handle") == acct).Str("id");
    }

    [Fact]
    public async Task Search_finds_a_remote_account_by_handle_and_a_remote_post_by_its_url()
    {
        var actor = Peer.AddActor("findable_fran");
        Assert.False(string.IsNullOrEmpty(await ResolveAsync(actor.Acct)));
        var note = Peer.Note(actor, "<p>Find me by my address</p>");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", note));
        var found = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q={Uri.EscapeDataString(note["id"]!.GetValue<string>())}");
        Assert.Contains(found.GetProperty("posts").EnumerateArray(), p => p.Str("contentHtml").Contains("Find me by my address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Update_edits_a_remote_post_and_Delete_leaves_a_tombstone()
    {
        var ann = await Server.SignUpAsync("edit_ann");
        var postId = await LocalPostAsync(ann, "Thread root");
        var actor = Peer.AddActor("editing_ed");
        var note = Peer.Note(actor, "<p>First version</p>", LocalPostUri("edit_ann", postId));
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", note));
        JsonElement Reply(JsonElement thread) => thread.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("post")).Single(p => p.GetProperty("author").Str("handle") == actor.Acct);

        var edited = JsonNode.Parse(note.ToJsonString())!.AsObject();
        edited["content"] = "<p>Second version</p>";
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Update", edited));
        var reply = Reply(await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}/thread"));
        Assert.Contains("Second version", reply.Str("contentHtml"), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, reply.GetProperty("editedAt").ValueKind);

        // Someone else can't edit or delete it.
        var other = Peer.AddActor("meddler_meg");
        var forged = JsonNode.Parse(note.ToJsonString())!.AsObject();
        forged["content"] = "<p>Forged</p>";
        await DeliverAndProcessAsync(other, Peer.Activity(other, "Update", forged));
        await DeliverAndProcessAsync(other, Peer.Activity(other, "Delete", note["id"]!.GetValue<string>()));
        Assert.Contains("Second version", Reply(await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}/thread")).Str("contentHtml"), StringComparison.Ordinal);

        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Delete", new JsonObject { ["id"] = note["id"]!.GetValue<string>(), ["type"] = "Tombstone" }));
        var thread = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}/thread");
        Assert.DoesNotContain("Second version", thread.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Like_Announce_and_their_Undo_count_on_the_local_post_and_notify()
    {
        var ann = await Server.SignUpAsync("liked_ann");
        var postId = await LocalPostAsync(ann, "Share this");
        var actor = Peer.AddActor("fan_fiona");
        var like = Peer.Activity(actor, "Like", LocalPostUri("liked_ann", postId));
        var announce = Peer.Activity(actor, "Announce", LocalPostUri("liked_ann", postId));
        announce["to"] = new JsonArray("https://www.w3.org/ns/activitystreams#Public");
        await DeliverAndProcessAsync(actor, like);
        await DeliverAndProcessAsync(actor, announce);
        var post = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}");
        Assert.Equal(1, post.GetProperty("likesCount").GetInt32());
        Assert.Equal(1, post.GetProperty("repostsCount").GetInt32());
        using (var h = Server.Http(ann.Token))
        {
            var kinds = (await h.GetJsonAsync("/api/drawbridge/v1/notifications")).EnumerateArray().Select(n => n.Str("kind")).ToList();
            Assert.Contains("like", kinds);
            Assert.Contains("repost", kinds);
        }
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Undo", like));
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Undo", announce["id"]!.GetValue<string>()));
        post = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}");
        Assert.Equal(0, post.GetProperty("likesCount").GetInt32());
        Assert.Equal(0, post.GetProperty("repostsCount").GetInt32());
    }

    [Fact]
    public async Task A_remote_follow_of_an_open_account_is_accepted_and_Undo_ends_it()
    {
        var ann = await Server.SignUpAsync("followed_ann");
        var actor = Peer.AddActor("follower_finn");
        var follow = Peer.Activity(actor, "Follow", Server.ActorUri("followed_ann"));
        await DeliverAndProcessAsync(actor, follow, Inbox("followed_ann"));
        var followers = await Server.Http().GetJsonAsync("/api/drawbridge/v1/accounts/followed_ann/followers");
        Assert.Contains(followers.EnumerateArray(), a => a.Str("handle") == actor.Acct);
        using (var h = Server.Http(ann.Token))
        {
            Assert.Contains((await h.GetJsonAsync("/api/drawbridge/v1/notifications")).EnumerateArray(), n => n.Str("kind") == "follow");
        }
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Undo", follow));
        followers = await Server.Http().GetJsonAsync("/api/drawbridge/v1/accounts/followed_ann/followers");
        Assert.DoesNotContain(followers.EnumerateArray(), a => a.Str("handle") == actor.Acct);
    }

    [Fact]
    public async Task A_followers_only_post_is_served_to_a_followers_server_and_to_nobody_else()
    {
        var ann = await Server.SignUpAsync("private_ann");
        var follower = Peer.AddActor("private_finn");
        await DeliverAndProcessAsync(follower, Peer.Activity(follower, "Follow", Server.ActorUri("private_ann")), Inbox("private_ann"));
        using var h = Server.Http(ann.Token);
        var id = (await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Rota swap on Friday, followers only", visibility = "followers" })).Str("id");
        var uri = $"{Server.ActorUri("private_ann")}/statuses/{id}";

        // The follower's server, signed: the Note, addressed to the followers, and kept by no shared cache.
        var served = await Peer.SignedGetAsync(follower, uri);
        Assert.True(served.StatusCode == HttpStatusCode.OK, $"answered {(int)served.StatusCode}: {await served.Content.ReadAsStringAsync()}");
        Assert.Contains("no-store", served.Headers.CacheControl?.ToString());
        var note = JsonDocument.Parse(await served.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(uri, note.Str("id"));
        Assert.Contains("Rota swap", note.Str("content"));
        Assert.Equal($"{Server.ActorUri("private_ann")}/followers", note.GetProperty("to")[0].GetString());

        // Unsigned, or signed by a server where nobody follows the author or is mentioned: the same 404 as for no post at all.
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http().SendAsync(new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { { "Accept", "application/activity+json" } } })).StatusCode);
        await using var stranger = await FediversePeer.StartAsync("127.0.0.96");
        var nobody = stranger.AddActor("stranger_sam");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.SignedGetAsync(nobody, uri)).StatusCode);

        // Once the follow ends, the follower's server is a stranger too.
        await DeliverAndProcessAsync(follower, Peer.Activity(follower, "Undo", Peer.Activity(follower, "Follow", Server.ActorUri("private_ann"))), Inbox("private_ann"));
        Assert.Equal(HttpStatusCode.NotFound, (await Peer.SignedGetAsync(follower, uri)).StatusCode);
    }

    [Fact]
    public async Task A_remote_follow_of_a_locked_account_waits_for_the_persons_decision()
    {
        var ann = await Server.SignUpAsync("locked_ann");
        using var h = Server.Http(ann.Token);
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<Drawbridge.Accounts.AccountService>();
            Assert.True((await accounts.SetLockedAsync(long.Parse(ann.Id, System.Globalization.CultureInfo.InvariantCulture), true, default)).Succeeded);
        }
        var actor = Peer.AddActor("asking_ava");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Follow", Server.ActorUri("locked_ann")), Inbox("locked_ann"));
        var followers = await Server.Http().GetJsonAsync("/api/drawbridge/v1/accounts/locked_ann/followers");
        Assert.DoesNotContain(followers.EnumerateArray(), a => a.Str("handle") == actor.Acct);
        Assert.Contains((await h.GetJsonAsync("/api/drawbridge/v1/notifications")).EnumerateArray(), n => n.Str("kind") == "followrequest");
    }

    [Fact]
    public async Task Accept_and_Reject_answer_a_local_accounts_follow_of_a_remote_one()
    {
        var ann = await Server.SignUpAsync("asking_ann");
        var bea = await Server.SignUpAsync("asking_bea");
        var open = Peer.AddActor("accepting_al");
        var closed = Peer.AddActor("rejecting_rita", locked: true);
        var openId = await ResolveAsync(open.Acct);
        var closedId = await ResolveAsync(closed.Acct);
        using var ha = Server.Http(ann.Token);
        using var hb = Server.Http(bea.Token);
        var requested = await ha.PostJsonAsync($"/api/drawbridge/v1/accounts/{openId}/follow");
        Assert.False(requested.GetProperty("following").GetBoolean()); // until the other server accepts
        await hb.PostJsonAsync($"/api/drawbridge/v1/accounts/{closedId}/follow");

        var followOpen = JsonNode.Parse(JsonSerializer.Serialize(new { type = "Follow", actor = Server.ActorUri("asking_ann"), @object = open.Id }))!;
        await DeliverAndProcessAsync(open, Peer.Activity(open, "Accept", followOpen));
        var followClosed = JsonNode.Parse(JsonSerializer.Serialize(new { type = "Follow", actor = Server.ActorUri("asking_bea"), @object = closed.Id }))!;
        await DeliverAndProcessAsync(closed, Peer.Activity(closed, "Reject", followClosed));

        Assert.True((await ha.GetJsonAsync($"/api/drawbridge/v1/accounts/{openId}/relationship")).GetProperty("following").GetBoolean());
        var rejected = await hb.GetJsonAsync($"/api/drawbridge/v1/accounts/{closedId}/relationship");
        Assert.False(rejected.GetProperty("following").GetBoolean());
        Assert.False(rejected.GetProperty("requested").GetBoolean());
    }

    [Fact]
    public async Task A_remote_block_ends_the_follow_and_the_blocked_person_cant_reply()
    {
        var ann = await Server.SignUpAsync("blocked_ann");
        var actor = Peer.AddActor("blocking_bo");
        var remoteId = await ResolveAsync(actor.Acct);
        using var h = Server.Http(ann.Token);
        await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{remoteId}/follow");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Block", Server.ActorUri("blocked_ann")));
        var relationship = await h.GetJsonAsync($"/api/drawbridge/v1/accounts/{remoteId}/relationship");
        Assert.True(relationship.GetProperty("blockedBy").GetBoolean());
        Assert.False(relationship.GetProperty("requested").GetBoolean());
        var refollow = await h.PostAsync($"/api/drawbridge/v1/accounts/{remoteId}/follow", null);
        Assert.Equal(HttpStatusCode.Forbidden, refollow.StatusCode);
    }

    [Fact]
    public async Task Move_sends_local_followers_on_to_the_new_account_when_it_names_the_old()
    {
        var ann = await Server.SignUpAsync("moving_ann");
        var old = Peer.AddActor("old_olive");
        var @new = Peer.AddActor("new_olive");
        @new.AlsoKnownAs.Add(old.Id);
        var oldId = await ResolveAsync(old.Acct);
        using var h = Server.Http(ann.Token);
        await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{oldId}/follow");
        await DeliverAndProcessAsync(old, Peer.Activity(old, "Accept", JsonNode.Parse(JsonSerializer.Serialize(new { type = "Follow", actor = Server.ActorUri("moving_ann"), @object = old.Id }))));
        var move = Peer.Activity(old, "Move", old.Id);
        move["target"] = @new.Id;
        await DeliverAndProcessAsync(old, move);
        var newId = await ResolveAsync(@new.Acct);
        Assert.False((await h.GetJsonAsync($"/api/drawbridge/v1/accounts/{oldId}/relationship")).GetProperty("following").GetBoolean());
        Assert.True((await h.GetJsonAsync($"/api/drawbridge/v1/accounts/{newId}/relationship")).GetProperty("requested").GetBoolean());
    }

    [Fact]
    public async Task A_flag_is_accepted_and_recorded_for_moderators()
    {
        var ann = await Server.SignUpAsync("flagged_ann");
        var postId = await LocalPostAsync(ann, "Something reported");
        var actor = Peer.AddActor("reporting_ray");
        var flag = Peer.Activity(actor, "Flag", null);
        flag["object"] = new JsonArray(Server.ActorUri("flagged_ann"), LocalPostUri("flagged_ann", postId));
        flag["content"] = "Spam";
        await DeliverAndProcessAsync(actor, flag);
        await using var scope = Server.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<DrawbridgeDb>().RemoteReports.SingleAsync(r => r.ActivityUri == flag["id"]!.GetValue<string>());
        Assert.Equal(postId, report.PostIds);
        Assert.Equal("Spam", report.Comment);
    }

    [Fact]
    public async Task Delete_of_an_actor_removes_its_content_and_Update_of_an_actor_refreshes_it()
    {
        var ann = await Server.SignUpAsync("gone_ann");
        var postId = await LocalPostAsync(ann, "Say something");
        var actor = Peer.AddActor("leaving_lee");
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Create", Peer.Note(actor, "<p>Soon gone</p>", LocalPostUri("gone_ann", postId))));
        actor.DisplayName = "Lee Renamed";
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Update", Peer.ActorJson(actor)));
        Assert.Equal("Lee Renamed", (await Server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{Uri.EscapeDataString(actor.Acct)}")).Str("displayName"));
        await DeliverAndProcessAsync(actor, Peer.Activity(actor, "Delete", actor.Id));
        var thread = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}/thread");
        Assert.DoesNotContain("Soon gone", thread.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http().GetAsync($"/@{actor.Acct}")).StatusCode);
    }
}

/// <summary>A server in its production setting refuses to fetch keys from loopback addresses.</summary>
public sealed class InboxGuardTests(GuardedServer server) : IClassFixture<GuardedServer>
{
    [Fact]
    public async Task A_key_on_a_loopback_address_is_not_fetched_without_the_setting()
    {
        await using var peer = await FediversePeer.StartAsync("127.0.0.10");
        var actor = peer.AddActor("local_lurker");
        var response = await peer.DeliverAsync(actor, $"{server.PublicUrl}/inbox", peer.Activity(actor, "Like", "https://example.org/x"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        // Named as refused: plain http and loopback are both outside what a production server fetches.
        Assert.Contains("127.0.0.10", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, peer.ActorFetches);
        await using var scope = server.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<DrawbridgeDb>().InboundActivities.CountAsync());
    }
}

/// <summary>Domain blocks: administrators only; a suspended server is refused and its content dropped, a limited one kept out of public listings.</summary>
public sealed class DomainBlockTests(InboxFixture f) : IClassFixture<InboxFixture>
{
    private async Task<TestUser> AdminAsync(string handle)
    {
        var admin = await f.Server.SignUpAsync(handle);
        await using var scope = f.Server.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<Microsoft.AspNetCore.Identity.IdentityRole<long>>>();
        if (!await roles.RoleExistsAsync(Drawbridge.Pages.Admin.Administrators.Role))
        {
            await roles.CreateAsync(new Microsoft.AspNetCore.Identity.IdentityRole<long>(Drawbridge.Pages.Admin.Administrators.Role));
        }
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Drawbridge.Accounts.User>>();
        await users.AddToRoleAsync((await users.FindByEmailAsync(admin.Email))!, Drawbridge.Pages.Admin.Administrators.Role);
        return admin;
    }

    [Fact]
    public async Task Only_administrators_open_the_domain_blocks_page()
    {
        using var anonymous = new Drawbridge.Tests.Web.WebSession(f.Server);
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/admin/domains")).Status);
        var member = await f.Server.SignUpAsync("plain_member");
        using var memberWeb = new Drawbridge.Tests.Web.WebSession(f.Server);
        await memberWeb.SignInAsync(member.Email);
        Assert.NotEqual(HttpStatusCode.OK, (await memberWeb.GetAsync("/admin/domains")).Status);
        var admin = await AdminAsync("the_admin");
        using var adminWeb = new Drawbridge.Tests.Web.WebSession(f.Server);
        await adminWeb.SignInAsync(admin.Email);
        Assert.Equal(HttpStatusCode.OK, (await adminWeb.GetAsync("/admin/domains")).Status);
        var bad = await adminWeb.SubmitAsync("/admin/domains", "form[action*=block]", new Dictionary<string, string> { ["domain"] = "not a domain", ["severity"] = "suspend" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("Enter a domain", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suspended_domain_is_refused_and_its_content_removed_a_limited_one_leaves_public_listings()
    {
        await using var other = await FediversePeer.StartAsync("127.0.0.11");
        var ann = await f.Server.SignUpAsync("blocking_admin_ann");
        var actor = other.AddActor("noisy_nell");
        var note = other.Note(actor, "<p>Loud #domaintest</p>");
        var response = await other.DeliverAsync(actor, $"{f.Server.PublicUrl}/inbox", other.Activity(actor, "Create", note));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await f.Server.DrainJobsAsync();
        Assert.NotEmpty((await f.Server.Http().GetJsonAsync("/api/drawbridge/v1/timelines/tags/domaintest")).EnumerateArray());

        var admin = await AdminAsync("domain_admin");
        using var adminWeb = new Drawbridge.Tests.Web.WebSession(f.Server);
        await adminWeb.SignInAsync(admin.Email);
        var limited = await adminWeb.SubmitAsync("/admin/domains", "form[action*=block]", new Dictionary<string, string> { ["domain"] = other.Domain, ["severity"] = "limit" });
        Assert.Equal(HttpStatusCode.Redirect, limited.StatusCode);
        Assert.Empty((await f.Server.Http().GetJsonAsync("/api/drawbridge/v1/timelines/tags/domaintest")).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await f.Server.Http().GetAsync($"/@{actor.Acct}")).StatusCode);

        var suspended = await adminWeb.SubmitAsync("/admin/domains", "form[action*=block]", new Dictionary<string, string> { ["domain"] = other.Domain, ["severity"] = "suspend" });
        Assert.Equal(HttpStatusCode.Redirect, suspended.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Server.Http().GetAsync($"/api/drawbridge/v1/accounts/{Uri.EscapeDataString(actor.Acct)}")).StatusCode);
        var refused = await other.DeliverAsync(actor, $"{f.Server.PublicUrl}/inbox", other.Activity(actor, "Create", other.Note(actor, "<p>Again</p>")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var (_, page) = await adminWeb.GetAsync("/admin/domains");
        Assert.Contains(other.Domain, page.QuerySelector("table")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Suspended", page.QuerySelector("table")!.TextContent, StringComparison.Ordinal);
    }
}
