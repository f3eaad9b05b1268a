using System.Net;
using System.Net.Http.Json;
using System.ServiceModel.Syndication;
using System.Xml;
using System.Xml.Linq;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests;

public sealed class FeedTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private static SyndicationFeed Parse(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml));
        return SyndicationFeed.Load(reader);
    }

    [Fact]
    public async Task An_accounts_rss_and_atom_feeds_list_its_public_posts()
    {
        var a = await server.SignUpAsync("feeder", "professional");
        using var h = server.Http(a.Token);
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Public in the feed <b>&</b> #nhssm" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Not for the feed", visibility = "followers" });
        var rss = await server.Http().GetAsync("/@feeder.rss");
        Assert.Equal("application/rss+xml", rss.Content.Headers.ContentType?.MediaType);
        var feed = Parse(await rss.Content.ReadAsStringAsync());
        var item = Assert.Single(feed.Items);
        Assert.Contains("Public in the feed", item.Title.Text, StringComparison.Ordinal);
        Assert.EndsWith("/@feeder/" + item.Id.Split('/')[^1], item.Links[0].Uri.ToString(), StringComparison.Ordinal);
        var atom = await server.Http().GetAsync("/@feeder.atom");
        Assert.Equal("application/atom+xml", atom.Content.Headers.ContentType?.MediaType);
        Assert.Single(Parse(await atom.Content.ReadAsStringAsync()).Items);
        var tag = Parse(await server.Http().GetStringAsync("/tags/nhssm.rss"));
        Assert.Contains(tag.Items, i => i.Title.Text.Contains("Public in the feed", StringComparison.Ordinal));
        Assert.Single(Parse(await server.Http().GetStringAsync("/tags/nhssm.atom")).Items, i => i.Title.Text.Contains("Public in the feed", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http().GetAsync("/@nobody_here.rss")).StatusCode);
    }

    [Fact]
    public async Task A_podcast_feed_carries_episodes_with_enclosures_and_itunes_tags()
    {
        var a = await server.SignUpAsync("podcaster", "professional");
        using var h = server.Http(a.Token);
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Episode 1: Handovers", summary = "We talk handovers", text = "Show notes", enclosureUrl = "https://media.example.org/ep1.mp3" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Just an article", text = "No audio" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Just a note" });
        var xml = await server.Http().GetStringAsync("/@podcaster/podcast.rss");
        var doc = XDocument.Parse(xml);
        XNamespace itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
        var items = doc.Descendants("item").ToList();
        var episode = Assert.Single(items);
        Assert.Equal("Episode 1: Handovers", episode.Element("title")?.Value);
        var enclosure = episode.Element("enclosure")!;
        Assert.Equal("https://media.example.org/ep1.mp3", enclosure.Attribute("url")?.Value);
        Assert.Equal("audio/mpeg", enclosure.Attribute("type")?.Value);
        Assert.NotNull(doc.Root!.Element("channel")!.Element(itunes + "author"));
        Assert.Equal("full", episode.Element(itunes + "episodeType")?.Value);
        var articles = Parse(await server.Http().GetStringAsync("/@podcaster/articles.rss"));
        Assert.Equal(2, articles.Items.Count());
    }

    /// <summary>A feed reader's poll: the status, the validators, and the body.</summary>
    private async Task<(HttpStatusCode Status, string? ETag, DateTimeOffset? LastModified, string Body)> PollAsync(string path, string? etag = null, DateTimeOffset? since = null)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (etag is not null)
        {
            request.Headers.IfNoneMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Parse(etag));
        }
        request.Headers.IfModifiedSince = since;
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(".rss")]
    [InlineData(".atom")]
    [InlineData("/articles.rss")]
    public async Task A_feed_answers_304_to_a_reader_who_has_it_and_changes_when_its_posts_do(string suffix)
    {
        var a = await server.SignUpAsync($"fe_{Guid.NewGuid():N}"[..14], "professional");
        using var h = server.Http(a.Token);
        var first = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Notes from clinic", text = "First version" });
        var path = $"/@{a.Handle}{suffix}";

        var (status, etag, lastModified, body) = await PollAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(etag);
        Assert.NotNull(lastModified);
        Assert.Contains("Notes from clinic", body, StringComparison.Ordinal);
        // Twice more: the first may be built afresh, the second comes from the shared copy; both say "you have it".
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(path, etag)).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(path, etag)).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(path, since: lastModified)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PollAsync(path, "\"something-else\"")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PollAsync(path, since: lastModified!.Value.AddSeconds(-1))).Status);

        // An edit changes the document: a new ETag, a later Last-Modified, and the old validators get the new feed.
        await Task.Delay(1100); // Last-Modified counts whole seconds
        (await h.PutAsJsonAsync($"/api/drawbridge/v1/posts/{first.Str("id")}", new { title = "Notes from clinic, revised", text = "Second version" })).EnsureSuccessStatusCode();
        var edited = await PollAsync(path, etag);
        Assert.Equal(HttpStatusCode.OK, edited.Status);
        Assert.NotEqual(etag, edited.ETag);
        Assert.True(edited.LastModified > lastModified, $"{edited.LastModified} after {lastModified}");
        Assert.Contains("Notes from clinic, revised", edited.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PollAsync(path, since: lastModified)).Status);

        // A deletion changes the ETag too (If-None-Match decides when a reader sends both).
        var second = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Short lived", text = "Gone soon" });
        var withSecond = await PollAsync(path);
        (await h.DeleteAsync($"/api/drawbridge/v1/posts/{second.Str("id")}")).EnsureSuccessStatusCode();
        var afterDelete = await PollAsync(path, withSecond.ETag, withSecond.LastModified);
        Assert.Equal(HttpStatusCode.OK, afterDelete.Status);
        Assert.DoesNotContain("Short lived", afterDelete.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_feed_answers_304_until_a_new_post_carries_the_tag()
    {
        var a = await server.SignUpAsync($"ft_{Guid.NewGuid():N}"[..14], "professional");
        using var h = server.Http(a.Token);
        var tag = "feedtag" + Guid.NewGuid().ToString("N")[..8];
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Morning huddle #{tag}" });
        var path = $"/tags/{tag}.atom";
        var (_, etag, _, _) = await PollAsync(path);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(path, etag)).Status);
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Evening huddle #{tag}" });
        var after = await PollAsync(path, etag);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Contains("Evening huddle", after.Body, StringComparison.Ordinal);
    }
}
