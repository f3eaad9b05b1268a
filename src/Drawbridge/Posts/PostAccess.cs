using Drawbridge.Data;
using Drawbridge.Media;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

/// <summary>
/// Who may see a post, and who may act on it (like, reply, repost): the rules the timelines apply to lists, for one
/// post at a time. A post someone can't see is "not found" to them, so its existence is not given away.
/// </summary>
public static class PostAccess
{
    /// <summary>
    /// Published, not deleted, by an account that isn't being deleted; followers-only posts to the author, followers
    /// and those mentioned; never to someone the author blocked.
    /// </summary>
    public static async Task<bool> CanSeeAsync(DrawbridgeDb db, long? viewerId, Post post, CancellationToken ct)
    {
        if (viewerId == post.AuthorId)
        {
            return post.DeletedAt is null;
        }
        if (post.Status != PostStatus.Published || post.DeletedAt is not null
            || await db.Accounts.AnyAsync(a => a.Id == post.AuthorId && a.DeletionRequestedAt != null, ct))
        {
            return false;
        }
        if (viewerId is not { } v)
        {
            return post.Visibility != Visibility.Followers;
        }
        if (await db.Blocks.AnyAsync(b => b.BlockerId == post.AuthorId && b.BlockedId == v, ct))
        {
            return false;
        }
        return post.Visibility != Visibility.Followers
               || await db.Follows.AnyAsync(f => f.FollowerId == v && f.FolloweeId == post.AuthorId, ct)
               || await db.PostMentions.AnyAsync(m => m.PostId == post.Id && m.AccountId == v, ct);
    }

    /// <summary>Why <paramref name="actorId"/> may not like, reply to or repost <paramref name="post"/>, or null when they may.</summary>
    public static async Task<Outcome<Post>?> RefuseInteractionAsync(DrawbridgeDb db, long actorId, Post post, CancellationToken ct)
    {
        if (!await CanSeeAsync(db, actorId, post, ct))
        {
            return Outcome<Post>.NotFound("Post not found");
        }
        // Either side's block ends the conversation between them.
        if (await db.Blocks.AnyAsync(b => (b.BlockerId == post.AuthorId && b.BlockedId == actorId) || (b.BlockerId == actorId && b.BlockedId == post.AuthorId), ct))
        {
            return Outcome<Post>.Forbidden("You can't interact with this account");
        }
        return null;
    }

    /// <summary>
    /// Whether a media file may be sent to <paramref name="viewerId"/>: its owner always (unless the account is being
    /// deleted); others only when it is an avatar or a profile header, or attached to a post (or an episode's file) they may see. An upload
    /// not yet attached to anything is its owner's alone.
    /// </summary>
    public static async Task<bool> CanSeeMediaAsync(DrawbridgeDb db, long? viewerId, MediaAttachment media, CancellationToken ct)
    {
        if (await db.Accounts.AnyAsync(a => a.Id == media.OwnerId && a.DeletionRequestedAt != null, ct))
        {
            return false;
        }
        if (viewerId == media.OwnerId || await db.Accounts.AnyAsync(a => a.AvatarMediaId == media.Id || a.HeaderMediaId == media.Id, ct))
        {
            return true;
        }
        var posts = await db.Posts.AsNoTracking()
            .Where(p => p.Id == media.PostId || (p.EnclosureMediaId == media.Id && p.AuthorId == media.OwnerId)).Take(10).ToListAsync(ct);
        foreach (var post in posts)
        {
            if (await CanSeeAsync(db, viewerId, post, ct))
            {
                return true;
            }
        }
        return false;
    }
}
