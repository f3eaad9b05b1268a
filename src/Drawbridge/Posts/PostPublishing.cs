using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Jobs;
using Drawbridge.Media;
using Drawbridge.Web;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

/// <summary>Publishing: a new post (now, scheduled or as a draft), a draft made public, and what going public sets off.</summary>
public sealed class PostPublishing(
    DrawbridgeDb db, Snowflake ids, TimeProvider clock, PostChecks checks, JobQueue jobs, DomainEvents events, DrawbridgeMetrics metrics)
{
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
        PostChecks.ValidateShape(input, text, mediaIds.Count, errors);
        // Rendered only within the limits: hostile Markdown beyond them could take a long time to be refused.
        if (input.Kind == PostKind.Article && text.Length <= PostChecks.ArticleLimit)
        {
            checks.CheckMarkdown(text, errors);
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
            var findings = checks.Screen(input.Kind, input.Title, input.Summary, text, media.Any(m => m.Kind == MediaKind.Image));
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
                    PostChecks.RefuseBlocks(blocks, errors);
                }
            }
            if (heldReason is null)
            {
                confirmed = PostChecks.ConfirmWarnings(warns, input.ConfirmWarnings, errors) ?? confirmed;
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
            EnclosureType = enclosure?.ContentType ?? PostChecks.GuessEnclosureType(input.EnclosureUrl),
            EnclosureLength = enclosure?.Size,
            SafetyConfirmed = confirmed,
            SafetyConfirmedAt = confirmed is null ? null : now,
            HeldReason = heldReason,
        };
        post.ConversationId = parent?.ConversationId ?? post.Id;
        if (status != PostStatus.Draft)
        {
            await checks.ResolveRemoteMentionsAsync(text, ct);
        }
        post.ContentHtml = await checks.RenderAsync(post, ct);

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

    /// <summary>What the safety check finds in a post before it is published.</summary>
    public IReadOnlyList<ScreenFinding> Screen(PostKind kind, string? title, string? summary, string text, bool hasImages) =>
        checks.Screen(kind, title, summary, text, hasImages);

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
        // Accounts of other servers are mentioned too (federation addresses and delivers to them); the event's list
        // stays this server's accounts, the ones notified here.
        foreach (var remote in (await checks.RemoteMentionedAsync(post.Content, ct)).Values.DistinctBy(a => a.Id))
        {
            db.PostMentions.Add(new PostMention { PostId = post.Id, AccountId = remote.Id });
        }
        // Timelines, notifications and search follow from the event (FanOutOnPublish, NotificationHandlers, SearchIndexing).
        await events.RaiseAsync(db, new PostPublished(post.Id, post.AuthorId, post.Visibility, post.ConversationId, parent?.Id, parent?.AuthorId, mentioned), ct);
        metrics.PostsPublished.Add(1);
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
}
