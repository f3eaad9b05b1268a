using System.Diagnostics.Metrics;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Drawbridge.Jobs;

/// <summary>
/// Removes an account whose deletion grace period has passed. What stays: the account row as a tombstone (its handle,
/// so no one else can take it and pass as them; "Deleted account" as its name) and its posts as empty tombstones, so
/// threads keep their shape. Everything else that is theirs or about them goes: words, edit history, search text,
/// media rows and files, guest comments on their articles with the commenters' emails, mentions, memberships, the
/// social graph, notifications, tokens, the sign-in, reports by and about them, and the private reasons and hidden
/// words of moderation decisions about them (the public log keeps what was done, under which rule, when).
/// See /privacy.
/// </summary>
public sealed class AccountDeletionJob(TimeProvider clock, IOptions<DrawbridgeOptions> options, Events.DomainEvents events, Media.MediaFiles files) : JobHandler<PurgeDeletedAccounts>
{
    public const string KindName = "purge-deleted-accounts";

    protected override PurgeDeletedAccounts FromUntyped(string payload) => new();

    protected override async Task HandleAsync(DrawbridgeDb db, PurgeDeletedAccounts job, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.DeletionGraceDays);
        var due = await db.Accounts.Where(a => a.DeletionRequestedAt != null && a.DeletionRequestedAt < cutoff).Select(a => a.Id).Take(100).ToListAsync(ct);
        foreach (var id in due)
        {
            var storedNames = await db.Media.Where(m => m.OwnerId == id).Select(m => m.StoredName).ToListAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            // Raised first: its handlers (federation's Delete to the followers) still see the graph that goes below.
            await events.RaiseAsync(db, new Events.AccountDeleted(id), ct);
            var theirPosts = db.Posts.Where(p => p.AuthorId == id);
            var postIds = await theirPosts.Select(p => p.Id).ToListAsync(ct);
            await theirPosts.ExecuteUpdateAsync(s => s
                .SetProperty(p => p.DeletedAt, p => p.DeletedAt ?? now).SetProperty(p => p.Content, "").SetProperty(p => p.ContentHtml, "")
                .SetProperty(p => p.Title, (string?)null).SetProperty(p => p.Summary, (string?)null)
                .SetProperty(p => p.EnclosureUrl, (string?)null).SetProperty(p => p.EnclosureMediaId, (long?)null)
                .SetProperty(p => p.SafetyConfirmed, (string?)null).SetProperty(p => p.HeldReason, (string?)null), ct);
            await db.PostTags.Where(t => db.Posts.Any(p => p.Id == t.PostId && p.AuthorId == id)).ExecuteDeleteAsync(ct);
            await db.PostEdits.Where(e => db.Posts.Any(p => p.Id == e.PostId && p.AuthorId == id)).ExecuteDeleteAsync(ct);
            await db.PostMentions.Where(m => m.AccountId == id || db.Posts.Any(p => p.Id == m.PostId && p.AuthorId == id)).ExecuteDeleteAsync(ct);
            var search = new Search.SearchIndex(db);
            foreach (var postId in postIds)
            {
                await search.RemoveAsync(postId, ct);
            }
            var guestComments = db.GuestComments.Where(c => db.Posts.Any(p => p.Id == c.ArticleId && p.AuthorId == id));
            await db.Set<Listening.InboxItem>().Where(i => i.GuestCommentId != null && guestComments.Any(c => c.Id == i.GuestCommentId))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.GuestCommentId, (long?)null)
                    .SetProperty(i => i.Text, "(removed: the article's author deleted their account)").SetProperty(i => i.SearchText, "")
                    .SetProperty(i => i.AuthorName, (string?)null).SetProperty(i => i.ContactEmail, (string?)null), ct);
            await guestComments.ExecuteDeleteAsync(ct);
            await db.TrustedCommenters.Where(t => t.AuthorId == id).ExecuteDeleteAsync(ct);
            await db.Set<Listening.InboxItem>().Where(i => i.AuthorAccountId == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Text, "(removed: the author deleted their account)").SetProperty(i => i.SearchText, "")
                .SetProperty(i => i.AuthorName, (string?)null).SetProperty(i => i.ContactEmail, (string?)null), ct);
            await db.Media.Where(m => m.OwnerId == id).ExecuteDeleteAsync(ct);
            await db.OrganisationMembers.Where(m => m.AccountId == id).ExecuteDeleteAsync(ct);
            await db.HomeFeed.Where(h => h.OwnerId == id || h.AuthorId == id).ExecuteDeleteAsync(ct);
            await db.Follows.Where(f => f.FollowerId == id || f.FolloweeId == id).ExecuteDeleteAsync(ct);
            await db.Blocks.Where(b => b.BlockerId == id || b.BlockedId == id).ExecuteDeleteAsync(ct);
            await db.Mutes.Where(m => m.MuterId == id || m.MutedId == id).ExecuteDeleteAsync(ct);
            await db.Likes.Where(l => l.AccountId == id).ExecuteDeleteAsync(ct);
            await db.Notifications.Where(n => n.RecipientId == id || n.ActorId == id).ExecuteDeleteAsync(ct);
            await db.Set<Moderation.Report>().Where(r => r.ReporterId == id || r.AccountId == id).ExecuteDeleteAsync(ct);
            await db.Set<Moderation.Appeal>().Where(a => a.AccountId == id).ExecuteDeleteAsync(ct);
            await db.Set<Moderation.ModerationAction>().Where(a => a.AccountId == id).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.AccountId, (long?)null).SetProperty(a => a.Reason, "")
                .SetProperty(a => a.HiddenContent, (string?)null).SetProperty(a => a.HiddenTitle, (string?)null).SetProperty(a => a.HiddenSummary, (string?)null), ct);
            await db.Set<AccessToken>().Where(t => t.AccountId == id).ExecuteDeleteAsync(ct);
            await db.Users.Where(u => u.AccountId == id).ExecuteDeleteAsync(ct);
            await db.Accounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.DisplayName, "Deleted account").SetProperty(a => a.Bio, "").SetProperty(a => a.Links, "")
                .SetProperty(a => a.Profession, (string?)null).SetProperty(a => a.Employer, (string?)null)
                .SetProperty(a => a.AvatarMediaId, (long?)null).SetProperty(a => a.ReplyPolicyReason, (string?)null), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            files.Delete(storedNames);
        }
    }
}

