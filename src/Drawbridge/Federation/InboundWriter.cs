using System.Threading.Channels;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// Stores verified inbound activities, with the job that acts on each, many to a transaction: a burst of deliveries
/// becomes a few commits instead of one per activity (on SQLite, one writer at a time, that is what limited the
/// inboxes). Each caller waits until the transaction holding its activity has committed, so a server is still answered
/// 202 only once its activity is stored. Idempotent by activity id, within a batch and against what is stored.
/// </summary>
public sealed class InboundWriter(IServiceScopeFactory scopes, JobQueue jobs, ILogger<InboundWriter> log) : IAsyncDisposable
{
    /// <summary>The most activities in one transaction: large enough for any burst, small enough to commit quickly.</summary>
    public const int MaxBatch = 256;

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _loop;

    private sealed record Pending(InboundActivity Activity, TaskCompletionSource Stored);

    /// <summary>Stores <paramref name="activity"/> (unless one with its id is stored already); returns once it is committed.</summary>
    public async Task StoreAsync(InboundActivity activity, CancellationToken ct)
    {
        EnsureStarted();
        var pending = new Pending(activity, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The server is stopping");
        }
        await pending.Stored.Task.WaitAsync(ct);
    }

    private void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }
        lock (_startLock)
        {
            _loop ??= Task.Run(() => WriteLoopAsync(_stopping.Token));
        }
    }

    private async Task WriteLoopAsync(CancellationToken stopping)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stopping))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }
                try
                {
                    await WriteAsync(batch, stopping);
                    batch.ForEach(p => p.Stored.TrySetResult());
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    log.LogError(e, "Storing {Count} inbound activities failed", batch.Count);
                    batch.ForEach(p => p.Stored.TrySetException(e));
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            batch.ForEach(p => p.Stored.TrySetCanceled());
        }
    }

    private async Task WriteAsync(List<Pending> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var uris = batch.Select(p => p.Activity.ActivityUri).Distinct(StringComparer.Ordinal).ToList();
            var known = (await db.InboundActivities.Where(a => uris.Contains(a.ActivityUri)).Select(a => a.ActivityUri).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var p in batch)
            {
                if (known.Add(p.Activity.ActivityUri))
                {
                    Stage(db, p.Activity);
                }
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node stored one of them meanwhile (PostgreSQL, several nodes): store the rest one by one.
            foreach (var p in batch)
            {
                db.ChangeTracker.Clear();
                Stage(db, p.Activity);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear();
                    if (!await db.InboundActivities.AnyAsync(a => a.ActivityUri == p.Activity.ActivityUri, ct))
                    {
                        throw;
                    }
                }
            }
        }
    }

    private void Stage(DrawbridgeDb db, InboundActivity activity)
    {
        db.InboundActivities.Add(activity);
        jobs.Enqueue(db, new ProcessInboundActivity(activity.Id));
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        if (_loop is not null)
        {
            // What is queued is written before the server stops; a stuck write is given up after a while.
            await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(10)));
        }
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }
}
