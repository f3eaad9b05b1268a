using System.Globalization;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Drawbridge.Feeds;

public enum FeedFormat { Rss, Atom }

/// <summary>RSS 2.0 and Atom feeds of accounts, hashtags and articles, and podcast feeds of episodes.</summary>
public sealed class FeedService(TimelineService timelines, AccountService accounts, IOptions<DrawbridgeOptions> options, Listening.ChangeService changes)
{
    private const string ITunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
    private const int Size = 30;

    public async Task<SyndicationFeed?> AccountFeedAsync(string handle, string baseUrl, bool articlesOnly, bool podcast, CancellationToken ct)
    {
        var account = await accounts.FindByHandleAsync(handle, ct);
        if (account is null)
        {
            return null;
        }
        var posts = await timelines.ProfileAsync(account.Id, null, false, articlesOnly || podcast, new PageRequest(Limit: 40), ct);
        posts = posts.Where(p => p.Post.Visibility == Visibility.Public && p.Post.RepostOfId is null && !p.Post.IsDeleted).ToList();
        if (podcast)
        {
            posts = posts.Where(p => p.Post.EnclosureUrl is not null || p.Post.EnclosureMediaId is not null).ToList();
        }
        var name = Clean(account.DisplayName);
        var bio = Clean(account.Bio);
        var title = podcast ? $"{name} (episodes)" : articlesOnly ? $"{name} (articles)" : $"{name} (@{account.Handle})";
        var feed = NewFeed(title, string.IsNullOrWhiteSpace(bio) ? $"Posts by {name} on {options.Value.InstanceName}" : bio,
            new Uri($"{baseUrl}/@{account.Handle}"), $"{baseUrl}/@{account.Handle}", posts.Take(Size), new DateTimeOffset(DateTime.SpecifyKind(account.CreatedAt, DateTimeKind.Utc)));
        feed.Authors.Add(new SyndicationPerson(null, name, $"{baseUrl}/@{account.Handle}"));
        if (podcast)
        {
            feed.AttributeExtensions.Add(new XmlQualifiedName("itunes", "http://www.w3.org/2000/xmlns/"), ITunes);
            feed.ElementExtensions.Add(new XElement(XName.Get("author", ITunes), name));
            feed.ElementExtensions.Add(new XElement(XName.Get("summary", ITunes), bio));
            feed.ElementExtensions.Add(new XElement(XName.Get("explicit", ITunes), "false"));
            feed.ElementExtensions.Add(new XElement(XName.Get("category", ITunes), new XAttribute("text", "Health & Fitness")));
            feed.ElementExtensions.Add(new XElement(XName.Get("owner", ITunes), new XElement(XName.Get("name", ITunes), name)));
            if (account.AvatarMediaId is { } avatar)
            {
                feed.ElementExtensions.Add(new XElement(XName.Get("image", ITunes), new XAttribute("href", $"{baseUrl}/media/{avatar}")));
            }
            feed.Language = "en-gb";
        }
        feed.Items = posts.Take(Size).Select(p => Item(p, baseUrl, podcast)).ToList();
        return feed;
    }

    public async Task<SyndicationFeed> TagFeedAsync(string tag, string baseUrl, CancellationToken ct)
    {
        var key = Clean(tag.TrimStart('#').ToLowerInvariant());
        var posts = await timelines.HashtagAsync(key, null, new PageRequest(Limit: 40), ct);
        var shown = posts.Where(p => p.Post.RepostOfId is null).Take(Size).ToList();
        var feed = NewFeed($"#{key} on {options.Value.InstanceName}", $"Public posts tagged #{key}", new Uri($"{baseUrl}/tags/{Uri.EscapeDataString(key)}"), $"{baseUrl}/tags/{Uri.EscapeDataString(key)}",
            shown, DateTimeOffset.UnixEpoch);
        feed.Items = shown.Select(p => Item(p, baseUrl, false)).ToList();
        return feed;
    }

