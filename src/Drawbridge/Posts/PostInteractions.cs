using Drawbridge.Data;
using Drawbridge.Events;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

/// <summary>What others do with a post: like it and repost it (and take either back).</summary>
public sealed class PostInteractions(DrawbridgeDb db, Snowflake ids, TimeProvider clock, DomainEvents events)
{
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
}
