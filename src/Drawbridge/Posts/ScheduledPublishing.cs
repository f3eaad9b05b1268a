using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Posts;

/// <summary>A scheduled post to publish when its time comes.</summary>
public sealed record PublishScheduled(long PostId) : IJobPayload<PublishScheduled>
{
    public static string Kind => PublishScheduledJob.KindName;
    public static string Queue => JobQueues.Default;
}

/// <summary>Publishes a scheduled post when its time comes.</summary>
public sealed class PublishScheduledJob(PostPublishing publishing) : JobHandler<PublishScheduled>
{
    public const string KindName = "publish-scheduled";

    protected override PublishScheduled FromUntyped(string payload) => new(long.Parse(payload, CultureInfo.InvariantCulture));

    protected override async Task HandleAsync(DrawbridgeDb db, PublishScheduled job, CancellationToken ct)
    {
        var postId = job.PostId;
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || post.Status != PostStatus.Scheduled)
        {
            return; // deleted or turned back into a draft meanwhile
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await publishing.PublishAsync(post, null, ct);
        post.PublishAt = null;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
