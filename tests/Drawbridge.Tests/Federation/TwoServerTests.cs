using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Mastodon;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>Two Drawbridge servers on loopback (distinct ports of 127.0.0.1, so distinct domains) that know nothing of each other yet.</summary>
public sealed class TwoServerFixture : IAsyncLifetime
{
    public FederatingServer A { get; } = new();
    public FederatingServer B { get; } = new();

    public async Task InitializeAsync()
    {
        await A.InitializeAsync();
        await B.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)A).DisposeAsync();
        await ((IAsyncLifetime)B).DisposeAsync();
    }
}

/// <summary>
/// Drawbridge federating with Drawbridge: people on two servers follow, post, reply, like, repost, edit, delete and
/// block across them, with both servers' delivery and inbound queues running as they do in production, and each side
/// shows the other's content as its own users see it (pages, timelines, counts).
/// </summary>
public sealed class TwoServerTests(TwoServerFixture f) : IClassFixture<TwoServerFixture>
{
    private FederatingServer A => f.A;
    private FederatingServer B => f.B;

    private static string Domain(FederatingServer s) => new Uri(s.PublicUrl).Authority;

    /// <summary>Waits (at most 30 s) until <paramref name="probe"/> finds something; fails naming what never came.</summary>
    private static async Task<JsonElement> Eventually(Func<Task<JsonElement?>> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Looks <paramref name="user"/> of <paramref name="home"/> up from <paramref name="here"/>, as search does, and returns its id here.</summary>
    private static async Task<string> ResolveAsync(FederatingServer here, TestUser viewer, FederatingServer home, TestUser user)
    {
        using var h = here.Http(viewer.Token);
        // Searched again, as a person would, if the lookup timed out (a loaded machine; the fetch timeout is 3 s here).
        var account = await Eventually(async () =>
        {
            var found = await h.GetJsonAsync($"/api/drawbridge/v1/search?q={Uri.EscapeDataString($"@{user.Handle}@{Domain(home)}")}");
            return found.GetProperty("accounts").EnumerateArray().Select(a => (JsonElement?)a).SingleOrDefault();
        }, $"a search from {Domain(here)} to find {user.Handle}@{Domain(home)}");
        Assert.Equal($"{user.Handle}@{Domain(home)}", account.Str("handle"));
        return account.Str("id");
    }

    private static async Task<JsonElement> RelationshipAsync(FederatingServer here, TestUser viewer, string otherId)
    {
        using var h = here.Http(viewer.Token);
        return await h.GetJsonAsync($"/api/drawbridge/v1/accounts/{otherId}/relationship");
    }

    /// <summary><paramref name="follower"/> (on <paramref name="here"/>) follows <paramref name="followee"/> (on <paramref name="there"/>) and waits for the Accept.</summary>
    private static async Task<string> FollowAsync(FederatingServer here, TestUser follower, FederatingServer there, TestUser followee)
    {
        var id = await ResolveAsync(here, follower, there, followee);
        using var h = here.Http(follower.Token);
        await h.PostJsonAsync($"/api/drawbridge/v1/accounts/{id}/follow");
        await Eventually(async () => (await RelationshipAsync(here, follower, id)).GetProperty("following").GetBoolean(), $"{followee.Handle}'s server to accept {follower.Handle}'s follow");
        return id;
    }

    private static async Task<JsonElement?> InHomeAsync(FederatingServer s, TestUser reader, Func<JsonElement, bool> match)
    {
        using var h = s.Http(reader.Token);
        var home = await h.GetJsonAsync("/api/drawbridge/v1/timelines/home");
        return home.EnumerateArray().Where(match).Select(p => (JsonElement?)p).FirstOrDefault();
    }

    private static async Task<JsonElement> PostAsync(FederatingServer s, TestUser author, object body)
    {
        using var h = s.Http(author.Token);
        var response = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", body);
        Assert.True(response.IsSuccessStatusCode, $"posting answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> PageAsync(FederatingServer s, string path)
    {
        using var h = s.Http();
        var response = await h.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> MastodonTokenAsync(FederatingServer s, TestUser user, string scopes)
    {
        await using var scope = s.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        return await scope.ServiceProvider.GetRequiredService<AccessTokenService>().IssueAsync(await users.FindByEmailAsync(user.Email), "test app", scopes, null, CancellationToken.None);
    }

    [Fact]
    public async Task Followers_on_the_other_server_see_posts_articles_edits_and_deletions_and_their_replies_likes_and_reposts_come_back()
    {
        var ann = await A.SignUpAsync("two_ann", "professional");
        var bob = await B.SignUpAsync("two_bob");
        await FollowAsync(B, bob, A, ann);
        // A counts its new remote follower, as its profile shows.
        Assert.Contains("<strong>1</strong> followers", await PageAsync(A, "/@two_ann"), StringComparison.Ordinal);
        var annAcct = $"two_ann@{Domain(A)}";

        // A post and an article reach the follower's home timeline on the other server.
        var note = await PostAsync(A, ann, new { text = "Drop-in clinic on Tuesday #wellbeing" });
        var remoteNote = await Eventually(() => InHomeAsync(B, bob, p => p.Str("content").Contains("Drop-in clinic on Tuesday", StringComparison.Ordinal)), "the post in bob's home timeline");
        Assert.Equal(annAcct, remoteNote.GetProperty("author").Str("handle"));
        await PostAsync(A, ann, new { kind = "article", title = "Why we changed visiting hours", summary = "What families told us", text = "Families asked for **evenings**, so we listened." });
        var remoteArticle = await Eventually(() => InHomeAsync(B, bob, p => p.Str("kind") == "article"), "the article in bob's home timeline");
        Assert.Equal("Why we changed visiting hours", remoteArticle.Str("title"));
        Assert.Equal("What families told us", remoteArticle.Str("summary"));
        Assert.Contains("<strong>evenings</strong>", remoteArticle.Str("contentHtml"), StringComparison.Ordinal);

        // B's page of the remote account shows who it is and what they posted.
        var profile = await PageAsync(B, $"/@{annAcct}");
        Assert.Contains("two ann", profile, StringComparison.Ordinal);
        Assert.Contains($"See the profile on {Domain(A)}", profile, StringComparison.Ordinal);
        Assert.Contains("Drop-in clinic on Tuesday", profile, StringComparison.Ordinal);

        // Bob replies, likes and reposts on B; A shows the reply in the thread and counts the like and the repost.
        var remoteId = remoteNote.Str("id");
        await PostAsync(B, bob, new { text = "Is it open to carers too?", inReplyToId = remoteId });
        using (var hb = B.Http(bob.Token))
        {
            await hb.PostJsonAsync($"/api/drawbridge/v1/posts/{remoteId}/like");
            await hb.PostJsonAsync($"/api/drawbridge/v1/posts/{remoteId}/repost");
        }
        var threadPath = $"/@two_ann/{note.Str("id")}";
        await Eventually(async () =>
        {
            var page = await PageAsync(A, threadPath);
            return page.Contains("Is it open to carers too?", StringComparison.Ordinal) && page.Contains("1 like", StringComparison.Ordinal) && page.Contains("1 repost", StringComparison.Ordinal);
        }, "bob's reply, like and repost on ann's thread page");
        var thread = await PageAsync(A, threadPath);
        Assert.Contains($"@two_bob@{Domain(B)}", thread, StringComparison.Ordinal);
        using (var ha = A.Http(ann.Token))
        {
            var notifications = await ha.GetJsonAsync("/api/drawbridge/v1/notifications");
            var kinds = notifications.EnumerateArray().Where(n => n.GetProperty("actor").ValueKind == JsonValueKind.Object && n.GetProperty("actor").Str("handle") == $"two_bob@{Domain(B)}").Select(n => n.Str("kind")).ToHashSet();
            Assert.Superset(new HashSet<string> { "follow", "reply", "like", "repost" }, kinds);
        }
        // The reply is shown on B too, in the same thread as the original.
        var remoteThread = await B.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{remoteId}/thread");
        Assert.Contains(remoteThread.GetProperty("items").EnumerateArray(), i => i.GetProperty("post").Str("content").Contains("open to carers", StringComparison.Ordinal));

        // An edit reaches B: the new text on the post and its page, the old one gone.
        using (var ha = A.Http(ann.Token))
        {
            Assert.True((await ha.PutAsJsonAsync($"/api/drawbridge/v1/posts/{note.Str("id")}", new { text = "Drop-in clinic moved to Wednesday #wellbeing" })).IsSuccessStatusCode);
        }
        await Eventually(async () => (await B.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{remoteId}")).Str("content").Contains("moved to Wednesday", StringComparison.Ordinal), "the edit on B");
        var edited = await PageAsync(B, $"/@{annAcct}/{remoteId}");
        Assert.Contains("Drop-in clinic moved to Wednesday", edited, StringComparison.Ordinal);
        Assert.DoesNotContain("Drop-in clinic on Tuesday", edited, StringComparison.Ordinal);
        Assert.NotNull((await B.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{remoteId}")).GetProperty("editedAt").GetString());

        // A deletion reaches B: gone from bob's home timeline and from the account's page; the post is a tombstone.
        using (var ha = A.Http(ann.Token))
        {
            Assert.True((await ha.DeleteAsync($"/api/drawbridge/v1/posts/{note.Str("id")}")).IsSuccessStatusCode);
        }
        await Eventually(async () => await InHomeAsync(B, bob, p => p.Str("id") == remoteId) is null, "the deleted post to leave bob's home timeline");
        Assert.DoesNotContain("Drop-in clinic", await PageAsync(B, $"/@{annAcct}"), StringComparison.Ordinal);
        using (var anonymous = B.Http())
        {
            var deleted = await anonymous.GetAsync($"/api/drawbridge/v1/posts/{remoteId}");
            if (deleted.IsSuccessStatusCode)
            {
                var body = await deleted.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(body.GetProperty("deleted").GetBoolean());
                Assert.DoesNotContain("Drop-in clinic", body.Str("content"), StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(deleted.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Gone });
            }
        }
    }

    [Fact]
    public async Task Both_ways_each_follower_sees_the_others_posts_in_their_home_timeline()
    {
        var cara = await A.SignUpAsync("two_cara");
        var dev = await B.SignUpAsync("two_dev", "professional");
        await FollowAsync(A, cara, B, dev);
        await FollowAsync(B, dev, A, cara);
        await PostAsync(A, cara, new { text = "Thanks for the shift swap" });
        await PostAsync(B, dev, new { text = "Any time, see you Friday" });
        var onB = await Eventually(() => InHomeAsync(B, dev, p => p.Str("content").Contains("shift swap", StringComparison.Ordinal)), "cara's post on B");
        var onA = await Eventually(() => InHomeAsync(A, cara, p => p.Str("content").Contains("see you Friday", StringComparison.Ordinal)), "dev's post on A");
        Assert.Equal($"two_cara@{Domain(A)}", onB.GetProperty("author").Str("handle"));
        Assert.Equal($"two_dev@{Domain(B)}", onA.GetProperty("author").Str("handle"));
    }

    [Fact]
    public async Task A_follow_of_a_locked_account_waits_for_its_owner_then_posts_flow()
    {
        var lena = await A.SignUpAsync("two_lena", "professional");
        var mo = await B.SignUpAsync("two_mo");
        var lenaApp = await MastodonTokenAsync(A, lena, "read write follow");
        using var lenaHttp = A.Http(lenaApp);
        var locked = await lenaHttp.PatchAsync("/api/v1/accounts/update_credentials", JsonContent.Create(new { locked = true }));
        Assert.True(locked.IsSuccessStatusCode, await locked.Content.ReadAsStringAsync());

        var lenaOnB = await ResolveAsync(B, mo, A, lena);
        using var moHttp = B.Http(mo.Token);
        await moHttp.PostJsonAsync($"/api/drawbridge/v1/accounts/{lenaOnB}/follow");
        // B shows the follow as requested, and A lists the request for lena.
        var request = await Eventually(async () =>
        {
            var requests = await lenaHttp.GetJsonAsync("/api/v1/follow_requests");
            return requests.EnumerateArray().Where(r => r.Str("acct") == $"two_mo@{Domain(B)}").Select(r => (JsonElement?)r).FirstOrDefault();
        }, "mo's request in lena's follow requests");
        var pending = await RelationshipAsync(B, mo, lenaOnB);
        Assert.True(pending.GetProperty("requested").GetBoolean());
        Assert.False(pending.GetProperty("following").GetBoolean());

        // A post while the request waits does not reach mo.
        await PostAsync(A, lena, new { text = "Before I decided" });

        Assert.True((await lenaHttp.PostAsync($"/api/v1/follow_requests/{request.Str("id")}/authorize", null)).IsSuccessStatusCode);
        await Eventually(async () => (await RelationshipAsync(B, mo, lenaOnB)).GetProperty("following").GetBoolean(), "the Accept to reach B");
        Assert.False((await RelationshipAsync(B, mo, lenaOnB)).GetProperty("requested").GetBoolean());

        await PostAsync(A, lena, new { text = "After I decided" });
        await Eventually(() => InHomeAsync(B, mo, p => p.Str("content").Contains("After I decided", StringComparison.Ordinal)), "lena's post in mo's home timeline");
        await A.DrainJobsAsync();
        Assert.Null(await InHomeAsync(B, mo, p => p.Str("content").Contains("Before I decided", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_block_ends_the_follow_on_both_servers_and_stops_delivery_to_the_blocked_person()
    {
        var nia = await A.SignUpAsync("two_nia", "professional");
        var olly = await B.SignUpAsync("two_olly");
        var pat = await B.SignUpAsync("two_pat");
        var ollyOnA = await ResolveAsync(A, nia, B, olly);
        var niaOnB = await FollowAsync(B, olly, A, nia);
        await FollowAsync(B, pat, A, nia);
        await PostAsync(A, nia, new { text = "Before the block" });
        await Eventually(() => InHomeAsync(B, olly, p => p.Str("content").Contains("Before the block", StringComparison.Ordinal)), "the first post in olly's home timeline");

        using (var hn = A.Http(nia.Token))
        {
            await hn.PostJsonAsync($"/api/drawbridge/v1/accounts/{ollyOnA}/block");
        }
        // B learns of the block: olly no longer follows nia there, and A no longer counts olly as a follower.
        await Eventually(async () => !(await RelationshipAsync(B, olly, niaOnB)).GetProperty("following").GetBoolean(), "the block to end olly's follow on B");
        Assert.False((await RelationshipAsync(A, nia, ollyOnA)).GetProperty("followedBy").GetBoolean());

        // The next post reaches pat (same server) but not olly.
        await PostAsync(A, nia, new { text = "After the block" });
        await Eventually(() => InHomeAsync(B, pat, p => p.Str("content").Contains("After the block", StringComparison.Ordinal)), "the second post in pat's home timeline");
        await A.DrainJobsAsync();
        await B.DrainJobsAsync();
        Assert.Null(await InHomeAsync(B, olly, p => p.Str("content").Contains("After the block", StringComparison.Ordinal)));

        // Olly's attempt to follow again is refused by A.
        using (var ho = B.Http(olly.Token))
        {
            await ho.PostAsync($"/api/drawbridge/v1/accounts/{niaOnB}/follow", null);
        }
        await Eventually(async () =>
        {
            var r = await RelationshipAsync(B, olly, niaOnB);
            return !r.GetProperty("following").GetBoolean() && !r.GetProperty("requested").GetBoolean();
        }, "A to reject olly's new follow");
        await A.DrainJobsAsync();
        Assert.False((await RelationshipAsync(A, nia, ollyOnA)).GetProperty("followedBy").GetBoolean());
    }

    [Fact]
    public async Task Posts_made_while_the_other_server_is_down_and_this_one_restarts_arrive_once_each()
    {
        // Two servers of this test's own, each restarted on its port and data: the follower's server is down while the
        // author posts, then the author's server stops with deliveries pending (the jobs it held stay claimed, as a
        // node that died leaves them), and both come back.
        // Every queue's lease short (a stopped server may hold a fan-out or inbound job too), and no domain pause.
        var settings = Drawbridge.Jobs.JobQueues.All.ToDictionary(q => $"Drawbridge:Jobs:Queues:{q}:LeaseSeconds", _ => (string?)"5");
        settings["Drawbridge:Federation:DomainFailureThreshold"] = "1000";
        var (portA, portB) = (FederatingServer.FreePort(), FederatingServer.FreePort());
        var (dataA, dataB) = (NewDataDirectory(), NewDataDirectory());
        var a = FederatingServer.With(settings, portA, dataA);
        await a.InitializeAsync();
        var b = FederatingServer.With(settings, portB, dataB);
        await b.InitializeAsync();
        var ann = await a.SignUpAsync("down_ann", "professional");
        var bob = await b.SignUpAsync("down_bob");
        await FollowAsync(b, bob, a, ann);

        await b.DisposeAsync();
        var texts = Enumerable.Range(1, 5).Select(i => $"Clinic update number {i}").ToList();
        foreach (var text in texts)
        {
            await PostAsync(a, ann, new { text });
        }
        await a.WithDbAsync(async (db, _) =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await db.Jobs.CountAsync(j => j.Kind == Drawbridge.Federation.DeliverActivity.Kind && j.Attempts >= 1 && j.CompletedAt == null) < texts.Count)
            {
                Assert.True(DateTime.UtcNow < deadline, "the deliveries to fail while the follower's server is down");
                await Task.Delay(50);
            }
            return 0;
        });
        await a.DisposeAsync();

        await using var b2 = FederatingServer.With(settings, portB, dataB);
        await b2.InitializeAsync();
        await using var a2 = FederatingServer.With(settings, portA, dataA);
        await a2.InitializeAsync();
        await Eventually(async () =>
        {
            using var h = b2.Http(bob.Token);
            var home = (await h.GetJsonAsync("/api/drawbridge/v1/timelines/home")).EnumerateArray().Select(p => p.Str("content")).ToList();
            return texts.All(t => home.Any(c => c.Contains(t, StringComparison.Ordinal)));
        }, "every post in bob's home timeline after both servers came back");
        await DrainAsync(a2);
        await DrainAsync(b2);
        using var hb = b2.Http(bob.Token);
        var shown = (await hb.GetJsonAsync("/api/drawbridge/v1/timelines/home")).EnumerateArray().Select(p => p.Str("content")).ToList();
        Assert.All(texts, t => Assert.Single(shown, c => c.Contains(t, StringComparison.Ordinal)));
        Assert.Equal(texts.Count, await b2.WithDbAsync((db, _) => db.Posts.CountAsync(p => !p.Local && p.Content.StartsWith("Clinic update number"))));
        await ((IAsyncLifetime)a2).DisposeAsync();
        await ((IAsyncLifetime)b2).DisposeAsync();
        foreach (var data in new[] { dataA, dataB })
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task DrainAsync(FederatingServer s)
    {
        try
        {
            await s.DrainJobsAsync();
        }
        catch (TimeoutException)
        {
            var open = await s.WithDbAsync((db, _) => db.Jobs.AsNoTracking().Where(j => j.CompletedAt == null && j.FailedAt == null).ToListAsync());
            Assert.Fail("Jobs left open: " + string.Join("\n", open.Select(j => $"{j.Kind} attempts={j.Attempts} runAt={j.RunAt:O} locked={j.LockedUntil:O} error={j.LastError} payload={j.Payload}")));
        }
    }

    private static string NewDataDirectory()
    {
        var data = Path.Combine(Path.GetTempPath(), "drawbridge-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return data;
    }
}
