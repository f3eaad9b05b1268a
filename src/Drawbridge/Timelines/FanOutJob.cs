using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Jobs;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Timelines;

/// <summary>
/// Writes a newly published post into its author's followers' home timelines, in one INSERT … SELECT
/// (10,000 followers is one statement, not 10,000 round trips). A reply reaches only followers who also
/// follow the account it answers, as on Mastodon, so home timelines aren't flooded with half-conversations.
/// </summary>
public sealed class FanOutJob(HomeFeedCache feeds) : JobHandler<FanOutPost>
{
    public const string KindName = "fan-out";

    protected override FanOutPost FromUntyped(string payload) => new(long.Parse(payload, CultureInfo.InvariantCulture));

    protected override async Task HandleAsync(DrawbridgeDb db, FanOutPost job, CancellationToken ct)
    {
        var postId = job.PostId;
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || post.Status != PostStatus.Published || post.IsDeleted)
        {
            return;
        }
        // Followers, except those who keep the author in an exclusive list (the post shows in that list only).
        const string followers = """
            INSERT INTO home_feed ("OwnerId", "PostId", "AuthorId")
            SELECT f."FollowerId", {0}, {1} FROM follows f
            JOIN accounts a ON a."Id" = f."FollowerId" AND a."Domain" IS NULL
            WHERE f."FolloweeId" = {1} AND f."State" = 0
              AND ({2} = 0 OR f."FollowerId" = {2} OR EXISTS (SELECT 1 FROM follows g WHERE g."FollowerId" = f."FollowerId" AND g."FolloweeId" = {2} AND g."State" = 0))
              AND NOT EXISTS (SELECT 1 FROM list_members m JOIN lists l ON l."Id" = m."ListId"
                              WHERE m."AccountId" = {1} AND l."OwnerId" = f."FollowerId" AND l."Exclusive")
            ON CONFLICT DO NOTHING
            """;
        var replyTo = post.InReplyToAuthorId is { } other && other != post.AuthorId ? other : 0L;
        await db.Database.ExecuteSqlRawAsync(followers, [postId, post.AuthorId, replyTo], ct);
        var tagged = post.Visibility == Visibility.Public && post.RepostOfId is null;
        if (tagged)
        {
            // Local people who follow one of its hashtags, as on Mastodon: public posts only, never anyone the author
            // blocked or who blocked or muted the author, nor someone who keeps the author in an exclusive list.
            await db.Database.ExecuteSqlRawAsync(TagFollowersSql, [postId, post.AuthorId], ct);
        }
        if (feeds.Enabled)
        {
            // The author's own entry was forgotten when the post was published; these are the followers' and the
            // tag followers'.
            feeds.Forget(await db.Follows.Where(f => f.FolloweeId == post.AuthorId && f.State == Social.FollowState.Accepted).Select(f => f.FollowerId).ToListAsync(ct));
            if (tagged)
            {
                feeds.Forget(await TagFollowers(db, postId).ToListAsync(ct));
            }
        }
    }

    /// <summary>Accounts following one of the post's hashtags.</summary>
    public static IQueryable<long> TagFollowers(DrawbridgeDb db, long postId) =>
        db.FollowedTags.Where(t => db.PostTags.Any(p => p.PostId == postId && p.Tag == t.Tag)).Select(t => t.AccountId).Distinct();

    private const string TagFollowersSql = """
        INSERT INTO home_feed ("OwnerId", "PostId", "AuthorId")
        SELECT DISTINCT t."AccountId", {0}, {1} FROM followed_tags t
        JOIN post_tags p ON p."Tag" = t."Tag" AND p."PostId" = {0}
        WHERE t."AccountId" <> {1}
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b."BlockerId" = {1} AND b."BlockedId" = t."AccountId") OR (b."BlockerId" = t."AccountId" AND b."BlockedId" = {1}))
          AND NOT EXISTS (SELECT 1 FROM mutes u WHERE u."MuterId" = t."AccountId" AND u."MutedId" = {1})
          AND NOT EXISTS (SELECT 1 FROM list_members m JOIN lists l ON l."Id" = m."ListId"
                          WHERE m."AccountId" = {1} AND l."OwnerId" = t."AccountId" AND l."Exclusive")
        ON CONFLICT DO NOTHING
        """;
}

/// <summary>A post (or repost) to write into its author's followers' home timelines.</summary>
public sealed record FanOutPost(long PostId) : IJobPayload<FanOutPost>
{
    public static string Kind => FanOutJob.KindName;
    public static string Queue => JobQueues.FanOut;
}

/// <summary>
/// A post or repost reaches timelines: the author's own entry in the same transaction (they see it at once), the
/// followers' through the fan-out job staged with it.
/// </summary>
public sealed class FanOutOnPublish(JobQueue jobs) : ITransactionalEventHandler<PostPublished>, ITransactionalEventHandler<PostReposted>
{
    public Task HandleAsync(PostPublished e, DrawbridgeDb db, CancellationToken ct)
    {
        // A post addressed only to the people it mentions (from another server) is no one's timeline entry.
        return e.Visibility == Visibility.Direct ? Task.CompletedTask : StageAsync(db, e.PostId, e.AuthorId);
    }

    public Task HandleAsync(PostReposted e, DrawbridgeDb db, CancellationToken ct) => StageAsync(db, e.RepostId, e.AccountId);

    private Task StageAsync(DrawbridgeDb db, long postId, long authorId)
    {
        db.HomeFeed.Add(new HomeFeedEntry { OwnerId = authorId, PostId = postId, AuthorId = authorId });
        jobs.Enqueue(db, new FanOutPost(postId));
        return Task.CompletedTask;
    }
}
