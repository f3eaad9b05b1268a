using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Posts;

/// <summary>A post a reader kept for later; only they see it.</summary>
public sealed class Bookmark
{
    public long AccountId { get; set; }
    public long PostId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One of an author's own posts shown first on their profile.</summary>
public sealed class Pin
{
    public long AccountId { get; set; }
    public long PostId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class BookmarkConfiguration : IEntityTypeConfiguration<Bookmark>, IEntityTypeConfiguration<Pin>
{
    public void Configure(EntityTypeBuilder<Bookmark> b)
    {
        b.ToTable("bookmarks");
        b.HasKey(x => new { x.AccountId, x.PostId });
        b.HasIndex(x => x.PostId);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Pin> b)
    {
        b.ToTable("pins");
        b.HasKey(x => new { x.AccountId, x.PostId });
        b.HasIndex(x => x.PostId);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Bookmarks (private to the reader) and pins (an author's own posts, shown first on their profile).</summary>
public sealed class PostMarkService(DrawbridgeDb db, TimeProvider clock)
{
    /// <summary>As many pins as Mastodon allows by default.</summary>
    public const int MaxPins = 5;

    public async Task<Outcome<Post>> BookmarkAsync(long accountId, long postId, bool bookmark, CancellationToken ct)
    {
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || !await PostAccess.CanSeeAsync(db, accountId, post, ct))
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        var exists = await db.Bookmarks.AnyAsync(b => b.AccountId == accountId && b.PostId == postId, ct);
        if (bookmark && !exists)
        {
            db.Bookmarks.Add(new Bookmark { AccountId = accountId, PostId = postId, CreatedAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
        }
        else if (!bookmark && exists)
        {
            await db.Bookmarks.Where(b => b.AccountId == accountId && b.PostId == postId).ExecuteDeleteAsync(ct);
        }
        return Outcome<Post>.Ok(post);
    }

    /// <summary>Pins one's own published, public or unlisted post (not a repost), up to <see cref="MaxPins"/>.</summary>
    public async Task<Outcome<Post>> PinAsync(long accountId, long postId, bool pin, CancellationToken ct)
    {
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || !await PostAccess.CanSeeAsync(db, accountId, post, ct))
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        var exists = await db.Pins.AnyAsync(p => p.AccountId == accountId && p.PostId == postId, ct);
        if (!pin)
        {
            if (exists)
            {
                await db.Pins.Where(p => p.AccountId == accountId && p.PostId == postId).ExecuteDeleteAsync(ct);
            }
            return Outcome<Post>.Ok(post);
        }
        if (exists)
        {
            return Outcome<Post>.Ok(post);
        }
        if (post.AuthorId != accountId || post.RepostOfId is not null || post.Status != PostStatus.Published)
        {
            return Outcome<Post>.Invalid("id", "You can only pin your own published posts");
        }
        if (post.Visibility == Visibility.Followers)
        {
            return Outcome<Post>.Invalid("id", "A followers-only post can't be pinned");
        }
        if (await db.Pins.CountAsync(p => p.AccountId == accountId, ct) >= MaxPins)
        {
            return Outcome<Post>.Invalid("id", $"You can pin up to {MaxPins} posts");
        }
        db.Pins.Add(new Pin { AccountId = accountId, PostId = postId, CreatedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        return Outcome<Post>.Ok(post);
    }

    /// <summary>Which of these posts the reader bookmarked, and which of them the reader pinned.</summary>
    public async Task<(HashSet<long> Bookmarked, HashSet<long> Pinned)> MarksAsync(long accountId, IReadOnlyCollection<long> postIds, CancellationToken ct)
    {
        if (postIds.Count == 0)
        {
            return ([], []);
        }
        var bookmarked = await db.Bookmarks.Where(b => b.AccountId == accountId && postIds.Contains(b.PostId)).Select(b => b.PostId).ToListAsync(ct);
        var pinned = await db.Pins.Where(p => p.AccountId == accountId && postIds.Contains(p.PostId)).Select(p => p.PostId).ToListAsync(ct);
        return (bookmarked.ToHashSet(), pinned.ToHashSet());
    }
}
