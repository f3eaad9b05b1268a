using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;

namespace Drawbridge.Mastodon;

/// <summary>Drawbridge's accounts and posts in Mastodon's shapes, with absolute URLs under the server's public address.</summary>
public sealed partial class MastodonProjection(string baseUrl)
{
    public string BaseUrl { get; } = baseUrl;

    /// <summary>The reader's bookmarks and pins among the posts being shown (null without a reader).</summary>
    public HashSet<long>? Bookmarked { get; init; }

    public HashSet<long>? Pinned { get; init; }

    /// <summary>The reader's active filters, applied as Mastodon does for <see cref="Context"/>.</summary>
    public IReadOnlyList<FilterView> Filters { get; init; } = [];

    public FilterContexts Context { get; init; }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    public MastodonAccount Account(Account a, bool withSource = false, int followRequests = 0)
    {
        var avatar = a.AvatarMediaId is { } m ? $"{BaseUrl}/media/{Id(m)}" : $"{BaseUrl}/img/avatar.png";
        var header = a.HeaderMediaId is { } hm ? $"{BaseUrl}/media/{Id(hm)}" : $"{BaseUrl}/img/header.png";
        var fields = a.ParsedLinks().Select(l => new MastodonField(l.Label, System.Net.WebUtility.HtmlEncode(l.Url), null)).ToList();
        var note = string.IsNullOrEmpty(a.Bio) ? "" : "<p>" + System.Net.WebUtility.HtmlEncode(a.Bio).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>";
        // An account of another server is user@domain, with its own addresses there.
        var url = a.IsLocal ? $"{BaseUrl}/@{a.Handle}" : a.Url ?? a.Uri ?? $"{BaseUrl}/@{a.Acct}";
        return new MastodonAccount(Id(a.Id), a.Handle, a.Acct, url, a.Uri ?? url, a.DisplayName, note, avatar, avatar, header, header,
            a.Locked, fields, [], Bot: false, Group: a.Kind == AccountKind.Organisation, Discoverable: true, Noindex: false, Indexable: true,
            HideCollections: false, a.CreatedAt.Date, LastStatusAt: null, a.PostsCount, a.FollowersCount, a.FollowingCount,
            withSource ? new MastodonSource("public", false, null, a.Bio, a.ParsedLinks().Select(l => new MastodonField(l.Label, l.Url, null)).ToList(), followRequests, true, true, false) : null,
            withSource ? new MastodonRole("-99", "", "", "0", false) : null,
            a.Kind == AccountKind.Member ? null : new DrawbridgeAccountExtension(a.Kind.ToString().ToLowerInvariant(), a.Profession, a.Employer));
    }

    public MastodonMedia Media(MediaAttachment m)
    {
        var url = $"{BaseUrl}/media/{Id(m.Id)}";
        var type = m.ContentType.StartsWith("image/", StringComparison.Ordinal) ? "image"
            : m.ContentType.StartsWith("video/", StringComparison.Ordinal) ? "video"
            : m.ContentType.StartsWith("audio/", StringComparison.Ordinal) ? "audio" : "unknown";
        var size = m.Width is { } w && m.Height is { } h && h > 0
            ? new MastodonMediaSize(w, h, $"{w}x{h}", Math.Round((double)w / h, 4))
            : null;
        return new MastodonMedia(Id(m.Id), type, url, type == "image" ? url : null, null, null, new MastodonMediaMeta(size, size),
            string.IsNullOrEmpty(m.AltText) ? null : m.AltText, null);
    }

    public MastodonStatus Status(PostView v)
    {
        var p = v.Post;
        var reblog = v.RepostOf is { } original ? Status(original) : null;
        var url = p.Local ? $"{BaseUrl}/@{v.Author.Handle}/{Id(p.Id)}" : p.Url ?? p.Uri ?? $"{BaseUrl}/@{v.Author.Acct}/{Id(p.Id)}";
        var visibility = p.Visibility switch
        {
            Visibility.Unlisted => "unlisted",
            Visibility.Followers => "private",
            Visibility.Direct => "direct",
            _ => "public",
        };
        var content = p.Kind == PostKind.Article && p.Title is { Length: > 0 } title
            ? $"<p><strong>{System.Net.WebUtility.HtmlEncode(title)}</strong></p>{p.ContentHtml}"
            : p.ContentHtml;
        return new MastodonStatus(Id(p.Id), p.Uri ?? url, p.CreatedAt, Account(v.Author), reblog is null ? content : "", visibility,
            Sensitive: false, SpoilerText: "", v.Media.Select(Media).ToList(), null, Mentions(v), Tags(p.Content), [],
            p.RepostsCount, p.LikesCount, p.RepliesCount, 0, reblog is null ? url : null,
            p.InReplyToId is { } r ? Id(r) : null, p.InReplyToAuthorId is { } ra ? Id(ra) : null,
            reblog, null, null, null, null, p.EditedAt,
            v.Liked, v.Reposted, false, Bookmarked?.Contains(p.Id) ?? false, Pinned?.Contains(p.Id) ?? false, Filtered(v),
            Extension(p));
    }

