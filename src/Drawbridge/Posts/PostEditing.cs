using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Media;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

/// <summary>
/// Changing what is already written: edits and their history, deletion (by the author or a moderator) and restoring
/// after an appeal, drafts and scheduled posts, and posts held for a moderator.
/// </summary>
public sealed class PostEditing(
    DrawbridgeDb db, Snowflake ids, TimeProvider clock, PostChecks checks, PostPublishing publishing, DomainEvents events, MediaFiles files)
{
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
        PostChecks.ValidateShape(shape, text, await db.Media.CountAsync(m => m.PostId == post.Id, ct), errors);
        if (post.Kind == PostKind.Article && text.Length <= PostChecks.ArticleLimit)
        {
            checks.CheckMarkdown(text, errors);
        }
        string? confirmed = post.SafetyConfirmed;
        if (!errors.Any && post.Status != PostStatus.Draft)
        {
            var findings = checks.Screen(post.Kind, input.Title, input.Summary, text, await db.Media.AnyAsync(m => m.PostId == post.Id && m.Kind == MediaKind.Image, ct));
            PostChecks.RefuseBlocks(findings.Where(f => f.Severity == FindingSeverity.Block), errors);
            confirmed = PostChecks.ConfirmWarnings(findings.Where(f => f.Severity == FindingSeverity.Warn).ToList(), input.ConfirmWarnings, errors) ?? confirmed;
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Post>();
        }
        if (post.Status != PostStatus.Draft)
        {
            await checks.ResolveRemoteMentionsAsync(text, ct);
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
            post.EnclosureType = post.EnclosureMediaId is null ? PostChecks.GuessEnclosureType(post.EnclosureUrl) : post.EnclosureType;
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
        post.ContentHtml = await checks.RenderAsync(post, ct);
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
        post.ContentHtml = await checks.RenderAsync(post, ct);
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
        await publishing.PublishAsync(post, null, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Post>.Ok(post);
    }
}
