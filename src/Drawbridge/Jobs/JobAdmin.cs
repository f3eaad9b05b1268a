using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Jobs;

public sealed record JobCounts(int Due, int Waiting, int Running, int Failed, int CompletedLastDay);

/// <summary>What operators see of background work, and the one thing they can do: retry a job that gave up.</summary>
public sealed class JobAdmin(DrawbridgeDb db, JobQueue queue, TimeProvider clock)
{
    public async Task<JobCounts> CountsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var open = db.Jobs.Where(j => j.CompletedAt == null && j.FailedAt == null);
        return new JobCounts(
            await open.CountAsync(j => j.RunAt <= now && (j.LockedUntil == null || j.LockedUntil < now), ct),
            await open.CountAsync(j => j.RunAt > now, ct),
            await open.CountAsync(j => j.LockedUntil != null && j.LockedUntil >= now, ct),
            await db.Jobs.CountAsync(j => j.FailedAt != null, ct),
            await db.Jobs.CountAsync(j => j.CompletedAt != null && j.CompletedAt > now.AddDays(-1), ct));
    }

    /// <summary>Jobs that need a look: failed ones, and open ones that have already been tried.</summary>
    public Task<List<Job>> TroubledAsync(int take, CancellationToken ct) =>
        db.Jobs.AsNoTracking()
            .Where(j => j.FailedAt != null || (j.CompletedAt == null && j.Attempts > 0 && j.LastError != null))
            .OrderByDescending(j => j.Id).Take(take).ToListAsync(ct);

    public async Task<bool> RetryAsync(long jobId, CancellationToken ct)
    {
        var retried = await db.Jobs.Where(j => j.Id == jobId && j.FailedAt != null).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.FailedAt, (DateTime?)null)
            .SetProperty(j => j.Attempts, 0)
            .SetProperty(j => j.LockedUntil, (DateTime?)null)
            .SetProperty(j => j.RunAt, clock.GetUtcNow().UtcDateTime), ct);
        queue.Wake();
        return retried == 1;
    }
}