    /// <summary>The accounts a status mentions, local ones by handle and others' as <c>user@domain</c>, each with its page.</summary>
    private List<MastodonMention> Mentions(PostView v) =>
        (v.Mentioned ?? []).Select(a => new MastodonMention(Id(a.Id), a.Handle, a.IsLocal ? $"{BaseUrl}/@{a.Handle}" : a.Url ?? a.Uri ?? $"{BaseUrl}/@{a.Acct}", a.Acct)).ToList();

    /// <summary>An article's title and summary, which Mastodon's Status has no keys for.</summary>
    public static DrawbridgeStatusExtension? Extension(Post p) => p.Kind == PostKind.Article ? new DrawbridgeStatusExtension("article", p.Title, p.Summary) : null;

    /// <summary>The reader's filters that match what this status shows ("warn" and "hide" alike).</summary>
    private List<MastodonFilterResult> Filtered(PostView v) =>
        FilterService.Match(Filters, Context, v.Shown.Post).Select(m => new MastodonFilterResult(Filter(m.Filter), m.Keywords, [])).ToList();

    /// <summary>Whether a filter of the reader's hides this status altogether in this context.</summary>
    public bool Hidden(PostView v) => Filters.Count > 0 && FilterService.Match(Filters, Context, v.Shown.Post).Any(m => m.Filter.Filter.Action == FilterAction.Hide);

    public static MastodonFilter Filter(FilterView f)
    {
        var contexts = new List<string>(5);
        foreach (var (flag, name) in FilterContextNames)
        {
            if ((f.Filter.Contexts & flag) != 0)
            {
                contexts.Add(name);
            }
        }
        return new MastodonFilter(Id(f.Filter.Id), f.Filter.Title, contexts, f.Filter.ExpiresAt, f.Filter.Action == FilterAction.Hide ? "hide" : "warn",
            f.Keywords.Select(Keyword).ToList(), []);
    }

    public static MastodonFilterKeyword Keyword(FilterKeyword k) => new(Id(k.Id), k.Keyword, k.WholeWord);

    public static readonly (FilterContexts Flag, string Name)[] FilterContextNames =
        [(FilterContexts.Home, "home"), (FilterContexts.Notifications, "notifications"), (FilterContexts.Public, "public"), (FilterContexts.Thread, "thread"), (FilterContexts.Account, "account")];

    public static MastodonList List(AccountList l) => new(Id(l.Id), l.Title, l.RepliesPolicy switch
    {
        ListReplies.List => "list",
        ListReplies.None => "none",
        _ => "followed",
    }, l.Exclusive);

    public MastodonFullTag Tag(string name, bool? following) =>
        new(name, name, $"{BaseUrl}/tags/{Uri.EscapeDataString(name)}", [], following);

    private IReadOnlyList<MastodonTag> Tags(string text)
    {
        var tags = new List<MastodonTag>();
        foreach (System.Text.RegularExpressions.Match m in HashtagPattern().Matches(text))
        {
            var name = m.Groups[1].Value.ToLowerInvariant();
            if (!tags.Any(t => t.Name == name))
            {
                tags.Add(new MastodonTag(name, $"{BaseUrl}/tags/{Uri.EscapeDataString(name)}"));
            }
        }
        return tags;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\w/])#(\w{1,100})")]
    private static partial System.Text.RegularExpressions.Regex HashtagPattern();

    /// <summary>Drawbridge's notification kinds in Mastodon's words; null for kinds Mastodon has none for (guest comments).</summary>
    public static string? NotificationType(NotificationKind kind) => kind switch
    {
        NotificationKind.Follow => "follow",
        NotificationKind.Reply or NotificationKind.Mention => "mention",
        NotificationKind.Like => "favourite",
        NotificationKind.Repost => "reblog",
        _ => null,
    };

    public MastodonRelationship Relationship(long id, Relationship r, string note = "", bool requestedBy = false) => new(Id(id), r.Following, r.Following, false, null, r.FollowedBy,
        r.Blocking, r.BlockedBy, r.Muting, r.Muting, r.Requested, requestedBy, false, false, note);
}
