using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Jobs;
using Drawbridge.Media;
using Drawbridge.Search;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Drawbridge.Web;
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

public sealed class PostService(
    DrawbridgeDb db, Snowflake ids, TimeProvider clock, ContentRenderer renderer, ISafetyScreen safety,
    JobQueue jobs, DomainEvents events, DrawbridgeMetrics metrics, MediaFiles files)
{
    public const int NoteLimit = 500;
    public const int ArticleLimit = 100_000;

    private void CheckMarkdown(string text, ErrorBag errors)
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

    /// <summary>Creates a post: published now, scheduled, or saved as a draft.</summary>
    public async Task<Outcome<Post>> CreateAsync(long authorId, PostInput input, CancellationToken ct)
    {
        var author = await db.Accounts.FirstOrDefaultAsync(a => a.Id == authorId, ct);
        if (author is null || author.DeletionRequestedAt is not null)
        {
            return Outcome<Post>.Forbidden("This account can't post");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new ErrorBag();
        var text = (input.Text ?? "").Trim();
        var mediaIds = input.MediaIds ?? [];
        ValidateShape(input, text, mediaIds.Count, errors);
        // Rendered only within the limits: hostile Markdown beyond them could take a long time to be refused.
        if (input.Kind == PostKind.Article && text.Length <= ArticleLimit)
        {
            CheckMarkdown(text, errors);
        }

        Post? parent = null;
        if (input.InReplyToId is { } parentId)
        {
            parent = await db.Posts.FirstOrDefaultAsync(p => p.Id == parentId, ct);
            if (parent is null || parent.Status != PostStatus.Published || parent.IsDeleted)
            {
                errors.Add("inReplyToId", "The post you are replying to no longer exists");
            }
            else if (await PostAccess.RefuseInteractionAsync(db, authorId, parent, ct) is { } refused)
            {
                errors.Add("inReplyToId", refused.Failure == OutcomeFailure.NotFound ? "The post you are replying to no longer exists" : "You can't reply to this account");
            }
            else if (await RepliesRefusedAsync(authorId, parent, ct) is { } closed)
            {
                errors.Add("inReplyToId", closed);
            }
        }

        var media = mediaIds.Count == 0 ? [] : await db.Media.Where(m => mediaIds.Contains(m.Id)).ToListAsync(ct);
        if (media.Count != mediaIds.Distinct().Count() || media.Any(m => m.OwnerId != authorId || m.PostId is not null))
        {
            errors.Add("mediaIds", "One of the attached files can't be found; upload it again");
        }
        if (media.Any(m => m.Kind == MediaKind.Image && string.IsNullOrWhiteSpace(m.AltText)))
        {
            errors.Add("mediaIds", "Every image needs a description (alt text) for people who can't see it");
        }
        MediaAttachment? enclosure = null;
        if (input.EnclosureMediaId is { } encId)
        {
            enclosure = await db.Media.FirstOrDefaultAsync(m => m.Id == encId && m.OwnerId == authorId, ct);
            if (enclosure is null || enclosure.Kind == MediaKind.Image)
            {
                errors.Add("enclosure", "The episode file can't be found; upload an audio or video file again");
            }
        }

        var status = input.Draft ? PostStatus.Draft : PostStatus.Published;
        if (!input.Draft && input.PublishAt is { } at)
        {
            var when = DateTime.SpecifyKind(at, DateTimeKind.Utc);
            if (when <= now.AddMinutes(1))
            {
                errors.Add("publishAt", "A scheduled time must be in the future");
            }
            else if (when > now.AddYears(1))
            {
                errors.Add("publishAt", "A post can be scheduled up to a year ahead");
            }
            status = PostStatus.Scheduled;
        }

        string? confirmed = null;
        string? heldReason = null;
        if (!input.Draft && !errors.Any)
        {
            var findings = Screen(input.Kind, input.Title, input.Summary, text, media.Any(m => m.Kind == MediaKind.Image));
            var blocks = findings.Where(f => f.Severity == FindingSeverity.Block).ToList();
            var warns = findings.Where(f => f.Severity == FindingSeverity.Warn).ToList();
            var identifiers = blocks.Where(b => b.IsIdentifier).ToList();
            if (blocks.Count > 0)
            {
                // Members of the public sometimes post their own identifiers when asking for help: hold the
                // reply privately rather than refuse it, and tell them why. Professionals must change the text.
                if (author.Kind == AccountKind.Member && parent is not null && identifiers.Count == blocks.Count)
                {
                    heldReason = "Held privately: it looks like it contains personal identifiers (" +
                                 string.Join(", ", blocks.Select(b => b.Rule).Distinct()) +
                                 "). A moderator will check it; please don't post your NHS number or similar details in public.";
                }
                else
                {
                    RefuseBlocks(blocks, errors);
                }
            }
            if (heldReason is null)
            {
                confirmed = ConfirmWarnings(warns, input.ConfirmWarnings, errors) ?? confirmed;
            }
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Post>();
        }
        if (heldReason is null && status == PostStatus.Published && author.LimitedAt is not null)
        {
            heldReason = "Held for a moderator: your account is limited, so new posts are checked before they appear. See Moderation decisions (/appeals).";
        }
        if (heldReason is not null)
        {
            status = PostStatus.Held;
        }

        var visibility = parent is not null && parent.Visibility >= Visibility.Followers && input.Visibility < Visibility.Followers ? Visibility.Followers : input.Visibility;
        var post = new Post
        {
            Id = ids.Next(),
            AuthorId = authorId,
            Kind = input.Kind,
            Content = text,
            Title = input.Kind == PostKind.Article ? input.Title?.Trim() : null,
            Summary = input.Kind == PostKind.Article ? input.Summary?.Trim() : null,
            InReplyToId = parent?.Id,
            InReplyToAuthorId = parent?.AuthorId,
            Visibility = visibility,
            Status = status,
            CreatedAt = now,
            PublishAt = status == PostStatus.Scheduled ? DateTime.SpecifyKind(input.PublishAt!.Value, DateTimeKind.Utc) : null,
            EnclosureUrl = input.Kind == PostKind.Article ? input.EnclosureUrl?.Trim() is { Length: > 0 } u ? u : null : null,
            EnclosureMediaId = enclosure?.Id,
            EnclosureType = enclosure?.ContentType ?? GuessEnclosureType(input.EnclosureUrl),
            EnclosureLength = enclosure?.Size,
            SafetyConfirmed = confirmed,
            SafetyConfirmedAt = confirmed is null ? null : now,
            HeldReason = heldReason,
        };
        post.ConversationId = parent?.ConversationId ?? post.Id;
        post.ContentHtml = await RenderAsync(post, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Posts.Add(post);
        foreach (var m in media)
        {
            m.PostId = post.Id;
        }
        if (status == PostStatus.Published)
        {
            await PublishAsync(post, parent, ct);
        }
        else if (status == PostStatus.Scheduled)
        {
            jobs.Enqueue(db, new PublishScheduled(post.Id), post.PublishAt);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Post>.Ok(post);
    }

    private static void ValidateShape(PostInput input, string text, int mediaCount, ErrorBag errors)
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
    private static void RefuseBlocks(IEnumerable<ScreenFinding> blocks, ErrorBag errors)
    {
        foreach (var b in blocks)
        {
            errors.Add("text", $"{b.Message} ({b.Rule}, characters {b.Start + 1}–{b.End})");
        }
    }

    /// <summary>Warn findings need the author's confirmation: the confirmed rule ids to record, or null (and an error when unconfirmed).</summary>
    private static string? ConfirmWarnings(IReadOnlyList<ScreenFinding> warns, bool confirmed, ErrorBag errors)
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

    private static string? GuessEnclosureType(string? url)
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

    private async Task<string> RenderAsync(Post post, CancellationToken ct)
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
        return renderer.RenderNote(post.Content, h => knownSet.Contains(h.ToLowerInvariant()) ? $"/@{h}" : null);
    }

    /// <summary>The side effects of a post going public: counts, tags, mentions, notifications, search, timelines.</summary>
    internal async Task PublishAsync(Post post, Post? parent, CancellationToken ct)
    {
        post.Status = PostStatus.Published;
        var now = clock.GetUtcNow().UtcDateTime;
        if (post.PublishAt is not null)
        {
            post.CreatedAt = now;
        }
        await db.Accounts.Where(a => a.Id == post.AuthorId).ExecuteUpdateAsync(s => s.SetProperty(a => a.PostsCount, a => a.PostsCount + 1), ct);
        if (parent is null && post.InReplyToId is { } parentId)
        {
            parent = await db.Posts.FirstOrDefaultAsync(p => p.Id == parentId, ct);
        }
        if (parent is not null)
        {
            await db.Posts.Where(p => p.Id == parent.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepliesCount, p => p.RepliesCount + 1), ct);
        }
        var searchable = $"{post.Title} {post.Summary} {post.Content}";
        foreach (var tag in ContentRenderer.Hashtags(searchable))
        {
            db.PostTags.Add(new PostTag { PostId = post.Id, Tag = tag });
        }
        var handles = ContentRenderer.Mentions(post.Content);
        List<long> mentioned = handles.Count == 0
            ? []
            : await db.Accounts.Where(a => handles.Contains(a.HandleKey) && a.Domain == null).Select(a => a.Id).ToListAsync(ct);
        foreach (var id in mentioned)
        {
            db.PostMentions.Add(new PostMention { PostId = post.Id, AccountId = id });
        }
        // Timelines, notifications and search follow from the event (FanOutOnPublish, NotificationHandlers, SearchIndexing).
        await events.RaiseAsync(db, new PostPublished(post.Id, post.AuthorId, post.Visibility, post.ConversationId, parent?.Id, parent?.AuthorId, mentioned), ct);
        metrics.PostsPublished.Add(1);
    }

    public async Task<Outcome<Post>> EditAsync(long editorId, long postId, PostInput input, CancellationToken ct)
    {
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || post.IsDeleted)
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        if (post.AuthorId != editorId)
        {
            return Outcome<Post>.Forbidden("You can only edit your own posts");
        }
        var text = (input.Text ?? "").Trim();
        var errors = new ErrorBag();
        var shape = input with { Kind = post.Kind, InReplyToId = null, Draft = post.Status == PostStatus.Draft };
        ValidateShape(shape, text, await db.Media.CountAsync(m => m.PostId == post.Id, ct), errors);
        if (post.Kind == PostKind.Article && text.Length <= ArticleLimit)
        {
            CheckMarkdown(text, errors);
        }
        string? confirmed = post.SafetyConfirmed;
        if (!errors.Any && post.Status != PostStatus.Draft)
        {
            var findings = Screen(post.Kind, input.Title, input.Summary, text, await db.Media.AnyAsync(m => m.PostId == post.Id && m.Kind == MediaKind.Image, ct));
            RefuseBlocks(findings.Where(f => f.Severity == FindingSeverity.Block), errors);
            confirmed = ConfirmWarnings(findings.Where(f => f.Severity == FindingSeverity.Warn).ToList(), input.ConfirmWarnings, errors) ?? confirmed;
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Post>();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (post.Status == PostStatus.Published)
        {
            // Public edit history: keep the version being replaced.
            var version = await db.PostEdits.CountAsync(e => e.PostId == post.Id, ct) + 1;
            db.PostEdits.Add(new PostEdit { Id = ids.Next(), PostId = post.Id, Version = version, Content = post.Content, Title = post.Title, Summary = post.Summary, EditedAt = post.EditedAt ?? post.CreatedAt });
            post.EditedAt = now;
        }
        post.Content = text;
        if (post.Kind == PostKind.Article)
        {
            post.Title = input.Title?.Trim();
            post.Summary = input.Summary?.Trim();
            post.EnclosureUrl = string.IsNullOrWhiteSpace(input.EnclosureUrl) ? post.EnclosureUrl : input.EnclosureUrl.Trim();
            post.EnclosureType = post.EnclosureMediaId is null ? GuessEnclosureType(post.EnclosureUrl) : post.EnclosureType;
        }
        if (confirmed != post.SafetyConfirmed)
        {
            post.SafetyConfirmed = confirmed;
            post.SafetyConfirmedAt = now;
        }
        if (post.Status != PostStatus.Published)
        {
            post.Visibility = input.Visibility;
        }
        post.ContentHtml = await RenderAsync(post, ct);
        if (post.Status == PostStatus.Published)
        {
            await db.PostTags.Where(t => t.PostId == post.Id).ExecuteDeleteAsync(ct);
            foreach (var tag in ContentRenderer.Hashtags($"{post.Title} {post.Summary} {post.Content}"))
            {
                db.PostTags.Add(new PostTag { PostId = post.Id, Tag = tag });
            }
        }
        await events.RaiseAsync(db, new PostEdited(post.Id, post.AuthorId, post.ConversationId, post.Status == PostStatus.Published), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Post>.Ok(post);
    }

    /// <summary>Publishes a draft now (or at its scheduled time).</summary>
    public async Task<Outcome<Post>> PublishDraftAsync(long authorId, long postId, bool confirmWarnings, DateTime? publishAt, CancellationToken ct)
    {
        var draft = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId && p.AuthorId == authorId && p.Status == PostStatus.Draft, ct);
        if (draft is null)
        {
            return Outcome<Post>.NotFound("Draft not found");
        }
        var mediaIds = await db.Media.Where(m => m.PostId == postId).Select(m => m.Id).ToListAsync(ct);
        // Re-create through the one publishing path so every check applies; the draft goes once that succeeds.
        await db.Media.Where(m => m.PostId == postId).ExecuteUpdateAsync(s => s.SetProperty(m => m.PostId, (long?)null), ct);
        var created = await CreateAsync(authorId, new PostInput(draft.Content, draft.Kind, draft.Title, draft.Summary, draft.InReplyToId, draft.Visibility, mediaIds, draft.EnclosureUrl, draft.EnclosureMediaId, publishAt, false, confirmWarnings), ct);
        if (!created.Succeeded)
        {
            await db.Media.Where(m => mediaIds.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.PostId, postId), ct);
            return created;
        }
        await db.Posts.Where(p => p.Id == postId).ExecuteDeleteAsync(ct);
        return created;
    }

    /// <summary>
    /// Why the author of <paramref name="parent"/> takes no reply from <paramref name="replierId"/>, or null when they
    /// do: an account may take replies from everyone, its followers only, or no one, and says why on its page.
    /// </summary>
    private async Task<string?> RepliesRefusedAsync(long replierId, Post parent, CancellationToken ct)
    {
        if (parent.AuthorId == replierId)
        {
            return null;
        }
        var owner = await db.Accounts.AsNoTracking().Where(a => a.Id == parent.AuthorId)
            .Select(a => new { a.Handle, a.ReplyPolicy, a.ReplyPolicyReason }).FirstOrDefaultAsync(ct);
        if (owner is null || owner.ReplyPolicy == ReplyPolicy.Everyone)
        {
            return null;
        }
        if (owner.ReplyPolicy == ReplyPolicy.Followers
            && await db.Follows.AnyAsync(f => f.FollowerId == replierId && f.FolloweeId == parent.AuthorId && f.State == Social.FollowState.Accepted, ct))
        {
            return null;
        }
        var why = string.IsNullOrWhiteSpace(owner.ReplyPolicyReason) ? "" : $" ({owner.ReplyPolicyReason})";
        return owner.ReplyPolicy == ReplyPolicy.Followers
            ? $"@{owner.Handle} takes replies from their followers only{why}"
            : $"@{owner.Handle} isn't taking replies at the moment{why}";
    }

    /// <summary>A moderator removes a post under a rule: a tombstone that says so, through the same path as a deletion.</summary>
    public Task<Outcome<Post>> RemoveAsModeratorAsync(long moderatorId, long postId, int ruleId, CancellationToken ct) =>
        DeleteAsync(moderatorId, postId, asModerator: true, ct, ruleId);

    /// <summary>
    /// Puts back a post a moderator removed, when an appeal reverses the decision: its words (kept with the decision),
    /// counts and tags. Timelines it had been fanned out to are not refilled; it is on the profile and in its thread.
    /// </summary>
    public async Task RestoreAsync(long postId, string content, string? title, string? summary, CancellationToken ct)
    {
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Id == postId && p.DeletedAt != null && p.RemovedByModerator, ct);
        if (post is null)
        {
            return;
        }
        post.Content = content;
        post.Title = title;
        post.Summary = summary;
        post.ContentHtml = await RenderAsync(post, ct);
        post.DeletedAt = null;
        post.RemovedByModerator = false;
        post.RemovalRuleId = null;
        foreach (var tag in ContentRenderer.Hashtags($"{post.Title} {post.Summary} {post.Content}"))
        {
            db.PostTags.Add(new PostTag { PostId = post.Id, Tag = tag });
        }
        if (post.Status == PostStatus.Published)
        {
            await db.Accounts.Where(a => a.Id == post.AuthorId).ExecuteUpdateAsync(s => s.SetProperty(a => a.PostsCount, a => a.PostsCount + 1), ct);
            if (post.InReplyToId is { } parentId)
            {
                await db.Posts.Where(p => p.Id == parentId).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepliesCount, p => p.RepliesCount + 1), ct);
            }
        }
        await events.RaiseAsync(db, new PostEdited(post.Id, post.AuthorId, post.ConversationId, post.Status == PostStatus.Published), ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Removes the files a moderator's removal kept (attachments and the episode's file), when the decision stands or
    /// can no longer be appealed; returns how many. Nothing for a post that is not a moderator's tombstone.
    /// </summary>
    public async Task<int> PurgeKeptFilesAsync(long postId, CancellationToken ct)
    {
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Id == postId && p.DeletedAt != null && p.RemovedByModerator, ct);
        if (post is null)
        {
            return 0;
        }
        var enclosureId = post.EnclosureMediaId;
        var kept = db.Media.Where(m => m.PostId == postId || (enclosureId != null && m.Id == enclosureId && m.OwnerId == post.AuthorId));
        var storedNames = await kept.Select(m => m.StoredName).ToListAsync(ct);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            post.EnclosureMediaId = null;
            await kept.ExecuteDeleteAsync(ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        files.Delete(storedNames);
        return storedNames.Count;
    }

    /// <summary>Deletes a post, leaving a tombstone so replies keep their place in the thread.</summary>
    public Task<Outcome<Post>> DeleteAsync(long actorId, long postId, bool asModerator, CancellationToken ct) =>
        DeleteAsync(actorId, postId, asModerator, ct, null);

    private async Task<Outcome<Post>> DeleteAsync(long actorId, long postId, bool asModerator, CancellationToken ct, int? ruleId)
    {
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || post.IsDeleted)
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        if (post.AuthorId != actorId && !asModerator)
        {
            return Outcome<Post>.Forbidden("You can only delete your own posts");
        }
        // A moderator's removal runs inside the transaction that records the decision.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var wasPublished = post.Status == PostStatus.Published;
        if (post.Status is PostStatus.Draft or PostStatus.Scheduled || (post.RepostOfId is not null))
        {
            db.Posts.Remove(post);
        }
        else
        {
            post.DeletedAt = clock.GetUtcNow().UtcDateTime;
            post.Content = "";
            post.ContentHtml = "";
            post.Title = null;
            post.Summary = null;
            post.RemovedByModerator = asModerator && post.AuthorId != actorId;
            post.RemovalRuleId = post.RemovedByModerator ? ruleId : null;
        }
        await db.PostTags.Where(t => t.PostId == postId).ExecuteDeleteAsync(ct);
        await db.HomeFeed.Where(h => h.PostId == postId).ExecuteDeleteAsync(ct);
        await db.PostEdits.Where(e => e.PostId == postId).ExecuteDeleteAsync(ct);
        // The post's files (attachments, and its episode's file) go with it: their rows now, the files once committed.
        // A moderator's removal keeps them, out of sight, until the appeal is decided or can no longer be made
        // (PurgeKeptFilesAsync), so an appeal that succeeds brings the post back whole.
        List<string> storedNames = [];
        if (!post.RemovedByModerator)
        {
            var enclosureId = post.EnclosureMediaId;
            var ownFiles = db.Media.Where(m => m.PostId == postId || (enclosureId != null && m.Id == enclosureId && m.OwnerId == post.AuthorId));
            storedNames = await ownFiles.Select(m => m.StoredName).ToListAsync(ct);
            post.EnclosureMediaId = null;
            await ownFiles.ExecuteDeleteAsync(ct);
        }
        if (wasPublished)
        {
            await db.Accounts.Where(a => a.Id == post.AuthorId).ExecuteUpdateAsync(s => s.SetProperty(a => a.PostsCount, a => a.PostsCount - 1), ct);
            if (post.InReplyToId is { } parentId)
            {
                await db.Posts.Where(p => p.Id == parentId).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepliesCount, p => p.RepliesCount - 1), ct);
            }
            if (post.RepostOfId is { } original)
            {
                await db.Posts.Where(p => p.Id == original).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepostsCount, p => p.RepostsCount - 1), ct);
            }
        }
        long? repostOfConversation = post.RepostOfId is { } reposted
            ? await db.Posts.Where(p => p.Id == reposted).Select(p => (long?)p.ConversationId).FirstOrDefaultAsync(ct)
            : null;
        await events.RaiseAsync(db, new PostDeleted(postId, post.AuthorId, post.ConversationId, wasPublished, post.InReplyToId, post.RepostOfId, repostOfConversation), ct);
        await db.SaveChangesAsync(ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
        files.Delete(storedNames);
        return Outcome<Post>.Ok(post);
    }

    public async Task<Outcome<Post>> LikeAsync(long accountId, long postId, bool like, CancellationToken ct)
    {
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId && p.Status == PostStatus.Published && p.DeletedAt == null, ct);
        if (post is null)
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        if (like && await PostAccess.RefuseInteractionAsync(db, accountId, post, ct) is { } refused)
        {
            return refused;
        }
        var exists = await db.Likes.AnyAsync(l => l.AccountId == accountId && l.PostId == postId, ct);
        if (like == exists)
        {
            return Outcome<Post>.Ok(post);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (like)
        {
            db.Likes.Add(new Like { AccountId = accountId, PostId = postId, CreatedAt = clock.GetUtcNow().UtcDateTime });
            await db.Posts.Where(p => p.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(p => p.LikesCount, p => p.LikesCount + 1), ct);
            await events.RaiseAsync(db, new PostLiked(accountId, postId, post.AuthorId, post.ConversationId), ct);
        }
        else
        {
            await db.Likes.Where(l => l.AccountId == accountId && l.PostId == postId).ExecuteDeleteAsync(ct);
            await db.Posts.Where(p => p.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(p => p.LikesCount, p => p.LikesCount - 1), ct);
            await events.RaiseAsync(db, new PostUnliked(accountId, postId, post.AuthorId, post.ConversationId), ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Post>.Ok(post);
    }

    /// <summary>A repost is a post of its own that points at the original, so it flows through timelines the same way.</summary>
    public async Task<Outcome<Post>> RepostAsync(long accountId, long postId, bool repost, CancellationToken ct)
    {
        var original = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId && p.Status == PostStatus.Published && p.DeletedAt == null, ct);
        if (original is null)
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        if (repost && await PostAccess.RefuseInteractionAsync(db, accountId, original, ct) is { } refused)
        {
            return refused;
        }
        if (original.RepostOfId is not null)
        {
            return Outcome<Post>.Invalid("postId", "Repost the original post, not a repost");
        }
        if (original.Visibility >= Visibility.Followers)
        {
            return Outcome<Post>.Invalid("postId", "Followers-only posts can't be reposted");
        }
        var existing = await db.Posts.FirstOrDefaultAsync(p => p.AuthorId == accountId && p.RepostOfId == postId, ct);
        if (repost && existing is null)
        {
            var post = new Post
            {
                Id = ids.Next(),
                AuthorId = accountId,
                RepostOfId = postId,
                Visibility = Visibility.Public,
                Status = PostStatus.Published,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            post.ConversationId = post.Id;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Posts.Add(post);
            await events.RaiseAsync(db, new PostReposted(accountId, post.Id, postId, original.AuthorId, original.ConversationId), ct);
            await db.SaveChangesAsync(ct);
            await db.Posts.Where(p => p.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepostsCount, p => p.RepostsCount + 1), ct);
            await tx.CommitAsync(ct);
            return Outcome<Post>.Ok(post);
        }
        if (!repost && existing is not null)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.HomeFeed.Where(h => h.PostId == existing.Id).ExecuteDeleteAsync(ct);
            db.Posts.Remove(existing);
            await db.SaveChangesAsync(ct);
            await db.Posts.Where(p => p.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepostsCount, p => p.RepostsCount - 1), ct);
            await events.RaiseAsync(db, new PostUnreposted(accountId, existing.Id, postId, original.AuthorId, original.ConversationId), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return Outcome<Post>.Ok(original);
    }

    public Task<List<PostEdit>> HistoryAsync(long postId, CancellationToken ct) =>
        db.PostEdits.AsNoTracking().Where(e => e.PostId == postId).OrderBy(e => e.Version).ToListAsync(ct);

    public Task<List<Post>> DraftsAsync(long authorId, CancellationToken ct) =>
        db.Posts.AsNoTracking().Where(p => p.AuthorId == authorId && (p.Status == PostStatus.Draft || p.Status == PostStatus.Scheduled))
            .OrderByDescending(p => p.Id).ToListAsync(ct);

    /// <summary>Posts held from public view for a moderator, oldest first.</summary>
    public Task<List<Post>> HeldAsync(int take, CancellationToken ct) =>
        db.Posts.AsNoTracking().Where(p => p.Status == PostStatus.Held && p.DeletedAt == null).OrderBy(p => p.Id).Take(take).ToListAsync(ct);

    /// <summary>A moderator lets a held post through: it is published as if it had just been posted.</summary>
    public async Task<Outcome<Post>> ReleaseHeldAsync(long postId, CancellationToken ct)
    {
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Id == postId && p.Status == PostStatus.Held && p.DeletedAt == null, ct);
        if (post is null)
        {
            return Outcome<Post>.NotFound("Held post not found");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        post.HeldReason = null;
        await PublishAsync(post, null, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Post>.Ok(post);
    }
}
