using System.Text.Json;
using System.Threading.Channels;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Drawbridge.Jobs;

/// <summary>
/// The named queues. Each has its own workers (<see cref="JobOptions"/>), so a slow remote inbox holds up only other
/// deliveries, never a timeline's fan-out, and a model training never holds up mail.
/// </summary>
public static class JobQueues
{
    public const string Default = "default";
    public const string FanOut = "fan-out";
    public const string Delivery = "delivery";
    public const string Inbound = "inbound";
    public const string Media = "media";
    public const string Mail = "mail";
    public const string Insights = "insights";

    public static readonly IReadOnlyList<string> All = [Default, FanOut, Delivery, Inbound, Media, Mail, Insights];
}

/// <summary>
/// A job kind's payload: a record serialized as JSON into the job row, with the kind's name and the queue it runs on.
/// </summary>
public interface IJobPayload<TSelf> where TSelf : IJobPayload<TSelf>
{
    static abstract string Kind { get; }
    static abstract string Queue { get; }

    /// <summary>Jobs of this kind give way to the other kinds of their queue: a worker takes them only when no other is due.</summary>
    static virtual bool GivesWay => false;
}

/// <summary>A registered job kind: its name, the queue it runs on, and whether it gives way to its queue's other kinds.</summary>
public sealed record JobKind(string Kind, string Queue, bool GivesWay);

/// <summary>How one queue runs: workers, attempts, backoff, lease. Unset values take the queue's default.</summary>
public sealed class QueueOptions
{
    /// <summary>Workers on this node taking jobs from the queue at the same time.</summary>
    public int? Concurrency { get; set; }
    /// <summary>Tries before a job is marked failed (an operator can retry it from the admin page).</summary>
    public int? MaxAttempts { get; set; }
    /// <summary>The wait after the first failure; it doubles with each further one, up to <see cref="RetryMaxSeconds"/>, give or take a quarter (jitter).</summary>
    public double? RetryBaseSeconds { get; set; }
    public double? RetryMaxSeconds { get; set; }
    /// <summary>How long a claim holds: a job claimed by a node that died is taken again after it.</summary>
    public int? LeaseSeconds { get; set; }
    /// <summary>
    /// The most jobs one claim takes for the queue's idle workers (each runs on a worker of its own), whose completions
    /// are then written together: one write for many short jobs (deliveries, inbound activities) instead of two each.
    /// </summary>
    public int? ClaimBatch { get; set; }
}

/// <summary>Settings of <c>Drawbridge:Jobs</c>: per-queue <see cref="QueueOptions"/> under <c>Queues:{name}</c>, and clean-up.</summary>
public sealed class JobOptions
{
    public const string Section = "Drawbridge:Jobs";

    public Dictionary<string, QueueOptions> Queues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Completed jobs are kept this long (the admin page counts the last day's), then removed.</summary>
    public double KeepCompletedDays { get; set; } = 2;

    /// <summary>Failed jobs are kept this long for an operator to look at or retry, then removed.</summary>
    public double KeepFailedDays { get; set; } = 30;

    private static readonly Dictionary<string, (int Concurrency, int MaxAttempts, double Base, double Max, int Lease, int Batch)> Defaults = new()
    {
        [JobQueues.Default] = (1, 8, 2, 3600, 300, 1),
        [JobQueues.FanOut] = (2, 8, 2, 3600, 300, 1),
        // 16 tries from 30 seconds doubling to 12 hours: about three days, as servers come back from outages.
        [JobQueues.Delivery] = (16, 16, 30, 12 * 3600, 120, 16),
        [JobQueues.Inbound] = (4, 8, 10, 3600, 120, 4),
        [JobQueues.Media] = (1, 5, 30, 3600, 600, 1),
        [JobQueues.Mail] = (1, 10, 30, 6 * 3600, 120, 1),
        [JobQueues.Insights] = (1, 3, 60, 3600, 1800, 1),
    };

    public sealed record Effective(int Concurrency, int MaxAttempts, TimeSpan RetryBase, TimeSpan RetryMax, TimeSpan Lease, int ClaimBatch = 1);

    public Effective For(string queue)
    {
        var d = Defaults.GetValueOrDefault(queue, Defaults[JobQueues.Default]);
        var o = Queues.GetValueOrDefault(queue) ?? new QueueOptions();
        return new Effective(
            Math.Max(0, o.Concurrency ?? d.Concurrency), Math.Max(1, o.MaxAttempts ?? d.MaxAttempts),
            TimeSpan.FromSeconds(Math.Max(0, o.RetryBaseSeconds ?? d.Base)), TimeSpan.FromSeconds(Math.Max(0, o.RetryMaxSeconds ?? d.Max)),
            TimeSpan.FromSeconds(Math.Max(5, o.LeaseSeconds ?? d.Lease)), Math.Clamp(o.ClaimBatch ?? d.Batch, 1, 100));
    }

    /// <summary>When the next try after <paramref name="attempts"/> failed tries runs: exponential, capped, with ±25 % jitter so a burst of failures doesn't come back as one burst.</summary>
    public static TimeSpan Backoff(Effective q, int attempts, Random random)
    {
        var seconds = Math.Min(q.RetryMax.TotalSeconds, q.RetryBase.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1)));
        return TimeSpan.FromSeconds(seconds * (0.75 + (random.NextDouble() * 0.5)));
    }
}

