using Drawbridge.Data;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

public sealed record GuestCommentInput(string Name, string Email, string Text, string? Website);

/// <summary>
/// Comments from people without an account, as on a blog: held for the author's approval unless the author
/// trusts the commenter; a hidden honeypot field and rate limits keep bots out; identifiers are held privately.
/// </summary>
public sealed class GuestCommentService(DrawbridgeDb db, Snowflake ids, TimeProvider clock, ISafetyScreen safety, NotificationService notifications,
    Web.PublicPageCache pages, Events.DomainEvents events)
{
    public async Task<Outcome<GuestComment>> AddAsync(long articleId, GuestCommentInput input, CancellationToken ct)
    {
        var article = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == articleId && p.Kind == PostKind.Article && p.Status == PostStatus.Published && p.DeletedAt == null && p.Visibility != Visibility.Followers, ct);
        if (article is null)
        {
            return Outcome<GuestComment>.NotFound("Article not found");
        }
        // Bots fill every field; people never see this one.
        if (!string.IsNullOrEmpty(input.Website))
        {
            return Outcome<GuestComment>.Invalid("", "Your comment could not be accepted");
        }
        var errors = new ErrorBag();
        var name = input.Name?.Trim() ?? "";
        var text = input.Text?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            errors.Add("name", "Enter your name (up to 100 characters)");
        }
        if (!Accounts.AccountService.IsEmail(input.Email))
        {
            errors.Add("email", "Enter an email address in the correct format, like name@example.com");
        }
        if (text.Length == 0)
        {
            errors.Add("text", "Enter your comment");
        }
        else if (text.Length > 5000)
        {
            errors.Add("text", "A comment can be up to 5,000 characters");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<GuestComment>();
        }
        var emailKey = input.Email.Trim().ToLowerInvariant();
        var trusted = await db.TrustedCommenters.AnyAsync(t => t.AuthorId == article.AuthorId && t.EmailKey == emailKey, ct);
        var blocks = safety.Screen(text, false).Where(f => f.Severity == FindingSeverity.Block && f.IsIdentifier).ToList();
        var comment = new GuestComment
        {
            Id = ids.Next(),
            ArticleId = articleId,
            Name = name,
            Email = input.Email.Trim(),
            EmailKey = emailKey,
            Content = text,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            Status = blocks.Count > 0 ? GuestCommentStatus.Held : trusted ? GuestCommentStatus.Approved : GuestCommentStatus.Pending,
            HeldReason = blocks.Count > 0
                ? "Held privately because it looks like it contains personal identifiers (" + string.Join(", ", blocks.Select(b => b.Rule).Distinct()) + "). Please don't post details such as your NHS number in public; contact the service directly instead."
                : null,
        };
        db.GuestComments.Add(comment);
        notifications.Add(article.AuthorId, NotificationKind.GuestComment, null, articleId);
        await events.RaiseAsync(db, new Events.GuestCommentReceived(comment.Id, articleId, article.AuthorId), ct);
        await db.SaveChangesAsync(ct);
        if (comment.Status == GuestCommentStatus.Approved)
        {
            await pages.PostChangedAsync(article.Id, article.ConversationId, ct);
        }
        return Outcome<GuestComment>.Ok(comment);
    }

    public const int MaxAwaitingPage = 50;

    /// <summary>
    /// Comments on the author's articles waiting for their approval, oldest first, a page at a time (after
    /// <paramref name="afterId"/>). Held comments are not among them: they go to moderators only, as they may carry
    /// a patient's identifiers.
    /// </summary>
    public Task<List<GuestComment>> AwaitingAsync(long authorId, long? afterId, int take, CancellationToken ct) =>
        db.GuestComments.AsNoTracking()
            .Where(c => c.Status == GuestCommentStatus.Pending && c.Id > (afterId ?? 0) && db.Posts.Any(p => p.Id == c.ArticleId && p.AuthorId == authorId))
            .OrderBy(c => c.Id).Take(Math.Clamp(take, 1, MaxAwaitingPage)).ToListAsync(ct);

    /// <summary>The author approves, rejects, or approves and trusts the commenter from now on.</summary>
    public async Task<Outcome<GuestComment>> ModerateAsync(long authorId, long commentId, GuestCommentStatus status, bool trust, CancellationToken ct)
    {
        var comment = await db.GuestComments.FirstOrDefaultAsync(c => c.Id == commentId && c.Status == GuestCommentStatus.Pending, ct);
        if (comment is null || !await db.Posts.AnyAsync(p => p.Id == comment.ArticleId && p.AuthorId == authorId, ct))
        {
            return Outcome<GuestComment>.NotFound("Comment not found");
        }
        comment.Status = status;
        if (trust && status == GuestCommentStatus.Approved && !await db.TrustedCommenters.AnyAsync(t => t.AuthorId == authorId && t.EmailKey == comment.EmailKey, ct))
        {
            db.TrustedCommenters.Add(new TrustedCommenter { AuthorId = authorId, EmailKey = comment.EmailKey });
        }
        await db.SaveChangesAsync(ct);
        await ArticleChangedAsync(comment.ArticleId, ct);
        return Outcome<GuestComment>.Ok(comment);
    }

    /// <summary>Guest comments held privately (they looked like they contained identifiers), for moderators.</summary>
    public Task<List<GuestComment>> HeldAsync(int take, CancellationToken ct) =>
        db.GuestComments.AsNoTracking().Where(c => c.Status == GuestCommentStatus.Held).OrderBy(c => c.Id).Take(take).ToListAsync(ct);

    /// <summary>A moderator approves or rejects a held guest comment.</summary>
    public async Task<Outcome<GuestComment>> ModerateHeldAsync(long commentId, bool approve, CancellationToken ct)
    {
        var comment = await db.GuestComments.FirstOrDefaultAsync(c => c.Id == commentId && c.Status == GuestCommentStatus.Held, ct);
        if (comment is null)
        {
            return Outcome<GuestComment>.NotFound("Held comment not found");
        }
        comment.Status = approve ? GuestCommentStatus.Approved : GuestCommentStatus.Rejected;
        comment.HeldReason = null;
        await db.SaveChangesAsync(ct);
        await ArticleChangedAsync(comment.ArticleId, ct);
        return Outcome<GuestComment>.Ok(comment);
    }

    /// <summary>The article's comments changed: the copy visitors share goes.</summary>
    private async Task ArticleChangedAsync(long articleId, CancellationToken ct)
    {
        var conversation = await db.Posts.Where(p => p.Id == articleId).Select(p => p.ConversationId).FirstOrDefaultAsync(ct);
        await pages.PostChangedAsync(articleId, conversation, ct);
    }
}
