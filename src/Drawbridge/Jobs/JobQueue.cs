using System.Threading.Channels;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Jobs;

/// <summary>Adds durable jobs and wakes the local runner at once; other nodes find them by polling.</summary>
public sealed class JobQueue(Snowflake ids, TimeProvider clock)
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    internal ChannelReader<bool> Wakeups => _wake.Reader;

    /// <summary>Stages a job in the caller's unit of work: it is stored with the change that caused it, or not at all.</summary>
    public Job Enqueue(DrawbridgeDb db, string kind, string payload, DateTime? runAt = null)
    {
        var job = new Job { Id = ids.Next(), Kind = kind, Payload = payload, RunAt = runAt ?? clock.GetUtcNow().UtcDateTime };
        db.Jobs.Add(job);
        db.StagedJobs = true;
        return job;
    }

    /// <summary>Wakes the local runner; done for you when a unit of work that staged jobs commits.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);
}

public interface IJobHandler
{
    string Kind { get; }
    Task HandleAsync(DrawbridgeDb db, string payload, CancellationToken ct);
}

/// <summary>
/// Claims due jobs one at a time and runs them. A claim is a conditional update (lease), so with several
/// app nodes on PostgreSQL each job runs once; on PostgreSQL the candidate is chosen with
/// FOR UPDATE SKIP LOCKED so nodes do not queue behind each other.
/// </summary>
public sealed class JobRunner(IServiceProvider services, JobQueue queue, TimeProvider clock, ILogger<JobRunner> log) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    public const int MaxAttempts = 8;
    private readonly string _node = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunOneAsync(stoppingToken))
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(ex, "Job loop failed; retrying");
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(Poll);
            try
            {
                await queue.Wakeups.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Poll interval elapsed, or the host is stopping (the loop condition ends it).
            }
        }
    }

    /// <summary>Runs one due job if there is one; true when it did.</summary>
    public async Task<bool> RunOneAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var job = await ClaimAsync(db, now, ct);
        if (job is null)
        {
            return false;
        }
        var handler = scope.ServiceProvider.GetServices<IJobHandler>().FirstOrDefault(h => h.Kind == job.Kind);
        try
        {
            if (handler is null)
            {
                throw new InvalidOperationException($"No handler for job kind '{job.Kind}'.");
            }
            await handler.HandleAsync(db, job.Payload, ct);
            db.ChangeTracker.Clear();
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.CompletedAt, clock.GetUtcNow().UtcDateTime)
                .SetProperty(j => j.LockedBy, (string?)null), ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(ex, "Job {JobId} ({Kind}) failed on attempt {Attempt}", job.Id, job.Kind, job.Attempts);
            db.ChangeTracker.Clear();
            var failed = job.Attempts >= MaxAttempts;
            // Exponential backoff: 2^attempts seconds, so 8 attempts span about four minutes.
            var retryAt = clock.GetUtcNow().UtcDateTime.AddSeconds(Math.Pow(2, job.Attempts));
            var error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LastError, error)
                .SetProperty(j => j.LockedBy, (string?)null)
                .SetProperty(j => j.LockedUntil, (DateTime?)null)
                .SetProperty(j => j.RunAt, retryAt)
                .SetProperty(j => j.FailedAt, failed ? clock.GetUtcNow().UtcDateTime : null), ct);
        }
        return true;
    }

    private async Task<Job?> ClaimAsync(DrawbridgeDb db, DateTime now, CancellationToken ct)
    {
        var leaseUntil = now + Lease;
        if (db.IsPostgres)
        {
            // One statement: pick a due job no other node holds (SKIP LOCKED), and take the lease on it.
            var ids = await db.Database.SqlQueryRaw<long>(
                """
                UPDATE jobs SET "LockedUntil" = {1}, "LockedBy" = {2}, "Attempts" = "Attempts" + 1
                WHERE "Id" = (
                    SELECT "Id" FROM jobs
                    WHERE "CompletedAt" IS NULL AND "FailedAt" IS NULL AND "RunAt" <= {0} AND ("LockedUntil" IS NULL OR "LockedUntil" < {0})
                    ORDER BY "RunAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """, now, leaseUntil, _node).ToListAsync(ct);
            return ids.Count == 0 ? null : await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == ids[0], ct);
        }
        var candidate = await db.Jobs
            .Where(j => j.CompletedAt == null && j.FailedAt == null && j.RunAt <= now && (j.LockedUntil == null || j.LockedUntil < now))
            .OrderBy(j => j.RunAt).Select(j => (long?)j.Id).FirstOrDefaultAsync(ct);
        if (candidate is null)
        {
            return null;
        }
        var id = candidate.Value;
        // SQLite has one writer at a time; the conditional update is the lease, so only one claimant's update matches.
        var claimed = await db.Jobs
            .Where(j => j.Id == id && j.CompletedAt == null && (j.LockedUntil == null || j.LockedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LockedUntil, leaseUntil)
                .SetProperty(j => j.LockedBy, _node)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1), ct);
        return claimed == 0 ? null : await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == id, ct);
    }
}