/// <summary>Adds durable jobs and wakes the local runner at once; other nodes find them by polling.</summary>
public sealed class JobQueue(Snowflake ids, TimeProvider clock)
{
    private readonly Dictionary<string, Channel<bool>> _wake = JobQueues.All.ToDictionary(q => q,
        _ => Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite }));

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal ChannelReader<bool> Wakeups(string queue) => _wake[queue].Reader;

    /// <summary>Stages a job in the caller's unit of work: it is stored with the change that caused it, or not at all.</summary>
    public Job Enqueue<TPayload>(DrawbridgeDb db, TPayload payload, DateTime? runAt = null) where TPayload : IJobPayload<TPayload> =>
        Enqueue(db, TPayload.Kind, JsonSerializer.Serialize(payload, Json), runAt, TPayload.Queue);

    private Job Enqueue(DrawbridgeDb db, string kind, string payload, DateTime? runAt, string queue)
    {
        if (!_wake.ContainsKey(queue))
        {
            throw new ArgumentException($"There is no job queue '{queue}'", nameof(queue));
        }
        var job = new Job { Id = ids.Next(), Kind = kind, Queue = queue, Payload = payload, RunAt = runAt ?? clock.GetUtcNow().UtcDateTime };
        db.Jobs.Add(job);
        db.StagedJobs.Add(queue);
        return job;
    }

    /// <summary>Wakes the local runner's workers; done for you when a unit of work that staged jobs commits.</summary>
    public void Wake()
    {
        foreach (var channel in _wake.Values)
        {
            channel.Writer.TryWrite(true);
        }
    }

    internal void Wake(string queue) => _wake[queue].Writer.TryWrite(true);
}

/// <summary>What the runner calls for a job: a <see cref="JobHandler{TPayload}"/> registered by <see cref="JobRegistration.AddJobHandler{THandler, TPayload}"/>.</summary>
public interface IJobHandler
{
    string Kind { get; }
    Task HandleAsync(DrawbridgeDb db, string payload, CancellationToken ct);
}

/// <summary>A handler of one typed job kind.</summary>
public abstract class JobHandler<TPayload> : IJobHandler where TPayload : IJobPayload<TPayload>
{
    public string Kind => TPayload.Kind;

    public Task HandleAsync(DrawbridgeDb db, string payload, CancellationToken ct)
    {
        var typed = payload.StartsWith('{')
            ? JsonSerializer.Deserialize<TPayload>(payload, JobQueue.Json)
            : FromUntyped(payload);
        return HandleAsync(db, typed ?? throw new PermanentJobFailure($"A {Kind} job's payload is empty"), ct);
    }

    protected abstract Task HandleAsync(DrawbridgeDb db, TPayload job, CancellationToken ct);

    /// <summary>Reads a payload stored before the kind had a record (a bare id); such jobs may wait in an upgraded database.</summary>
    protected virtual TPayload? FromUntyped(string payload) => throw new PermanentJobFailure($"A {Kind} job's payload is not JSON");
}

/// <summary>The job can never succeed (the server refused it for good, its subject is gone): it is marked failed at once.</summary>
public sealed class PermanentJobFailure(string message) : Exception(message);

/// <summary>The job can't run yet for a reason that is not its own failure (its domain is paused): it runs again at <paramref name="until"/>, the attempt not counted.</summary>
public sealed class PostponeJob(DateTime until, string reason) : Exception(reason)
{
    public DateTime Until { get; } = until;
}