/// <summary>The periodic purge of accounts whose deletion grace period has passed.</summary>
public sealed record PurgeDeletedAccounts : IJobPayload<PurgeDeletedAccounts>
{
    public static string Kind => AccountDeletionJob.KindName;
    public static string Queue => JobQueues.Default;
}

/// <summary>The periodic removal of finished jobs (<see cref="JobOptions.KeepCompletedDays"/>, <see cref="JobOptions.KeepFailedDays"/>).</summary>
public sealed record CleanUpJobs : IJobPayload<CleanUpJobs>
{
    public static string Kind => "clean-up-jobs";
    public static string Queue => JobQueues.Default;
}

/// <summary>Removes completed and failed jobs once they are old enough, in batches, so the table stays small.</summary>
public sealed class CleanUpJobsJob(TimeProvider clock, IOptions<JobOptions> options) : JobHandler<CleanUpJobs>
{
    protected override async Task HandleAsync(DrawbridgeDb db, CleanUpJobs job, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var completedBefore = now.AddDays(-options.Value.KeepCompletedDays);
        var failedBefore = now.AddDays(-options.Value.KeepFailedDays);
        while (true)
        {
            var batch = db.Jobs.Where(j => (j.CompletedAt != null && j.CompletedAt < completedBefore) || (j.FailedAt != null && j.FailedAt < failedBefore))
                .Select(j => j.Id).Take(5000);
            if (await db.Jobs.Where(j => batch.Contains(j.Id)).ExecuteDeleteAsync(ct) < 5000)
            {
                return;
            }
        }
    }
}

/// <summary>Queues the periodic jobs (hourly); the job table makes sure each runs once across nodes.</summary>
public sealed class MaintenanceScheduler(IServiceProvider services, JobQueue queue, TimeProvider clock, ILogger<MaintenanceScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
                var now = clock.GetUtcNow().UtcDateTime;
                var soon = now.AddMinutes(1);
                // Uploads a crash or a dropped connection left behind, in this node's media folder.
                scope.ServiceProvider.GetRequiredService<Media.MediaFiles>().CleanAbandonedUploads(now);
                if (!await db.Jobs.AnyAsync(j => j.Kind == AccountDeletionJob.KindName && j.CompletedAt == null && j.FailedAt == null, stoppingToken))
                {
                    queue.Enqueue(db, new PurgeDeletedAccounts(), soon);
                }
                // The weekly digests on Monday mornings (06:00 UTC), for the week before.
                if (!await db.Jobs.AnyAsync(j => j.Kind == Listening.SendWeeklyDigests.Kind && j.CompletedAt == null && j.FailedAt == null, stoppingToken))
                {
                    queue.Enqueue(db, new Listening.SendWeeklyDigests(), Listening.DashboardService.WeekStart(now).AddDays(7).AddHours(6));
                }
                if (!await db.Jobs.AnyAsync(j => j.Kind == Moderation.PurgeAppealFiles.Kind && j.CompletedAt == null && j.FailedAt == null, stoppingToken))
                {
                    queue.Enqueue(db, new Moderation.PurgeAppealFiles(), soon);
                }
                if (!await db.Jobs.AnyAsync(j => j.Kind == CleanUpJobs.Kind && j.CompletedAt == null && j.FailedAt == null, stoppingToken))
                {
                    queue.Enqueue(db, new CleanUpJobs(), soon);
                }
                await db.SaveChangesAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "Could not queue maintenance");
            }
            await Task.Delay(TimeSpan.FromHours(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}

public sealed class DrawbridgeMetrics : IDisposable
{
    public const string MeterName = "Drawbridge";
    private readonly Meter _meter = new(MeterName);

    public DrawbridgeMetrics()
    {
        PostsPublished = _meter.CreateCounter<long>("drawbridge.posts.published", description: "Posts published");
        NativeMemoryTrims = _meter.CreateCounter<long>("drawbridge.native_memory.trims",
            description: "Times freed native memory was offered back to the operating system (released: whether any was)");
        ManagedHeapCollections = _meter.CreateCounter<long>("drawbridge.managed_heap.collections",
            description: "Full collections started because the managed heap outgrew its live data by more than the set slack");
    }

    public Counter<long> PostsPublished { get; }
    public Counter<long> NativeMemoryTrims { get; }
    public Counter<long> ManagedHeapCollections { get; }

    public void Dispose() => _meter.Dispose();
}