    /// <summary>
    /// An organisation's "you said, we did": its published changes only, each with what people said and what was done,
    /// as plain text; never the internal note, who drafted it, or the feedback itself.
    /// </summary>
    public async Task<SyndicationFeed?> ChangesFeedAsync(string handle, string baseUrl, CancellationToken ct)
    {
        var organisation = await accounts.FindByHandleAsync(handle, ct);
        if (organisation is not { Kind: AccountKind.Organisation })
        {
            return null;
        }
        var published = await changes.PublishedAsync(organisation.Id, Size, ct);
        var name = Clean(organisation.DisplayName);
        var page = $"{baseUrl}/organisations/{organisation.Handle}/you-said-we-did";
        var feed = new SyndicationFeed($"{name}: you said, we did", $"Changes {name} planned and made because of what people told it", new Uri(page))
        {
            Id = page,
            LastUpdatedTime = published.Select(c => new DateTimeOffset(DateTime.SpecifyKind(c.UpdatedAt, DateTimeKind.Utc))).DefaultIfEmpty(new DateTimeOffset(DateTime.SpecifyKind(organisation.CreatedAt, DateTimeKind.Utc))).Max(),
            Generator = "Drawbridge",
        };
        feed.Authors.Add(new SyndicationPerson(null, name, $"{baseUrl}/@{organisation.Handle}"));
        feed.Items = published.Select(c =>
        {
            var id = c.Id.ToString(CultureInfo.InvariantCulture);
            var status = c.Status == Listening.ChangeStatus.Made ? "Change made" : "Change planned";
            var text = $"{status}{(c.Service is { } s ? " (" + s + ")" : "")}.\n\nYou said: {c.YouSaid}\n\nWe did: {c.WeDid}";
            var item = new SyndicationItem(Clean($"{c.Title} ({status.ToLowerInvariant()})"), new TextSyndicationContent(Clean(text), TextSyndicationContentKind.Plaintext),
                new Uri($"{page}#change-{id}"), $"{page}#change-{id}", new DateTimeOffset(DateTime.SpecifyKind(c.UpdatedAt, DateTimeKind.Utc)))
            {
                PublishDate = new DateTimeOffset(DateTime.SpecifyKind(c.PublishedAt, DateTimeKind.Utc)),
            };
            item.Authors.Add(new SyndicationPerson(null, name, $"{baseUrl}/@{organisation.Handle}"));
            return item;
        }).ToList();
        return feed;
    }

    /// <summary>
    /// A feed whose updated time is its newest entry's (published or edited), or <paramref name="whenEmpty"/>: the same
    /// posts give the same document, byte for byte, so its ETag and Last-Modified change only when what it says does.
    /// </summary>
    private static SyndicationFeed NewFeed(string title, string description, Uri link, string id, IEnumerable<PostView> posts, DateTimeOffset whenEmpty) =>
        new(title, description, link)
        {
            Id = id,
            LastUpdatedTime = posts.Select(p => new DateTimeOffset(DateTime.SpecifyKind(p.Post.EditedAt ?? p.Post.CreatedAt, DateTimeKind.Utc)))
                .DefaultIfEmpty(whenEmpty).Max(),
            Generator = "Drawbridge",
        };

    private static SyndicationItem Item(PostView view, string baseUrl, bool podcast)
    {
        var p = view.Post;
        var url = $"{baseUrl}/@{view.Author.Handle}/{p.Id.ToString(CultureInfo.InvariantCulture)}";
        var plain = Clean(ContentRenderer.PlainText(p.ContentHtml));
        var title = Clean(p.Title) is { Length: > 0 } t ? t : (plain.Length > 80 ? plain[..(char.IsHighSurrogate(plain[79]) ? 79 : 80)].TrimEnd() + "…" : plain);
        var item = new SyndicationItem(title, new TextSyndicationContent(Clean(p.ContentHtml), TextSyndicationContentKind.Html), new Uri(url), url,
            new DateTimeOffset(DateTime.SpecifyKind(p.EditedAt ?? p.CreatedAt, DateTimeKind.Utc)))
        {
            PublishDate = new DateTimeOffset(DateTime.SpecifyKind(p.CreatedAt, DateTimeKind.Utc)),
        };
        item.Authors.Add(new SyndicationPerson(null, Clean(view.Author.DisplayName), $"{baseUrl}/@{view.Author.Handle}"));
        if (p.Summary is { Length: > 0 } summary)
        {
            item.Summary = new TextSyndicationContent(Clean(summary));
        }
        var enclosure = p.EnclosureUrl ?? (p.EnclosureMediaId is { } mid ? $"{baseUrl}/media/{mid.ToString(CultureInfo.InvariantCulture)}" : null);
        if (enclosure is not null)
        {
            item.Links.Add(SyndicationLink.CreateMediaEnclosureLink(new Uri(enclosure), p.EnclosureType ?? "application/octet-stream", p.EnclosureLength ?? 0));
            if (podcast)
            {
                item.ElementExtensions.Add(new XElement(XName.Get("summary", ITunes), Clean(p.Summary) is { Length: > 0 } s ? s : plain));
                item.ElementExtensions.Add(new XElement(XName.Get("explicit", ITunes), "false"));
                item.ElementExtensions.Add(new XElement(XName.Get("episodeType", ITunes), "full"));
            }
        }
        foreach (var tag in ContentRenderer.Hashtags($"{p.Title} {p.Content}"))
        {
            item.Categories.Add(new SyndicationCategory(Clean(tag)));
        }
        return item;
    }

