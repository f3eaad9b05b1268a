using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

public sealed record PostInput(
    string Text,
    PostKind Kind = PostKind.Note,
    string? Title = null,
    string? Summary = null,
    long? InReplyToId = null,
    Visibility Visibility = Visibility.Public,
    IReadOnlyList<long>? MediaIds = null,
    string? EnclosureUrl = null,
    long? EnclosureMediaId = null,
    DateTime? PublishAt = null,
    bool Draft = false,
    bool ConfirmWarnings = false);

/// <summary>
/// The checks what a person writes must pass before it is saved (shape and limits, Markdown that can be rendered,
/// the safety screen) and its rendering to HTML: shared by publishing and editing, so both apply the same rules.
/// </summary>
public sealed class PostChecks(DrawbridgeDb db, ContentRenderer renderer, ISafetyScreen safety, IRemoteMentionResolver mentions)
{
    public const int NoteLimit = 500;
    public const int ArticleLimit = 100_000;

    internal void CheckMarkdown(string text, ErrorBag errors)
    {
        if (ContentRenderer.TooManyTableBorders(text) is { } borders)
        {
            errors.Add("text", $"A table can have up to {ContentRenderer.MaxTableBordersPerBlock:N0} borders (|) in one block; one here has {borders:N0}. Split it into smaller tables with a blank line between them");
        }
        else if (!renderer.CanRenderMarkdown(text))
        {
            errors.Add("text", ContentRenderer.TooDeeplyNested);
        }
    }

    public static int CountCharacters(string text) => new StringInfo(text).LengthInTextElements;

    internal static void ValidateShape(PostInput input, string text, int mediaCount, ErrorBag errors)
    {
        if (input.Kind == PostKind.Note)
        {
            var length = CountCharacters(text);
            if (length == 0 && mediaCount == 0 && !input.Draft)
            {
                errors.Add("text", "Write something before posting");
            }
            if (length > NoteLimit)
            {
                errors.Add("text", $"A post can be up to {NoteLimit} characters; this one is {length}. Shorten it, or write an article");
            }
            if (input.EnclosureUrl is { Length: > 0 } || input.EnclosureMediaId is not null)
            {
                errors.Add("enclosure", "Only articles can carry an episode file");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(input.Title) && !input.Draft)
            {
                errors.Add("title", "Enter a title for the article");
            }
            if ((input.Title?.Trim().Length ?? 0) > 200)
            {
                errors.Add("title", "Title must be 200 characters or fewer");
            }
            if ((input.Summary?.Trim().Length ?? 0) > 500)
            {
                errors.Add("summary", "Summary must be 500 characters or fewer");
            }
            if (text.Length == 0 && !input.Draft)
            {
                errors.Add("text", "Write the article before publishing");
            }
            if (text.Length > ArticleLimit)
            {
                errors.Add("text", $"An article can be up to {ArticleLimit:N0} characters; this one is {text.Length:N0}");
            }
            if (input.EnclosureUrl is { Length: > 0 } url && !AccountService.IsSafeHttpUrl(url))
            {
                errors.Add("enclosure", "The episode address must be a full web address starting with https://");
            }
            if (input.InReplyToId is not null)
            {
                errors.Add("inReplyToId", "An article can't be a reply; post a reply instead");
            }
        }
        if (!Enum.IsDefined(input.Visibility) || input.Visibility == Visibility.Direct)
        {
            errors.Add("visibility", "Visibility must be public, unlisted or followers");
        }
        if (mediaCount > 4)
        {
            errors.Add("mediaIds", "Attach up to 4 files");
        }
    }

    /// <summary>A block finding stops publication: each is reported against the text with where it is.</summary>
    internal static void RefuseBlocks(IEnumerable<ScreenFinding> blocks, ErrorBag errors)
    {
        foreach (var b in blocks)
        {
            errors.Add("text", $"{b.Message} ({b.Rule}, characters {b.Start + 1}–{b.End})");
        }
    }

