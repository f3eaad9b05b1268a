using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Web;

/// <summary>
/// Visitors share one copy of a public conversation page, and every change to the conversation shows at once:
/// a reply, an edit, a deletion, a new name. Signed-in readers always get their own page.
/// </summary>
public sealed class PublicPageCacheTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private static async Task<string> PostAsync(HttpClient http, string text, string? inReplyTo = null)
    {
        var response = await http.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text, inReplyToId = inReplyTo });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>The page as a visitor gets it, and whether it came from the shared copy (the Age header says so).</summary>
    private async Task<(string Text, bool Shared)> VisitAsync(string path)
    {
        using var http = server.Http();
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), "a page shared between visitors must not set a cookie");
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        return (page.QuerySelector("main")!.TextContent, response.Headers.Age is not null);
    }

    [Fact]
    public async Task A_visitor_gets_the_shared_page_and_sees_a_new_reply_edit_and_deletion_at_once()
    {
        var author = await server.SignUpAsync($"pc_{Guid.NewGuid():N}"[..14], "professional");
        var replier = await server.SignUpAsync($"pr_{Guid.NewGuid():N}"[..14]);
        using var authorHttp = server.Http(author.Token);
        using var replierHttp = server.Http(replier.Token);
        var root = await PostAsync(authorHttp, "Shift handover tips from the night team #nhssm");
        var path = $"/@{author.Handle}/{root}";

        var (first, _) = await VisitAsync(path);
        Assert.Contains("Shift handover tips", first, StringComparison.Ordinal);
        var (again, shared) = await VisitAsync(path);
        Assert.True(shared, "the second visit should be served from the shared copy");
        Assert.Equal(first, again);

        var reply = await PostAsync(replierHttp, "Thank you, the checklist idea is brilliant", root);
        var (afterReply, sharedAfterReply) = await VisitAsync(path);
        Assert.False(sharedAfterReply, "a reply must evict the shared copy");
        Assert.Contains("the checklist idea is brilliant", afterReply, StringComparison.Ordinal);

        var edit = await authorHttp.PutAsJsonAsync($"/api/drawbridge/v1/posts/{root}", new { text = "Shift handover tips from the night team, updated #nhssm" });
        edit.EnsureSuccessStatusCode();
        var (afterEdit, _) = await VisitAsync(path);
        Assert.Contains("from the night team, updated", afterEdit, StringComparison.Ordinal);

        (await replierHttp.DeleteAsync($"/api/drawbridge/v1/posts/{reply}")).EnsureSuccessStatusCode();
        var (afterDelete, _) = await VisitAsync(path);
        Assert.DoesNotContain("the checklist idea is brilliant", afterDelete, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_display_name_shows_on_shared_pages_at_once()
    {
        var author = await server.SignUpAsync($"pn_{Guid.NewGuid():N}"[..14], "professional");
        using var http = server.Http(author.Token);
        var root = await PostAsync(http, "Clinic runs late on Tuesdays, sorry everyone");
        var path = $"/@{author.Handle}/{root}";
        await VisitAsync(path);
        await VisitAsync(path);

        var rename = await http.PatchAsJsonAsync("/api/drawbridge/v1/me", new { displayName = "Nurse Renamed Example" });
        rename.EnsureSuccessStatusCode();
        var (page, shared) = await VisitAsync(path);
        Assert.False(shared);
        Assert.Contains("Nurse Renamed Example", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_reader_never_gets_the_visitors_copy()
    {
        var author = await server.SignUpAsync($"ps_{Guid.NewGuid():N}"[..14], "professional");
        using var http = server.Http(author.Token);
        var root = await PostAsync(http, "Open question: how do you run debriefs?");
        var path = $"/@{author.Handle}/{root}";
        var (visitor, _) = await VisitAsync(path);
        await VisitAsync(path);
        Assert.Contains("Sign in to reply", visitor, StringComparison.Ordinal);

        var reader = await server.SignUpAsync($"pq_{Guid.NewGuid():N}"[..14]);
        using var web = new WebSession(server);
        await web.SignInAsync(reader.Email);
        var (status, page) = await web.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(page.QuerySelector("form#reply textarea"));
        Assert.DoesNotContain("Sign in to reply", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repost_in_the_home_timeline_shows_the_readers_own_like_of_the_original_even_after_others_read_it()
    {
        var author = await server.SignUpAsync($"ha_{Guid.NewGuid():N}"[..14], "professional");
        var booster = await server.SignUpAsync($"hb_{Guid.NewGuid():N}"[..14], "professional");
        var liker = await server.SignUpAsync($"hl_{Guid.NewGuid():N}"[..14]);
        var other = await server.SignUpAsync($"ho_{Guid.NewGuid():N}"[..14]);
        using var authorHttp = server.Http(author.Token);
        using var boosterHttp = server.Http(booster.Token);
        using var likerHttp = server.Http(liker.Token);
        using var otherHttp = server.Http(other.Token);
        (await likerHttp.PostAsync($"/api/drawbridge/v1/accounts/{booster.Id}/follow", null)).EnsureSuccessStatusCode();
        (await otherHttp.PostAsync($"/api/drawbridge/v1/accounts/{booster.Id}/follow", null)).EnsureSuccessStatusCode();
        var original = await PostAsync(authorHttp, "New falls-prevention leaflet is out");
        (await boosterHttp.PostAsync($"/api/drawbridge/v1/posts/{original}/repost", null)).EnsureSuccessStatusCode();
        (await likerHttp.PostAsync($"/api/drawbridge/v1/posts/{original}/like", null)).EnsureSuccessStatusCode();
        await server.DrainJobsAsync();

        // Someone who hasn't liked it reads first, so the repost's JSON is made without the mark.
        var othersRepost = await RepostInHomeAsync(otherHttp, original);
        Assert.False(othersRepost.GetProperty("repostOf").GetProperty("liked").GetBoolean());

        var likersRepost = await RepostInHomeAsync(likerHttp, original);
        Assert.True(likersRepost.GetProperty("repostOf").GetProperty("liked").GetBoolean());
        Assert.Equal(1, likersRepost.GetProperty("repostOf").GetProperty("likesCount").GetInt32());

        // A change to the original shows in the repost straight away.
        (await otherHttp.PostAsync($"/api/drawbridge/v1/posts/{original}/like", null)).EnsureSuccessStatusCode();
        var edit = await authorHttp.PutAsJsonAsync($"/api/drawbridge/v1/posts/{original}", new { text = "New falls-prevention leaflet is out (now in Welsh too)" });
        edit.EnsureSuccessStatusCode();
        var afterChange = (await RepostInHomeAsync(likerHttp, original)).GetProperty("repostOf");
        Assert.Equal(2, afterChange.GetProperty("likesCount").GetInt32());
        Assert.Contains("now in Welsh too", afterChange.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> RepostInHomeAsync(HttpClient http, string originalId)
    {
        var home = await http.GetFromJsonAsync<JsonElement>("/api/drawbridge/v1/timelines/home?limit=40");
        return home.EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "repost"
                                                 && p.GetProperty("repostOf").GetProperty("id").GetString() == originalId);
    }
}
