using System.Net;
using System.Net.Http.Json;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests;

/// <summary>What the API and Markdown fuzzer (bench/fuzz) once made the server answer with a 500, answered properly now.</summary>
public sealed class FuzzRegressionTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Theory]
    [InlineData(".rss")]
    [InlineData(".atom")]
    [InlineData("/articles.rss")]
    [InlineData("/podcast.rss")]
    public async Task Feeds_of_posts_and_names_with_control_characters_are_written_without_them(string suffix)
    {
        var a = await server.SignUpAsync($"fz_{Guid.NewGuid():N}"[..14], "professional");
        using var h = server.Http(a.Token);
        (await h.PatchAsJsonAsync("/api/drawbridge/v1/me", new { displayName = "Bell\u0007 Nurse", bio = "Null\u0000 bio" })).EnsureSuccessStatusCode();
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "A note with a bell\u0007 and a null\u0000 #ctrl" });
        // Lone surrogates, and a high surrogate before another character, as JSON's \u escapes allow.
        // A title cut at 80 characters must not split an emoji in two.
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = new string('x', 79) + "\ud83d\ude00 and more after the cut" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Half an emoji \ud83d/ and \ud835\ud835 and \ude00 alone" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Title\u0007 here", summary = "Sum\u0000mary", text = "Body\u0007 text \ud83d\ude00", enclosureUrl = "https://media.example.org/ep.mp3" });

        using var response = await server.Http().GetAsync($"/@{a.Handle}{suffix}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var xml = await response.Content.ReadAsStringAsync();
        using var reader = XmlReader.Create(new StringReader(xml));
        var feed = SyndicationFeed.Load(reader);
        Assert.NotEmpty(feed.Items);
        Assert.DoesNotContain('\u0007', xml);
        Assert.DoesNotContain('\u0000', xml);
        Assert.True(xml.Contains("Bell Nurse", StringComparison.Ordinal), xml);
        Assert.Contains(feed.Items, i => i.Title.Text == "Title here" || i.Title.Text.Contains("A note with a bell and a null", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("> ")]
    [InlineData("[")]
    public async Task An_article_nested_deeper_than_can_be_shown_is_refused_naming_the_text(string level)
    {
        var a = await server.SignUpAsync($"fm_{Guid.NewGuid():N}"[..14], "professional");
        using var h = server.Http(a.Token);
        var deep = string.Concat(Enumerable.Repeat(level, 3000)) + "deep";
        var created = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Deep", text = deep });
        var problem = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.True(problem.Contains("too deeply", StringComparison.Ordinal), problem);

        var article = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Shallow", text = "Fine" });
        var edited = await h.PutAsJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}", new { title = "Shallow", text = deep });
        Assert.Equal(HttpStatusCode.BadRequest, edited.StatusCode);
        var page = await server.Http().GetStringAsync($"/@{a.Handle}/{article.Str("id")}");
        Assert.Contains("Fine", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/tags/%07bell.rss")]
    [InlineData("/tags/%1Funit.atom")]
    [InlineData("/tags/%ED%A0%BD.rss")]
    public async Task A_tag_feed_for_a_tag_with_control_characters_is_written(string path)
    {
        using var response = await server.Http().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = XmlReader.Create(new StringReader(await response.Content.ReadAsStringAsync()));
        Assert.Empty(SyndicationFeed.Load(reader).Items);
    }

    [Fact]
    public async Task A_post_by_an_account_the_reader_muted_opens_as_a_thread()
    {
        var author = await server.SignUpAsync($"fa_{Guid.NewGuid():N}"[..14], "professional");
        var reader = await server.SignUpAsync($"fr_{Guid.NewGuid():N}"[..14]);
        using var authorHttp = server.Http(author.Token);
        using var readerHttp = server.Http(reader.Token);
        var post = await authorHttp.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Clinic moved to Thursday" });
        await readerHttp.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/mute");

        using var response = await readerHttp.GetAsync($"/api/drawbridge/v1/posts/{post.Str("id")}/thread");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Clinic moved to Thursday", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_guest_comment_form_with_a_nul_in_a_value_is_refused_as_unreadable_and_nothing_is_kept()
    {
        var author = await server.SignUpAsync($"fn_{Guid.NewGuid():N}"[..14], "professional");
        using var authorHttp = server.Http(author.Token);
        var article = await authorHttp.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Ward news", text = "Open to comments" });
        using var anonymous = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/@{author.Handle}/{article.Str("id")}/comment")
        {
            Content = new StringContent("name=Guest%00&email=guest%40example.org&commentText=Kind+nurses%00", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await anonymous.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains("could not be read", body, StringComparison.Ordinal);
        var comments = await authorHttp.GetStringAsync("/api/drawbridge/v1/guest-comments");
        Assert.DoesNotContain("Kind nurses", comments, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/tags/nursing")]
    [InlineData("POST", "/tags/nursing")]
    [InlineData("GET", "/")]
    public async Task A_page_sent_a_form_body_it_cannot_decode_answers_400_not_500(string method, string path)
    {
        using var anonymous = server.Http();
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("q=%00", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        using var response = await anonymous.SendAsync(request);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task An_article_with_one_huge_table_is_refused_naming_the_borders_and_small_tables_are_kept()
    {
        var a = await server.SignUpAsync($"ft_{Guid.NewGuid():N}"[..14], "professional");
        using var h = server.Http(a.Token);
        static string Table(int columns, int rows) =>
            string.Concat(Enumerable.Repeat("| h ", columns)) + "|\n" + string.Concat(Enumerable.Repeat("|---", columns)) + "|\n"
            + string.Concat(Enumerable.Repeat(string.Concat(Enumerable.Repeat("| c ", columns)) + "|\n", rows));

        var huge = Table(60, 60);
        using var refused = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Rota", text = huge });
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Contains("borders (|) in one block", problem, StringComparison.Ordinal);

        var small = string.Join("\n\n", Enumerable.Repeat(Table(6, 10), 20));
        var kept = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Rotas", text = small });
        var page = await server.Http().GetStringAsync($"/@{a.Handle}/{kept.Str("id")}");
        Assert.Equal(20, System.Text.RegularExpressions.Regex.Count(page, "<table"));
    }
}
