using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Posts;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Social;

/// <summary>How the viewer and another account stand. <see cref="Requested"/>: the viewer asked to follow and waits for approval.</summary>
public sealed record Relationship(bool Following, bool FollowedBy, bool Blocking, bool BlockedBy, bool Muting, bool Requested = false);

public sealed class FollowService(DrawbridgeDb db, TimeProvider clock, DomainEvents events)
{
    /// <summary>How many of a newly followed account's recent posts are copied into the follower's home timeline.</summary>
    public const int Backfill = 40;

    /// <summary>
    /// Follows an account. A locked account's follow is a request that waits for the followee's approval, and so is
    /// every follow of a remote account until its server accepts it; an existing request or follow is left as it is.
    /// <paramref name="uri"/> is the Follow activity's id, for a follow that came from another server.
    /// </summary>
    public async Task<Outcome<Relationship>> FollowAsync(long followerId, long followeeId, CancellationToken ct, string? uri = null)
    {
        if (followerId == followeeId)
        {
            return Outcome<Relationship>.Invalid("id", "You can't follow yourself");
        }
        var target = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == followeeId && a.DeletionRequestedAt == null, ct);
        if (target is null)
        {
            return Outcome<Relationship>.NotFound("Account not found");
        }
        if (await db.Blocks.AnyAsync(b => (b.BlockerId == followeeId && b.BlockedId == followerId) || (b.BlockerId == followerId && b.BlockedId == followeeId), ct))
        {
            return Outcome<Relationship>.Forbidden("You can't follow this account");
        }
        if (!await db.Follows.AnyAsync(f => f.FollowerId == followerId && f.FolloweeId == followeeId, ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var follow = new Follow
            {
                FollowerId = followerId,
                FolloweeId = followeeId,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
                // A remote account's server answers a Follow with Accept (or Reject): until then it is a request.
                State = target.Locked || target.Domain is not null ? FollowState.Requested : FollowState.Accepted,
                Uri = uri,
            };
            db.Follows.Add(follow);
            await db.SaveChangesAsync(ct);
            if (follow.State == FollowState.Accepted)
            {
                await AcceptedAsync(followerId, followeeId, ct);
                await events.RaiseAsync(db, new AccountFollowed(followerId, followeeId, false, follow.Uri), ct);
            }
            else
            {
                await events.RaiseAsync(db, new FollowRequested(followerId, followeeId, follow.Uri), ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return Outcome<Relationship>.Ok(await RelationshipAsync(followerId, followeeId, ct));
    }

    /// <summary>What an accepted follow changes: both counts, and the follower's home timeline backfilled.</summary>
    private async Task AcceptedAsync(long followerId, long followeeId, CancellationToken ct)
    {
        await db.Accounts.Where(a => a.Id == followerId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowingCount, a => a.FollowingCount + 1), ct);
        await db.Accounts.Where(a => a.Id == followeeId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowersCount, a => a.FollowersCount + 1), ct);
        if (await db.Accounts.AnyAsync(a => a.Id == followerId && a.Domain != null, ct))
        {
            return; // a remote follower's timeline lives on its own server
        }
        // Backfill so the home timeline isn't empty right after following someone.
        var recent = await db.Posts.AsNoTracking()
            .Where(p => p.AuthorId == followeeId && p.Status == PostStatus.Published && p.DeletedAt == null && p.InReplyToId == null)
            .OrderByDescending(p => p.Id).Select(p => p.Id).Take(Backfill).ToListAsync(ct);
        var present = await db.HomeFeed.Where(h => h.OwnerId == followerId && recent.Contains(h.PostId)).Select(h => h.PostId).ToListAsync(ct);
        foreach (var id in recent.Except(present))
        {
            db.HomeFeed.Add(new HomeFeedEntry { OwnerId = followerId, PostId = id, AuthorId = followeeId });
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Follow requests waiting for this account's approval, oldest first.</summary>
    public Task<List<Account>> FollowRequestsAsync(long followeeId, int take, CancellationToken ct) =>
        db.Follows.Where(f => f.FolloweeId == followeeId && f.State == FollowState.Requested).OrderBy(f => f.CreatedAt).Take(take)
            .Join(db.Accounts, f => f.FollowerId, a => a.Id, (f, a) => a).AsNoTracking().ToListAsync(ct);

    /// <summary>The followee accepts a follow request: from now on it is a follow like any other.</summary>
    public async Task<Outcome<Relationship>> AcceptFollowRequestAsync(long followeeId, long followerId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var request = await db.Follows.FirstOrDefaultAsync(f => f.FollowerId == followerId && f.FolloweeId == followeeId && f.State == FollowState.Requested, ct);
        if (request is null)
        {
            return Outcome<Relationship>.NotFound("Follow request not found");
        }
        request.State = FollowState.Accepted;
        await db.SaveChangesAsync(ct);
        await AcceptedAsync(followerId, followeeId, ct);
        await events.RaiseAsync(db, new AccountFollowed(followerId, followeeId, true, request.Uri), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Relationship>.Ok(await RelationshipAsync(followeeId, followerId, ct));
    }

    /// <summary>The followee turns a follow request down: it is removed, and the requester may ask again.</summary>
    public async Task<Outcome<Relationship>> RejectFollowRequestAsync(long followeeId, long followerId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var request = await db.Follows.FirstOrDefaultAsync(f => f.FollowerId == followerId && f.FolloweeId == followeeId && f.State == FollowState.Requested, ct);
        if (request is null)
        {
            return Outcome<Relationship>.NotFound("Follow request not found");
        }
        db.Follows.Remove(request);
        await events.RaiseAsync(db, new FollowRejected(followerId, followeeId, request.Uri), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Relationship>.Ok(await RelationshipAsync(followeeId, followerId, ct));
    }

    /// <summary>Ends a follow, or withdraws a follow request.</summary>
    public async Task<Outcome<Relationship>> UnfollowAsync(long followerId, long followeeId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var follow = await db.Follows.AsNoTracking().FirstOrDefaultAsync(f => f.FollowerId == followerId && f.FolloweeId == followeeId, ct);
        var removed = follow is null ? 0 : await db.Follows.Where(f => f.FollowerId == followerId && f.FolloweeId == followeeId).ExecuteDeleteAsync(ct);
        if (removed > 0 && follow!.State == FollowState.Accepted)
        {
            await db.Accounts.Where(a => a.Id == followerId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowingCount, a => a.FollowingCount - 1), ct);
            await db.Accounts.Where(a => a.Id == followeeId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowersCount, a => a.FollowersCount - 1), ct);
            await db.HomeFeed.Where(h => h.OwnerId == followerId && h.AuthorId == followeeId).ExecuteDeleteAsync(ct);
        }
        if (removed > 0)
        {
            await events.RaiseAsync(db, new AccountUnfollowed(followerId, followeeId, follow!.State == FollowState.Accepted, follow.Uri), ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return Outcome<Relationship>.Ok(await RelationshipAsync(followerId, followeeId, ct));
    }

    public async Task<Outcome<Relationship>> BlockAsync(long blockerId, long blockedId, bool block, CancellationToken ct)
    {
        if (blockerId == blockedId)
        {
            return Outcome<Relationship>.Invalid("id", "You can't block yourself");
        }
        if (!await db.Accounts.AnyAsync(a => a.Id == blockedId, ct))
        {
            return Outcome<Relationship>.NotFound("Account not found");
        }
        if (block)
        {
            // Blocking ends following in both directions.
            await UnfollowAsync(blockerId, blockedId, ct);
            await UnfollowAsync(blockedId, blockerId, ct);
            if (!await db.Blocks.AnyAsync(b => b.BlockerId == blockerId && b.BlockedId == blockedId, ct))
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                db.Blocks.Add(new Block { BlockerId = blockerId, BlockedId = blockedId, CreatedAt = clock.GetUtcNow().UtcDateTime });
                await events.RaiseAsync(db, new AccountBlocked(blockerId, blockedId), ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
        }
        else
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await db.Blocks.Where(b => b.BlockerId == blockerId && b.BlockedId == blockedId).ExecuteDeleteAsync(ct) > 0)
            {
                await events.RaiseAsync(db, new AccountUnblocked(blockerId, blockedId), ct);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        return Outcome<Relationship>.Ok(await RelationshipAsync(blockerId, blockedId, ct));
    }

    public async Task<Outcome<Relationship>> MuteAsync(long muterId, long mutedId, bool mute, CancellationToken ct)
    {
        if (muterId == mutedId)
        {
            return Outcome<Relationship>.Invalid("id", "You can't mute yourself");
        }
        if (!await db.Accounts.AnyAsync(a => a.Id == mutedId, ct))
        {
            return Outcome<Relationship>.NotFound("Account not found");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (mute && !await db.Mutes.AnyAsync(m => m.MuterId == muterId && m.MutedId == mutedId, ct))
        {
            db.Mutes.Add(new Mute { MuterId = muterId, MutedId = mutedId, CreatedAt = clock.GetUtcNow().UtcDateTime });
        }
        else if (!mute)
        {
            await db.Mutes.Where(m => m.MuterId == muterId && m.MutedId == mutedId).ExecuteDeleteAsync(ct);
        }
        await events.RaiseAsync(db, new AccountMuted(muterId, mutedId, mute), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Relationship>.Ok(await RelationshipAsync(muterId, mutedId, ct));
    }

    public async Task<Relationship> RelationshipAsync(long viewerId, long otherId, CancellationToken ct)
    {
        var mine = await db.Follows.Where(f => f.FollowerId == viewerId && f.FolloweeId == otherId).Select(f => (FollowState?)f.State).FirstOrDefaultAsync(ct);
        return new(
            mine == FollowState.Accepted,
            await db.Follows.AnyAsync(f => f.FollowerId == otherId && f.FolloweeId == viewerId && f.State == FollowState.Accepted, ct),
            await db.Blocks.AnyAsync(b => b.BlockerId == viewerId && b.BlockedId == otherId, ct),
            await db.Blocks.AnyAsync(b => b.BlockerId == otherId && b.BlockedId == viewerId, ct),
            await db.Mutes.AnyAsync(m => m.MuterId == viewerId && m.MutedId == otherId, ct),
            mine == FollowState.Requested);
    }

    public Task<List<Account>> FollowersAsync(long accountId, int take, CancellationToken ct) =>
        db.Follows.Where(f => f.FolloweeId == accountId && f.State == FollowState.Accepted).OrderByDescending(f => f.CreatedAt).Take(take)
            .Join(db.Accounts, f => f.FollowerId, a => a.Id, (f, a) => a).AsNoTracking().ToListAsync(ct);

    public Task<List<Account>> FollowingAsync(long accountId, int take, CancellationToken ct) =>
        db.Follows.Where(f => f.FollowerId == accountId && f.State == FollowState.Accepted).OrderByDescending(f => f.CreatedAt).Take(take)
            .Join(db.Accounts, f => f.FolloweeId, a => a.Id, (f, a) => a).AsNoTracking().ToListAsync(ct);

    /// <summary>Accounts shown on the public follower and following lists at most, page by page (as Mastodon's collections).</summary>
    public const int ListPageSize = 20;

    /// <summary>
    /// One page (from 1) of an account's accepted followers, or of the accounts it follows, newest follow first; accounts
    /// being removed are left out. One more than a page is read, to tell whether another page follows.
    /// </summary>
    public async Task<(List<Account> Accounts, bool More)> ListPageAsync(long accountId, bool followers, int page, CancellationToken ct)
    {
        var accepted = db.Follows.AsNoTracking().Where(f => f.State == FollowState.Accepted);
        var listedQuery = followers
            ? accepted.Where(f => f.FolloweeId == accountId).Join(db.Accounts.AsNoTracking(), f => f.FollowerId, a => a.Id, (f, a) => new { f.CreatedAt, Account = a })
            : accepted.Where(f => f.FollowerId == accountId).Join(db.Accounts.AsNoTracking(), f => f.FolloweeId, a => a.Id, (f, a) => new { f.CreatedAt, Account = a });
        var listed = await listedQuery.Where(x => x.Account.DeletionRequestedAt == null)
            .OrderByDescending(x => x.CreatedAt).ThenByDescending(x => x.Account.Id)
            .Skip((page - 1) * ListPageSize).Take(ListPageSize + 1).Select(x => x.Account).ToListAsync(ct);
        var more = listed.Count > ListPageSize;
        return (more ? listed[..ListPageSize] : listed, more);
    }
}
