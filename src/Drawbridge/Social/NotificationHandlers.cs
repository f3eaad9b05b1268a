using Drawbridge.Data;
using Drawbridge.Events;

namespace Drawbridge.Social;

/// <summary>The notifications each event leaves, written in the change's own transaction.</summary>
public sealed class NotificationHandlers(Snowflake ids, TimeProvider clock) :
    ITransactionalEventHandler<PostPublished>, ITransactionalEventHandler<PostLiked>, ITransactionalEventHandler<PostReposted>,
    ITransactionalEventHandler<AccountFollowed>, ITransactionalEventHandler<FollowRequested>
{
    public Task HandleAsync(PostPublished e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.InReplyToAuthorId is { } parentAuthor && parentAuthor != e.AuthorId)
        {
            Add(db, parentAuthor, NotificationKind.Reply, e.AuthorId, e.PostId);
        }
        foreach (var id in e.Mentioned.Where(id => id != e.AuthorId && id != e.InReplyToAuthorId))
        {
            Add(db, id, NotificationKind.Mention, e.AuthorId, e.PostId);
        }
        return Task.CompletedTask;
    }

    public Task HandleAsync(PostLiked e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.AuthorId != e.AccountId)
        {
            Add(db, e.AuthorId, NotificationKind.Like, e.AccountId, e.PostId);
        }
        return Task.CompletedTask;
    }

    public Task HandleAsync(PostReposted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.OriginalAuthorId != e.AccountId)
        {
            Add(db, e.OriginalAuthorId, NotificationKind.Repost, e.AccountId, e.OriginalId);
        }
        return Task.CompletedTask;
    }

    public Task HandleAsync(AccountFollowed e, DrawbridgeDb db, CancellationToken ct)
    {
        // A plain follow tells the followee; an accepted request tells the one who asked (the followee already knew).
        if (e.WasRequested)
        {
            Add(db, e.FollowerId, NotificationKind.FollowAccepted, e.FolloweeId, null);
        }
        else
        {
            Add(db, e.FolloweeId, NotificationKind.Follow, e.FollowerId, null);
        }
        return Task.CompletedTask;
    }

    public Task HandleAsync(FollowRequested e, DrawbridgeDb db, CancellationToken ct)
    {
        Add(db, e.FolloweeId, NotificationKind.FollowRequest, e.FollowerId, null);
        return Task.CompletedTask;
    }

    private void Add(DrawbridgeDb db, long recipientId, NotificationKind kind, long? actorId, long? postId) =>
        db.Notifications.Add(new Notification { Id = ids.Next(), RecipientId = recipientId, Kind = kind, ActorId = actorId, PostId = postId, CreatedAt = clock.GetUtcNow().UtcDateTime });
}