    /// <summary>
    /// The text without the characters XML 1.0 cannot carry (control characters such as U+0000 and U+0007, lone
    /// surrogates, U+FFFE and U+FFFF), which people can put in posts and names and which would stop the feed being written.
    /// </summary>
    internal static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        StringBuilder? kept = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair || (!char.IsSurrogate(c) && XmlConvert.IsXmlChar(c)))
            {
                kept?.Append(c);
                if (pair)
                {
                    // Step over the low half whether or not anything is being copied yet ("kept?.Append(text[++i])"
                    // would skip the increment while nothing is, and then drop the low half as a lone surrogate).
                    i++;
                    kept?.Append(text[i]);
                }
                continue;
            }
            kept ??= new StringBuilder(text, 0, i, text.Length);
        }
        return kept?.ToString() ?? text;
    }

    public static string Write(SyndicationFeed feed, FeedFormat format)
    {
        var sb = new StringBuilder();
        using (var writer = XmlWriter.Create(sb, new XmlWriterSettings { Encoding = Encoding.UTF8, Indent = false }))
        {
            if (format == FeedFormat.Rss)
            {
                new Rss20FeedFormatter(feed, serializeExtensionsAsAtom: false).WriteTo(writer);
            }
            else
            {
                new Atom10FeedFormatter(feed).WriteTo(writer);
            }
        }
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }
}

public static class FeedEndpoints
{
    public static void MapFeeds(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").CacheOutput(PublicPageCache.PolicyName);
        group.MapGet("/@{handle}.rss", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => Account(handle, ctx, feeds, FeedFormat.Rss, false, false, ct));
        group.MapGet("/@{handle}.atom", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => Account(handle, ctx, feeds, FeedFormat.Atom, false, false, ct));
        group.MapGet("/@{handle}/articles.rss", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => Account(handle, ctx, feeds, FeedFormat.Rss, true, false, ct));
        group.MapGet("/@{handle}/articles.atom", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => Account(handle, ctx, feeds, FeedFormat.Atom, true, false, ct));
        group.MapGet("/@{handle}/podcast.rss", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => Account(handle, ctx, feeds, FeedFormat.Rss, true, true, ct));
        group.MapGet("/tags/{tag}.rss", (string tag, HttpContext ctx, FeedService feeds, CancellationToken ct) => Tag(tag, ctx, feeds, FeedFormat.Rss, ct));
        group.MapGet("/tags/{tag}.atom", (string tag, HttpContext ctx, FeedService feeds, CancellationToken ct) => Tag(tag, ctx, feeds, FeedFormat.Atom, ct));
    }

    private static string BaseUrl(HttpContext ctx) =>
        ctx.RequestServices.GetRequiredService<IOptions<DrawbridgeOptions>>().Value.BaseUrl(ctx.Request);

    private static async Task<IResult> Account(string handle, HttpContext ctx, FeedService feeds, FeedFormat format, bool articles, bool podcast, CancellationToken ct)
    {
        var feed = await feeds.AccountFeedAsync(handle, BaseUrl(ctx), articles, podcast, ct);
        return feed is null
            ? TypedResults.Problem($"No account @{handle}", statusCode: 404, title: "Not found")
            : Xml(ctx, feed, format);
    }

    private static async Task<IResult> Tag(string tag, HttpContext ctx, FeedService feeds, FeedFormat format, CancellationToken ct) =>
        Xml(ctx, await feeds.TagFeedAsync(tag, BaseUrl(ctx), ct), format);

    /// <summary>
    /// The feed with an ETag (a hash of the document) and Last-Modified (its newest entry), and 304 Not Modified when
    /// the reader already has it: If-None-Match decides when sent, else If-Modified-Since (RFC 9110, 13.2.2). Visitors
    /// share the document from the public page cache, which answers the same conditional requests from it.
    /// </summary>
    internal static IResult Xml(HttpContext ctx, SyndicationFeed feed, FeedFormat format)
    {
        var xml = FeedService.Write(feed, format);
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(xml)), 0, 16) + "\"");
        var lastModified = feed.LastUpdatedTime == DateTimeOffset.UnixEpoch ? (DateTimeOffset?)null
            : new DateTimeOffset(feed.LastUpdatedTime.UtcTicks - feed.LastUpdatedTime.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var headers = ctx.Response.GetTypedHeaders();
        headers.ETag = etag;
        headers.LastModified = lastModified;
        PublicPageCache.CacheableListing(ctx);
        var request = ctx.Request.GetTypedHeaders();
        var notModified = request.IfNoneMatch is { Count: > 0 } ifNoneMatch
            ? ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false))
            : request.IfModifiedSince is { } since && lastModified is { } modified && modified <= since;
        return notModified
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Text(xml, format == FeedFormat.Rss ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8");
    }
}
