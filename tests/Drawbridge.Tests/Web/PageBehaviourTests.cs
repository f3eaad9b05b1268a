using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Web;

/// <summary>Forms refuse cross-site posts, explain what's wrong beside each field without losing what was typed, and missing things are a friendly 404.</summary>
public sealed class PageBehaviourTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private async Task<(TestUser User, WebSession Web)> SignedInAsync(string prefix, string kind = "member")
    {
        var user = await server.SignUpAsync($"{prefix}_{Guid.NewGuid():N}"[..18], kind);
        var web = new WebSession(server);
        await web.SignInAsync(user.Email);
        return (user, web);
    }

    [Fact]
    public async Task A_post_form_without_the_antiforgery_token_is_refused_and_nothing_is_published()
    {
        var (user, web) = await SignedInAsync("csrf");
        using var _ = web;
        var response = await web.PostRawAsync("/compose", new Dictionary<string, string> { ["kind"] = "note", ["text"] = "Forged post from another site" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("couldn't do that", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var (_, profile) = await web.GetAsync($"/@{user.Handle}");
        Assert.DoesNotContain("Forged post", profile.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_without_the_token_is_refused_and_the_session_stays()
    {
        var (_, web) = await SignedInAsync("csrfout");
        using var _ = web;
        var response = await web.PostRawAsync("/auth/sign-out", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (status, compose) = await web.GetAsync("/compose");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(compose.QuerySelector("textarea#text"));
    }

    [Fact]
    public async Task A_following_form_without_the_token_is_refused()
    {
        var target = await server.SignUpAsync($"csrft_{Guid.NewGuid():N}"[..16], "professional");
        var (_, web) = await SignedInAsync("csrff");
        using var _ = web;
        var response = await web.PostRawAsync($"/@{target.Handle}?handler=follow", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (_, profile) = await web.GetAsync($"/@{target.Handle}");
        Assert.Contains("Follow", profile.QuerySelector(".db-profile__actions button")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Unfollow", profile.QuerySelector(".db-profile__actions")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_up_with_mistakes_shows_each_error_by_its_field_and_keeps_what_was_typed()
    {
        using var web = new WebSession(server);
        var response = await web.SubmitAsync("/auth/sign-up", "main form", new Dictionary<string, string>
        {
            ["kind"] = "professional",
            ["displayName"] = "Sam Typed",
            ["handle"] = "bad handle!",
            ["email"] = "not-an-email",
            ["password"] = "short",
            ["profession"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var summary = page.QuerySelector(".nhsuk-error-summary")!;
        Assert.Contains("There is a problem", summary.TextContent, StringComparison.Ordinal);
        var links = summary.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("#handle", links);
        Assert.Contains("#email", links);
        Assert.Contains("#profession", links);
        Assert.Contains("letters, numbers and underscores", page.QuerySelector("#handle-error")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("correct format", page.QuerySelector("#email-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Sam Typed", page.QuerySelector("#displayName")!.GetAttribute("value"));
        Assert.Equal("bad handle!", page.QuerySelector("#handle")!.GetAttribute("value"));
        Assert.Equal("not-an-email", page.QuerySelector("#email")!.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("input[name=kind][value=professional][checked]"));
        Assert.Null(page.QuerySelector("#password")!.GetAttribute("value"));
        Assert.Contains("nhsuk-form-group--error", page.QuerySelector("#handle")!.ParentElement!.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_that_is_too_long_is_refused_with_the_count_and_the_text_is_kept()
    {
        var (user, web) = await SignedInAsync("toolong");
        using var _ = web;
        var text = string.Concat(Enumerable.Repeat("Handover notes matter. ", 25)).Trim();
        var response = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = text, ["intent"] = "publish", ["visibility"] = "public" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains($"this one is {text.Length}", page.QuerySelector("#text-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(text, page.QuerySelector("textarea#text")!.TextContent);
        Assert.Equal("#text", page.QuerySelector(".nhsuk-error-summary a")!.GetAttribute("href"));
        var (_, profile) = await web.GetAsync($"/@{user.Handle}");
        Assert.DoesNotContain("Handover notes matter", profile.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_without_a_description_is_refused_and_the_post_text_is_kept()
    {
        var (_, web) = await SignedInAsync("noalt");
        using var _ = web;
        var (_, compose) = await web.GetAsync("/compose");
        var token = compose.QuerySelector("main form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("note"), "kind" },
            { new StringContent("Our new ward garden"), "text" },
            { new StringContent("publish"), "intent" },
            { new ByteArrayContent(TinyPng), "image1", "garden.png" },
            { new StringContent(""), "alt1" },
        };
        var response = await web.PostMultipartAsync("/compose", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("Describe the image", page.QuerySelector("#alt1-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Our new ward garden", page.QuerySelector("textarea#text")!.TextContent);
    }

    [Fact]
    public async Task An_image_with_a_description_is_published_with_its_alt_text()
    {
        var (_, web) = await SignedInAsync("withalt");
        using var _ = web;
        var (_, compose) = await web.GetAsync("/compose");
        var token = compose.QuerySelector("main form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("note"), "kind" },
            { new StringContent("Our new ward garden"), "text" },
            { new StringContent("publish"), "intent" },
            { new StringContent("public"), "visibility" },
            { new ByteArrayContent(TinyPng), "image1", "garden.png" },
            { new StringContent("Raised flower beds outside the ward windows"), "alt1" },
        };
        var response = await web.PostMultipartAsync("/compose", content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (_, post) = await web.GetAsync(response.Headers.Location!.ToString());
        var image = post.QuerySelector(".db-post--focus .db-post__media img")!;
        Assert.Equal("Raised flower beds outside the ward windows", image.GetAttribute("alt"));
        var (status, _) = await web.GetAsync(image.GetAttribute("src")!);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_guest_comment_with_mistakes_keeps_what_was_typed()
    {
        var author = await server.SignUpAsync($"gc_{Guid.NewGuid():N}"[..14], "professional");
        using var api = server.Http(author.Token);
        var created = await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Visiting hours", text = "We are changing visiting hours." });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var web = new WebSession(server);
        var response = await web.SubmitAsync($"/@{author.Handle}/{id}", "form[action*=comment]", new Dictionary<string, string> { ["name"] = "Pat", ["email"] = "pat@", ["commentText"] = "Evenings would help us." });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("correct format", page.QuerySelector("#email-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Evenings would help us.", page.QuerySelector("textarea#commentText")!.TextContent);
        Assert.Equal("Pat", page.QuerySelector("#name")!.GetAttribute("value"));
    }

    [Fact]
    public async Task A_guest_comment_that_fills_the_hidden_website_field_is_not_accepted()
    {
        var author = await server.SignUpAsync($"hp_{Guid.NewGuid():N}"[..14], "professional");
        using var api = server.Http(author.Token);
        var created = await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Parking", text = "About parking." });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var web = new WebSession(server);
        var response = await web.SubmitAsync($"/@{author.Handle}/{id}", "form[action*=comment]", new Dictionary<string, string>
        {
            ["name"] = "Bot",
            ["email"] = "bot@example.org",
            ["commentText"] = "Buy now",
            ["website"] = "https://spam.example",
        });
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("could not be accepted", page.QuerySelector(".nhsuk-error-summary")!.TextContent, StringComparison.Ordinal);
        var awaiting = await api.GetFromJsonAsync<JsonElement>("/api/drawbridge/v1/guest-comments");
        Assert.Equal(0, awaiting.GetArrayLength());
    }

    [Theory]
    [InlineData("/@nobody_here_at_all")]
    [InlineData("/@nobody_here_at_all/12345")]
    [InlineData("/no/such/page")]
    public async Task Unknown_addresses_get_a_friendly_not_found_page(string url)
    {
        using var web = new WebSession(server);
        var (status, page) = await web.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Page not found", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.NotNull(page.QuerySelector("header.nhsuk-header"));
    }

    [Fact]
    public async Task A_post_under_the_wrong_handle_or_a_missing_id_is_not_found()
    {
        var author = await server.SignUpAsync($"nf_{Guid.NewGuid():N}"[..14], "professional");
        var other = await server.SignUpAsync($"nf_{Guid.NewGuid():N}"[..14]);
        using var api = server.Http(author.Token);
        var created = await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Real post" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var web = new WebSession(server);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/@{author.Handle}/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/@{other.Handle}/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/@{author.Handle}/1{id}")).Status);
    }

    [Fact]
    public async Task A_profile_pages_through_older_and_newer_posts_with_max_id_and_min_id()
    {
        var author = await server.SignUpAsync($"pg_{Guid.NewGuid():N}"[..14], "professional");
        using var api = server.Http(author.Token);
        for (var i = 1; i <= 25; i++)
        {
            (await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = $"Update number {i:D2}" })).EnsureSuccessStatusCode();
        }
        using var web = new WebSession(server);
        var (_, first) = await web.GetAsync($"/@{author.Handle}");
        var texts = first.QuerySelectorAll(".db-post__content").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(20, texts.Count);
        Assert.Equal("Update number 25", texts[0]);
        Assert.Null(first.QuerySelector("a[rel=prev]"));
        var older = first.QuerySelector("a[rel=next]")!;
        Assert.Equal("Older posts", older.TextContent.Trim());
        Assert.Contains("max_id=", older.GetAttribute("href"), StringComparison.Ordinal);

        var (_, second) = await web.GetAsync(older.GetAttribute("href")!);
        var rest = second.QuerySelectorAll(".db-post__content").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["Update number 05", "Update number 04", "Update number 03", "Update number 02", "Update number 01"], rest);
        var newer = second.QuerySelector("a[rel=prev]")!;
        Assert.Equal("Newer posts", newer.TextContent.Trim());
        var (_, back) = await web.GetAsync(newer.GetAttribute("href")!);
        Assert.Equal("Update number 06", back.QuerySelectorAll(".db-post__content").Last().TextContent.Trim());
    }

    [Fact]
    public async Task A_deleted_post_stays_in_its_thread_as_a_tombstone_and_the_reply_keeps_its_place()
    {
        var author = await server.SignUpAsync($"tb_{Guid.NewGuid():N}"[..14], "professional");
        var replier = await server.SignUpAsync($"tb_{Guid.NewGuid():N}"[..14]);
        using var a = server.Http(author.Token);
        using var r = server.Http(replier.Token);
        var root = (await (await a.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Soon to be deleted" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var reply = (await (await r.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "A reply that stays", inReplyToId = root })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await a.DeleteAsync($"/api/drawbridge/v1/posts/{root}")).EnsureSuccessStatusCode();
        using var web = new WebSession(server);
        var (status, page) = await web.GetAsync($"/@{replier.Handle}/{reply}");
        Assert.Equal(HttpStatusCode.OK, status);
        var items = page.QuerySelectorAll(".db-thread article").ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("This post was deleted by its author.", items[0].TextContent.Trim());
        Assert.DoesNotContain("Soon to be deleted", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("db-post--focus", items[1].ClassName, StringComparison.Ordinal);
        Assert.Contains("db-depth-1", items[1].ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_header_counts_unread_notifications_until_the_notifications_page_is_read()
    {
        var (me, web) = await SignedInAsync("badge", "professional");
        using var _ = web;
        var fan = await server.SignUpAsync($"fan_{Guid.NewGuid():N}"[..14]);
        using (var api = server.Http(fan.Token))
        {
            (await api.PostAsync($"/api/drawbridge/v1/accounts/{me.Id}/follow", null)).EnsureSuccessStatusCode();
        }
        var (_, home) = await web.GetAsync("/");
        Assert.Equal("1 unread", home.QuerySelector(".db-badge")!.TextContent.Trim());
        var (_, notifications) = await web.GetAsync("/notifications");
        Assert.Contains("followed you", notifications.QuerySelector(".db-notifications")!.TextContent, StringComparison.Ordinal);
        Assert.Null(notifications.QuerySelector(".db-badge"));
        var (_, after) = await web.GetAsync("/");
        Assert.Null(after.QuerySelector(".db-badge"));
    }

    private static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
}
