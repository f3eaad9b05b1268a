using System.Net;
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
}
