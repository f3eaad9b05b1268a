using Drawbridge.Data;
using Drawbridge.Events;

namespace Drawbridge.Social;

/// <summary>The notifications each event leaves, written in the change's own transaction.</summary>
public sealed class NotificationHandlers(Snowflake ids, TimeProvider clock, DomainEvents events) :
    ITransactionalEventHandler<PostPublished>, ITransactionalEventHandler<PostLiked>, ITransactionalEventHandler<PostReposted>,
    ITransactionalEventHandler<AccountFollowed>, ITransactionalEventHandler<FollowRequested>
{
    public async Task HandleAsync(PostPublished e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.InReplyToAuthorId is { } parentAuthor && parentAuthor != e.AuthorId)
        {
            await AddAsync(db, parentAuthor, NotificationKind.Reply, e.AuthorId, e.PostId, ct);
        }
        foreach (var id in e.Mentioned.Where(id => id != e.AuthorId && id != e.InReplyToAuthorId))
        {
            await AddAsync(db, id, NotificationKind.Mention, e.AuthorId, e.PostId, ct);
        }
    }

    public async Task HandleAsync(PostLiked e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.AuthorId != e.AccountId)
        {
            await AddAsync(db, e.AuthorId, NotificationKind.Like, e.AccountId, e.PostId, ct);
        }
    }

    public async Task HandleAsync(PostReposted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (e.OriginalAuthorId != e.AccountId)
        {
            await AddAsync(db, e.OriginalAuthorId, NotificationKind.Repost, e.AccountId, e.OriginalId, ct);
        }
    }

    // A plain follow tells the followee; an accepted request tells the one who asked (the followee already knew).
    public Task HandleAsync(AccountFollowed e, DrawbridgeDb db, CancellationToken ct) => e.WasRequested
        ? AddAsync(db, e.FollowerId, NotificationKind.FollowAccepted, e.FolloweeId, null, ct)
        : AddAsync(db, e.FolloweeId, NotificationKind.Follow, e.FollowerId, null, ct);

    public Task HandleAsync(FollowRequested e, DrawbridgeDb db, CancellationToken ct) =>
        AddAsync(db, e.FolloweeId, NotificationKind.FollowRequest, e.FollowerId, null, ct);

    // Raised so the recipient's streams hear of it once it commits.
    private Task AddAsync(DrawbridgeDb db, long recipientId, NotificationKind kind, long? actorId, long? postId, CancellationToken ct)
    {
        var n = new Notification { Id = ids.Next(), RecipientId = recipientId, Kind = kind, ActorId = actorId, PostId = postId, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Notifications.Add(n);
        return events.RaiseAsync(db, new NotificationCreated(n.Id, recipientId), ct);
    }
}
