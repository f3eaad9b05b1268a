using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Social;

public sealed record NotificationView(Notification Notification, Account? Actor, Posts.Post? Post);

public sealed class NotificationService(DrawbridgeDb db, Snowflake ids, TimeProvider clock)
{
    /// <summary>Stages a notification in the caller's unit of work.</summary>
    public void Add(long recipientId, NotificationKind kind, long? actorId, long? postId) =>
        db.Notifications.Add(new Notification
        {
            Id = ids.Next(),
            RecipientId = recipientId,
            Kind = kind,
            ActorId = actorId,
            PostId = postId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });

    public Task<int> UnreadCountAsync(long accountId, CancellationToken ct) =>
        db.Notifications.CountAsync(n => n.RecipientId == accountId && n.ReadAt == null, ct);

    public async Task<List<NotificationView>> ListAsync(long accountId, PageRequest page, CancellationToken ct)
    {
        var q = db.Notifications.AsNoTracking().Where(n => n.RecipientId == accountId);
        // Muted and blocked accounts don't reach you.
        q = q.Where(n => n.ActorId == null || (!db.Mutes.Any(m => m.MuterId == accountId && m.MutedId == n.ActorId) && !db.Blocks.Any(b => b.BlockerId == accountId && b.BlockedId == n.ActorId)));
        if (page.MaxId is { } max)
        {
            q = q.Where(n => n.Id < max);
        }
        if (page.SinceId is { } since)
        {
            q = q.Where(n => n.Id > since);
        }
        List<Notification> items;
        if (page.MinId is { } min)
        {
            items = await q.Where(n => n.Id > min).OrderBy(n => n.Id).Take(page.Take).ToListAsync(ct);
            items.Reverse();
        }
        else
        {
            items = await q.OrderByDescending(n => n.Id).Take(page.Take).ToListAsync(ct);
        }
        var actorIds = items.Where(n => n.ActorId is not null).Select(n => n.ActorId!.Value).Distinct().ToList();
        var postIds = items.Where(n => n.PostId is not null).Select(n => n.PostId!.Value).Distinct().ToList();
        var actors = await db.Accounts.AsNoTracking().Where(a => actorIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var posts = await db.Posts.AsNoTracking().Where(p => postIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return items.Select(n => new NotificationView(n,
            n.ActorId is { } a && actors.TryGetValue(a, out var actor) ? actor : null,
            n.PostId is { } p && posts.TryGetValue(p, out var post) ? post : null)).ToList();
    }

    public Task MarkAllReadAsync(long accountId, CancellationToken ct) =>
        db.Notifications.Where(n => n.RecipientId == accountId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, clock.GetUtcNow().UtcDateTime), ct);
}