    /// <summary>Warn findings need the author's confirmation: the confirmed rule ids to record, or null (and an error when unconfirmed).</summary>
    internal static string? ConfirmWarnings(IReadOnlyList<ScreenFinding> warns, bool confirmed, ErrorBag errors)
    {
        if (warns.Count == 0)
        {
            return null;
        }
        if (!confirmed)
        {
            errors.Add("confirmWarnings", "Check these before publishing, then confirm: " + string.Join("; ", warns.Select(w => w.Message)));
            return null;
        }
        return string.Join(",", warns.Select(w => w.Rule).Distinct());
    }

    public IReadOnlyList<ScreenFinding> Screen(PostKind kind, string? title, string? summary, string text, bool hasImages)
    {
        // Title and summary are screened too: they are public, and often shown alone in feeds.
        if (kind == PostKind.Article && (!string.IsNullOrWhiteSpace(title) || !string.IsNullOrWhiteSpace(summary)))
        {
            var head = $"{title}\n{summary}\n";
            return safety.Screen(head + text, hasImages)
                .Select(f => f.Start >= head.Length ? f with { Start = f.Start - head.Length, End = f.End - head.Length } : f)
                .ToList();
        }
        return safety.Screen(text, hasImages);
    }

    internal static string? GuessEnclosureType(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        var path = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.AbsolutePath : url;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".mp3" => "audio/mpeg",
            ".m4a" => "audio/mp4",
            ".ogg" or ".oga" => "audio/ogg",
            ".opus" => "audio/opus",
            ".wav" => "audio/wav",
            ".mp4" or ".m4v" => "video/mp4",
            ".webm" => "video/webm",
            _ => "application/octet-stream",
        };
    }

    internal async Task<string> RenderAsync(Post post, CancellationToken ct)
    {
        if (post.Kind == PostKind.Article)
        {
            return renderer.RenderMarkdown(post.Content);
        }
        var handles = ContentRenderer.Mentions(post.Content);
        var known = handles.Count == 0
            ? []
            : await db.Accounts.Where(a => handles.Contains(a.HandleKey) && a.Domain == null).Select(a => a.HandleKey).ToListAsync(ct);
        var knownSet = known.ToHashSet();
        var remote = await RemoteMentionedAsync(post.Content, ct);
        return renderer.RenderNote(post.Content, h =>
            h.Contains('@', StringComparison.Ordinal)
                ? remote.TryGetValue(h.ToLowerInvariant(), out var a) ? $"/@{a.Handle}@{a.Domain}" : null
                : knownSet.Contains(h.ToLowerInvariant()) ? $"/@{h}" : null);
    }

    /// <summary>
    /// Looks up, on their servers, the accounts the text names as <c>@user@domain</c> and stores them, so that rendering
    /// and publishing (inside their transactions, where nothing waits on the network) find them here. Bounded in time.
    /// </summary>
    internal async Task ResolveRemoteMentionsAsync(string text, CancellationToken ct)
    {
        var accts = ContentRenderer.RemoteMentions(text);
        if (accts.Count > 0)
        {
            await mentions.ResolveAsync(accts, ct);
        }
    }

    /// <summary>The stored accounts of other servers the text names as <c>@user@domain</c>, by <c>user@domain</c> in lower case.</summary>
    internal async Task<Dictionary<string, Account>> RemoteMentionedAsync(string text, CancellationToken ct)
    {
        var accts = ContentRenderer.RemoteMentions(text);
        if (accts.Count == 0)
        {
            return [];
        }
        var users = accts.Select(a => a[..a.IndexOf('@', StringComparison.Ordinal)]).Distinct().ToList();
        var domains = accts.Select(a => a[(a.IndexOf('@', StringComparison.Ordinal) + 1)..]).Distinct().ToList();
        var candidates = await db.Accounts.AsNoTracking()
            .Where(a => a.Domain != null && a.Uri != null && users.Contains(a.HandleKey) && domains.Contains(a.Domain)).ToListAsync(ct);
        var wanted = accts.ToHashSet(StringComparer.Ordinal);
        return candidates.Where(a => wanted.Contains($"{a.HandleKey}@{a.Domain}")).ToDictionary(a => $"{a.HandleKey}@{a.Domain}", StringComparer.Ordinal);
    }
}