public static class JobRegistration
{
    /// <summary>Registers a typed job handler under its kind.</summary>
    public static IServiceCollection AddJobHandler<THandler, TPayload>(this IServiceCollection services)
        where THandler : JobHandler<TPayload> where TPayload : IJobPayload<TPayload>
    {
        services.AddKeyedScoped<IJobHandler, THandler>(TPayload.Kind);
        services.AddSingleton(new JobKind(TPayload.Kind, TPayload.Queue, TPayload.GivesWay));
        return services;
    }
}

/// <summary>
/// Runs each queue's workers (<see cref="JobOptions"/>). A worker claims one due job of its queue at a time, or, for a
/// queue with a <see cref="QueueOptions.ClaimBatch"/>, one claim serves all its idle workers; a claim is a conditional
/// update that takes a lease (with FOR UPDATE SKIP LOCKED on PostgreSQL), so with several app nodes each job runs once,
/// and a job held by a node that died runs again when its lease ends. A failure is retried with the queue's backoff;
/// <see cref="PermanentJobFailure"/> fails it at once; <see cref="PostponeJob"/> moves it later.
/// </summary>
public sealed class JobRunner(IServiceProvider services, JobQueue queue, TimeProvider clock, ILogger<JobRunner> log) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    public const int MaxAttempts = 8;
    private readonly string _node = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly JobOptions _options = services.GetService<IOptions<JobOptions>>()?.Value ?? new JobOptions();
    private readonly IReadOnlyList<JobKind> _kinds = services.GetServices<JobKind>().ToList();
    private readonly QueuePressure? _pressure = services.GetService<QueuePressure>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RehomeAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogError(ex, "Moving waiting jobs to their kinds' queues failed; they run where they are");
        }
        var workers = new List<Task>();
        foreach (var name in JobQueues.All)
        {
            var concurrency = _options.For(name).Concurrency;
            var batch = _options.For(name).ClaimBatch;
            if (concurrency > 1 && batch > 1)
            {
                workers.Add(Task.Run(() => DispatchAsync(name, concurrency, batch, stoppingToken), stoppingToken));
                continue;
            }
            for (var i = 0; i < concurrency; i++)
            {
                workers.Add(Task.Run(() => WorkAsync(name, concurrency > 1, stoppingToken), stoppingToken));
            }
        }
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(string name, bool siblings, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunOneAsync(name, siblings, stoppingToken))
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(ex, "Job loop of queue {Queue} failed; retrying", name);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(Poll);
            try
            {
                await queue.Wakeups(name).ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Poll interval elapsed, or the host is stopping (the loop condition ends it).
            }
        }
    }

    /// <summary>
    /// Moves waiting jobs of a kind that now runs on another queue (stored by an earlier version) to that queue, so a
    /// model training stored on <c>default</c> never holds up the default queue's work. Idempotent: every node may run it.
    /// </summary>
    public async Task<int> RehomeAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var moved = 0;
        foreach (var kind in _kinds)
        {
            moved += await WriteAsync(db, () => db.Jobs
                .Where(j => j.Kind == kind.Kind && j.Queue != kind.Queue && j.CompletedAt == null && j.FailedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Queue, kind.Queue), ct), ct);
        }
        if (moved > 0)
        {
            log.LogInformation("Moved {Count} waiting jobs to their kinds' queues", moved);
        }
        return moved;
    }

    /// <summary>Runs one due job of any queue if there is one; true when it did.</summary>
    public Task<bool> RunOneAsync(CancellationToken ct) => RunOneAsync(null, false, ct);

    /// <summary>Runs one due job of <paramref name="queueName"/> (any queue when null) if there is one; true when it did.</summary>
    public Task<bool> RunOneAsync(string? queueName, CancellationToken ct) => RunOneAsync(queueName, false, ct);

    private async Task<bool> RunOneAsync(string? queueName, bool wakeSibling, CancellationToken ct)
    {
        var claimed = await ClaimAsync(queueName, 1, ct);
        if (claimed.Count == 0)
        {
            return false;
        }
        if (wakeSibling && queueName is not null)
        {
            queue.Wake(queueName); // there may be more: another worker of this queue looks too
        }
        if (await RunAsync(claimed[0], ct))
        {
            await CompleteAsync([claimed[0].Id], ct);
        }
        return true;
    }

    /// <summary>
    /// Runs a queue whose jobs are claimed in batches (<see cref="QueueOptions.ClaimBatch"/>): one claim takes as many
    /// due jobs as there are idle workers (up to the batch), each job goes to a worker of its own at once, and the
    /// jobs that succeeded are marked complete together as they finish. So a burst of short jobs costs a write per batch
    /// instead of two per job, and a slow job holds up only its own worker. A job is marked complete only after it
    /// ran; if the node dies first, its lease ends and it runs again (jobs are written to be run again safely).
    /// </summary>
    private async Task DispatchAsync(string name, int concurrency, int batch, CancellationToken stopping)
    {
        using var idle = new SemaphoreSlim(concurrency, concurrency);
        var ready = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleWriter = true });
        var completed = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
        var unstarted = new System.Collections.Concurrent.ConcurrentBag<long>();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var job in ready.Reader.ReadAllAsync(CancellationToken.None))
            {
                try
                {
                    if (stopping.IsCancellationRequested)
                    {
                        unstarted.Add(job.Id);
                    }
                    else if (await RunAsync(job, stopping))
                    {
                        completed.Writer.TryWrite(job.Id);
                    }
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    log.LogError(ex, "Job {JobId} of queue {Queue} could not be recorded; it runs again when its lease ends", job.Id, name);
                }
                catch (OperationCanceledException)
                {
                    // Stopping in the middle of the job: it stays claimed and runs again when its lease ends.
                }
                finally
                {
                    idle.Release();
                }
            }
        }, CancellationToken.None)).ToList();
        var completer = Task.Run(async () =>
        {
            var ids = new List<long>();
            while (await completed.Reader.WaitToReadAsync(CancellationToken.None))
            {
                ids.Clear();
                while (ids.Count < 500 && completed.Reader.TryRead(out var id))
                {
                    ids.Add(id);
                }
                try
                {
                    await CompleteAsync(ids, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    log.LogError(ex, "Marking {Count} jobs of queue {Queue} complete failed; they run again when their lease ends", ids.Count, name);
                }
            }
        }, CancellationToken.None);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await idle.WaitAsync(stopping);
                // The inbound queue gives way to the deliveries that feed it: one job at a time through a burst.
                var busy = name == JobQueues.Inbound && _pressure is not null && await _pressure.GiveWayAsync(stopping);
                var slots = 1;
                while (!busy && slots < batch && idle.Wait(0))
                {
                    slots++;
                }
                List<Job> claimed = [];
                try
                {
                    claimed = await ClaimAsync(name, slots, stopping);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    log.LogError(ex, "Job loop of queue {Queue} failed; retrying", name);
                }
                finally
                {
                    if (claimed.Count < slots)
                    {
                        idle.Release(slots - claimed.Count);
                    }
                }
                foreach (var job in claimed)
                {
                    ready.Writer.TryWrite(job);
                }
                if (claimed.Count == slots)
                {
                    continue; // there may be more due
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                timeout.CancelAfter(Poll);
                try
                {
                    await queue.Wakeups(name).ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    // Poll interval elapsed, or the host is stopping (the loop condition ends it).
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            ready.Writer.TryComplete();
            await Task.WhenAll(workers);
            completed.Writer.TryComplete();
            await completer;
            try
            {
                await ReleaseAsync([.. unstarted]);
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Handing back {Count} unstarted jobs of queue {Queue} failed; they run again when their lease ends", unstarted.Count, name);
            }
        }
    }

    /// <summary>Runs one claimed job; true when it succeeded (it is then for the caller to mark complete).</summary>
    private async Task<bool> RunAsync(Job job, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var settings = _options.For(job.Queue);
        var handler = scope.ServiceProvider.GetKeyedService<IJobHandler>(job.Kind);
        try
        {
            if (handler is null)
            {
                throw new InvalidOperationException($"No handler for job kind '{job.Kind}'.");
            }
            await handler.HandleAsync(db, job.Payload, ct);
            return true;
        }
        catch (PostponeJob later) when (!ct.IsCancellationRequested)
        {
            db.ChangeTracker.Clear();
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Attempts, j => j.Attempts - 1)
                .SetProperty(j => j.LastError, Truncate(later.Message))
                .SetProperty(j => j.LockedBy, (string?)null)
                .SetProperty(j => j.LockedUntil, (DateTime?)null)
                .SetProperty(j => j.RunAt, later.Until), ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var permanent = ex is PermanentJobFailure;
            if (permanent)
            {
                log.LogInformation("Job {JobId} ({Kind}) gave up: {Reason}", job.Id, job.Kind, ex.Message);
            }
            else
            {
                log.LogWarning(ex, "Job {JobId} ({Kind}) failed on attempt {Attempt}", job.Id, job.Kind, job.Attempts);
            }
            db.ChangeTracker.Clear();
            var failed = permanent || job.Attempts >= settings.MaxAttempts;
            var nowAfter = clock.GetUtcNow().UtcDateTime;
            var retryAt = nowAfter + JobOptions.Backoff(settings, job.Attempts, Random.Shared);
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LastError, Truncate(ex.Message))
                .SetProperty(j => j.LockedBy, (string?)null)
                .SetProperty(j => j.LockedUntil, (DateTime?)null)
                .SetProperty(j => j.RunAt, retryAt)
                .SetProperty(j => j.FailedAt, failed ? nowAfter : null), ct);
        }
        return false;
    }

    private async Task CompleteAsync(List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var completedAt = clock.GetUtcNow().UtcDateTime;
        await WriteAsync(db, () => db.Jobs.Where(j => ids.Contains(j.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.CompletedAt, completedAt)
            .SetProperty(j => j.LockedBy, (string?)null), ct), ct);
    }

    /// <summary>Hands back claimed jobs that did not start (the host is stopping): they run next time, the attempt not counted.</summary>
    private async Task ReleaseAsync(List<long> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        await WriteAsync(db, () => db.Jobs.Where(j => ids.Contains(j.Id) && j.LockedBy == _node).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Attempts, j => j.Attempts - 1)
            .SetProperty(j => j.LockedBy, (string?)null)
            .SetProperty(j => j.LockedUntil, (DateTime?)null), CancellationToken.None), CancellationToken.None);
    }

    /// <summary>
    /// On SQLite, runs a claim or completion in a transaction, so it queues for the process's write gate (first come,
    /// first served) instead of sleeping in SQLite's busy handler while other workers write: with 16 delivery workers
    /// the difference is several times the throughput. PostgreSQL needs no gate.
    /// </summary>
    private static async Task<T> WriteAsync<T>(DrawbridgeDb db, Func<Task<T>> write, CancellationToken ct)
    {
        if (db.IsPostgres || db.Database.CurrentTransaction is not null)
        {
            return await write();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await write();
        await tx.CommitAsync(ct);
        return result;
    }

    private static string Truncate(string message) => message.Length > 2000 ? message[..2000] : message;

    private async Task<List<Job>> ClaimAsync(string? queueName, int batch, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        return await WriteAsync(db, () => ClaimAsync(db, queueName, now, batch, ct), ct);
    }

    private async Task<List<Job>> ClaimAsync(DrawbridgeDb db, string? queueName, DateTime now, int batch, CancellationToken ct)
    {
        // The lease is the job's queue's; a claim of "any queue" (tests draining everything) takes the longest.
        var lease = queueName is null ? JobQueues.All.Max(q => _options.For(q).Lease) : _options.For(queueName).Lease;
        var leaseUntil = now + lease;
        // One statement: pick due jobs of the queue that no other worker holds, and take the lease on them. PostgreSQL
        // skips rows another node is claiming (SKIP LOCKED); SQLite has one writer at a time, so nothing can race it.
        var inQueue = queueName is null ? "" : "AND \"Queue\" = {4}";
        var skipLocked = db.IsPostgres ? "FOR UPDATE SKIP LOCKED" : "";
        // Kinds that give way (a model training) are taken only when nothing else of their queue is due.
        List<string> givingWay = queueName is null ? [] : _kinds.Where(k => k.GivesWay && k.Queue == queueName).Select(k => k.Kind).ToList();
        var order = givingWay.Count == 0 ? "\"RunAt\""
            : $"CASE WHEN \"Kind\" IN ({string.Join(", ", givingWay.Select(k => "'" + k.Replace("'", "''", StringComparison.Ordinal) + "'"))}) THEN 1 ELSE 0 END, \"RunAt\"";
        var sql = $$"""
            UPDATE jobs SET "LockedUntil" = {1}, "LockedBy" = {2}, "Attempts" = "Attempts" + 1
            WHERE "Id" IN (
                SELECT "Id" FROM jobs
                WHERE "CompletedAt" IS NULL AND "FailedAt" IS NULL AND "RunAt" <= {0} AND ("LockedUntil" IS NULL OR "LockedUntil" < {0}) {{inQueue}}
                ORDER BY {{order}} LIMIT {3} {{skipLocked}})
            RETURNING "Id" AS "Value"
            """;
        object[] args = queueName is null ? [now, leaseUntil, _node, batch] : [now, leaseUntil, _node, batch, queueName];
        var ids = await db.Database.SqlQueryRaw<long>(sql, args).ToListAsync(ct);
        if (ids.Count == 0)
        {
            return [];
        }
        var jobs = await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.Id)).ToListAsync(ct);
        return jobs.OrderBy(j => j.RunAt).ThenBy(j => j.Id).ToList();
    }
}
