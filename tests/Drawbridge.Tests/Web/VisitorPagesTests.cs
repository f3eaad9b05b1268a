using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Web;

/// <summary>
/// An article with its guest-comment form, profiles, tag pages and the front page are shared between visitors who
/// aren't signed in, and the shared comment form (which carries no token of a visitor's own) still takes comments from
/// this server's pages and refuses those another site makes a browser send.
/// </summary>
public sealed class VisitorPagesTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    /// <summary>The page as a visitor gets it, and whether it came from the shared copy (the Age header says so).</summary>
    private async Task<(IHtmlDocument Page, bool Shared)> VisitAsync(string path)
    {
        using var http = server.Http();
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), "a page shared between visitors must not set a cookie");
        var page = (IHtmlDocument)await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        return (page, response.Headers.Age is not null);
    }

    private async Task<(TestUser Author, string ArticleId, string Path)> ArticleAsync(string title)
    {
        var author = await server.SignUpAsync($"va_{Guid.NewGuid():N}"[..14], "professional");
        var article = await server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title, text = $"## {title}\n\nWhat we learned this winter." });
        return (author, article.Str("id"), $"/@{author.Handle}/{article.Str("id")}");
    }

    /// <summary>The fields of the article's comment form as a guest fills them in, sent where the form says.</summary>
    private static async Task<HttpResponseMessage> SendCommentAsync(IHtmlDocument articlePage, string text, Action<HttpRequestHeaders>? headers, HttpClient http)
    {
        var form = articlePage.QuerySelector("form[action$='/comment']") as IHtmlFormElement ?? throw new InvalidOperationException("no comment form");
        using var request = new HttpRequestMessage(HttpMethod.Post, form.GetAttribute("action"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Sam Visitor", ["email"] = "sam@example.org", ["commentText"] = text, ["website"] = "" }),
        };
        headers?.Invoke(request.Headers);
        return await http.SendAsync(request);
    }

    private async Task<List<string>> AwaitingAsync(TestUser author) =>
        (await server.Http(author.Token).GetFromJsonAsync<JsonElement>("/api/drawbridge/v1/guest-comments")).EnumerateArray().Select(c => c.Str("content")).ToList();

    [Fact]
    public async Task An_article_with_its_comment_form_is_shared_and_its_form_sends_a_comment_from_this_site()
    {
        var (author, _, path) = await ArticleAsync("Winter pressures on the ward");
        var (first, _) = await VisitAsync(path);
        var (page, shared) = await VisitAsync(path);
        Assert.True(shared, "the second visit should be served from the shared copy");
        Assert.Equal(first.QuerySelector("main")!.TextContent, page.QuerySelector("main")!.TextContent);
        Assert.Null(page.QuerySelector("input[name=__RequestVerificationToken]"));

        using var http = server.Http();
        var sent = await SendCommentAsync(page, "Thank you for writing this, it rings true", h =>
        {
            h.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
            h.Add("Sec-Fetch-Site", "same-origin");
        }, http);
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.EndsWith("?sent=true#comment-heading", sent.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("Thank you for writing this, it rings true", await AwaitingAsync(author));

        // An older browser that sends only Origin is recognised by it.
        var byOrigin = await SendCommentAsync(page, "Origin alone says it is this site", h => h.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority)), http);
        Assert.Equal(HttpStatusCode.Redirect, byOrigin.StatusCode);
        Assert.Contains("Origin alone says it is this site", await AwaitingAsync(author));
    }

    [Fact]
    public async Task A_comment_with_a_valid_token_is_accepted()
    {
        var (author, _, path) = await ArticleAsync("Listening to families");
        using var web = new WebSession(server);
        var (_, commentPage) = await web.GetAsync(path + "/comment");
        var token = commentPage.QuerySelector("main form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        // No Origin or Fetch Metadata header: the token alone vouches for the post.
        var response = await web.PostRawAsync(path + "/comment", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["name"] = "Alex Guest",
            ["email"] = "alex@example.org",
            ["commentText"] = "Sent with the comment page's own token",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("Sent with the comment page's own token", await AwaitingAsync(author));
    }

    [Fact]
    public async Task A_forged_cross_site_post_is_refused_and_one_no_header_vouches_for_is_offered_back_with_a_token()
    {
        var (author, _, path) = await ArticleAsync("Handover at night");
        await VisitAsync(path);
        var (page, _) = await VisitAsync(path);

        using var http = server.Http();
        var forged = await SendCommentAsync(page, "Buy cheap pills at example dot com", h =>
        {
            h.Add("Origin", "https://attacker.example");
            h.Add("Sec-Fetch-Site", "cross-site");
        }, http);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("sent from another website", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var forgedByOrigin = await SendCommentAsync(page, "Forged with an Origin only", h => h.Add("Origin", "https://attacker.example"), http);
        Assert.Equal(HttpStatusCode.Forbidden, forgedByOrigin.StatusCode);
        var sameSite = await SendCommentAsync(page, "Forged from a sibling subdomain", h => h.Add("Sec-Fetch-Site", "same-site"), http);
        Assert.Equal(HttpStatusCode.Forbidden, sameSite.StatusCode);
        Assert.Empty(await AwaitingAsync(author));

        // No header and no token: nothing is saved; the page shows what was typed, in a form with a token, to send again.
        using var web = new WebSession(server);
        var unknown = await web.PostRawAsync(path + "/comment", new Dictionary<string, string> { ["name"] = "Old Browser", ["email"] = "old@example.org", ["commentText"] = "Typed in a very old browser" });
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        var offered = await WebSession.ParseAsync(await unknown.Content.ReadAsStringAsync());
        Assert.Contains("not sent yet", offered.QuerySelector(".nhsuk-error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Typed in a very old browser", offered.QuerySelector("textarea[name=commentText]")!.TextContent.Trim());
        Assert.NotNull(offered.QuerySelector("form input[name=__RequestVerificationToken]"));
        Assert.Empty(await AwaitingAsync(author));
    }

    [Fact]
    public async Task An_approved_comment_shows_on_the_shared_article_page_at_once()
    {
        var (author, _, path) = await ArticleAsync("What matters to you");
        await VisitAsync(path);
        var (page, _) = await VisitAsync(path);
        using var http = server.Http();
        (await SendCommentAsync(page, "Being asked what matters is what matters", h => h.Add("Sec-Fetch-Site", "same-origin"), http)).Dispose();
        var comments = await server.Http(author.Token).GetFromJsonAsync<JsonElement>("/api/drawbridge/v1/guest-comments");
        var id = comments.EnumerateArray().Single().Str("id");
        (await server.Http(author.Token).PostAsync($"/api/drawbridge/v1/guest-comments/{id}/approve", null)).EnsureSuccessStatusCode();

        var (after, shared) = await VisitAsync(path);
        Assert.False(shared, "approving a comment must evict the shared copy");
        Assert.Contains("Being asked what matters is what matters", after.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_reader_never_gets_the_visitors_copy_of_an_article()
    {
        var (_, _, path) = await ArticleAsync("Rotas that work");
        await VisitAsync(path);
        var (visitor, shared) = await VisitAsync(path);
        Assert.True(shared);
        Assert.Contains("Sign in to reply", visitor.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        var reader = await server.SignUpAsync($"vr_{Guid.NewGuid():N}"[..14]);
        using var web = new WebSession(server);
        await web.SignInAsync(reader.Email);
        var (status, page) = await web.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(page.QuerySelector("form#reply textarea"));
        Assert.DoesNotContain("Sign in to reply", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profiles_tag_pages_and_the_front_page_are_shared_and_show_a_new_post_and_follower_at_once()
    {
        var author = await server.SignUpAsync($"vp_{Guid.NewGuid():N}"[..14], "professional");
        var tag = "visitors" + Guid.NewGuid().ToString("N")[..8];
        using var authorHttp = server.Http(author.Token);
        await authorHttp.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"First clinic of the year #{tag}" });
        string[] paths = [$"/@{author.Handle}", $"/tags/{tag}", "/"];
        foreach (var path in paths)
        {
            await VisitAsync(path);
            Assert.True((await VisitAsync(path)).Shared, $"{path} should be served from the shared copy");
        }

        await authorHttp.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Second clinic, shorter queue #{tag}" });
        foreach (var path in paths)
        {
            var (page, shared) = await VisitAsync(path);
            Assert.False(shared, $"a new post must evict {path}");
            Assert.Contains("Second clinic, shorter queue", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        }

        await VisitAsync($"/@{author.Handle}");
        var follower = await server.SignUpAsync($"vf_{Guid.NewGuid():N}"[..14]);
        (await server.Http(follower.Token).PostAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow", null)).EnsureSuccessStatusCode();
        var (profile, _) = await VisitAsync($"/@{author.Handle}");
        Assert.Contains("1 followers", System.Text.RegularExpressions.Regex.Replace(profile.QuerySelector("main")!.TextContent, @"\s+", " "), StringComparison.Ordinal);
    }
}
