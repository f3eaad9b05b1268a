using System.Collections.Concurrent;
using System.Data.Common;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Drawbridge.Events;

/// <summary>Something that happened in the domain, raised by the service that made the change.</summary>
public interface IDomainEvent;

/// <summary>
/// Runs inside the change's transaction, before it commits, with the change's own context: what it writes (a job
/// staged with <see cref="JobQueue.Enqueue"/>, a notification, a search row) commits with the change or not at all.
/// Use it for anything that must not be lost: federation delivery, inbox intake, fan-out. Keep it to staging rows;
/// slow work belongs in a job.
/// </summary>
public interface ITransactionalEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent e, DrawbridgeDb db, CancellationToken ct);
}

/// <summary>
/// Runs once the change has committed (never after a rollback), in a scope of its own: cache eviction, streaming.
/// It may be lost if the process dies between commit and dispatch, so it must only touch what can be rebuilt.
/// A failure is logged and does not undo the change.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent e, CancellationToken ct);
}

/// <summary>
/// The one seam for side effects. A service raises events while it changes data; transactional handlers run at once
/// in the same unit of work, the rest run after it commits (see <see cref="DomainEventDispatch"/>), so no caller has to
/// remember what follows a change. docs/decisions/0008-domain-events-and-queues.md lists the events and handlers.
/// </summary>
public sealed class DomainEvents(IServiceProvider services)
{
    private static readonly ConcurrentDictionary<Type, Func<IServiceProvider, IDomainEvent, DrawbridgeDb, CancellationToken, Task>> InTransaction = new();

    /// <summary>
    /// Raises an event for the change being made on <paramref name="db"/>: call it before the change is saved and
    /// committed (inside its transaction, if it has one).
    /// </summary>
    public async Task RaiseAsync(DrawbridgeDb db, IDomainEvent e, CancellationToken ct)
    {
        await InTransaction.GetOrAdd(e.GetType(), MakeInTransaction)(services, e, db, ct);
        db.PendingEvents.Add((e, db.Database.CurrentTransaction?.TransactionId));
    }

    private static Func<IServiceProvider, IDomainEvent, DrawbridgeDb, CancellationToken, Task> MakeInTransaction(Type type) =>
        (Func<IServiceProvider, IDomainEvent, DrawbridgeDb, CancellationToken, Task>)typeof(DomainEvents)
            .GetMethod(nameof(RunInTransactionAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).CreateDelegate(typeof(Func<IServiceProvider, IDomainEvent, DrawbridgeDb, CancellationToken, Task>));

    private static async Task RunInTransactionAsync<TEvent>(IServiceProvider services, IDomainEvent e, DrawbridgeDb db, CancellationToken ct) where TEvent : IDomainEvent
    {
        foreach (var handler in services.GetServices<ITransactionalEventHandler<TEvent>>())
        {
            await handler.HandleAsync((TEvent)e, db, ct);
        }
    }
}

/// <summary>
/// Dispatches a unit of work's events once it commits: on the transaction's commit, or after a SaveChanges made
/// outside a transaction. Events raised in a transaction that ends without committing are dropped. Jobs staged in the
/// unit of work wake the local runner here too.
/// </summary>
internal sealed class DomainEventDispatch(IServiceProvider root) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly ConcurrentDictionary<Type, Func<IServiceProvider, IDomainEvent, CancellationToken, Task>> AfterCommit = new();

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is DrawbridgeDb db)
        {
            await DispatchAsync(db, eventData.TransactionId, cancellationToken);
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is DrawbridgeDb db)
        {
            DispatchAsync(db, eventData.TransactionId, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Drop(eventData.Context, eventData.TransactionId);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Drop(eventData.Context, eventData.TransactionId);
        return Task.CompletedTask;
    }

    public void TransactionDisposed(DbTransaction transaction, TransactionEventData eventData) => Drop(eventData.Context, eventData.TransactionId);

    public Task TransactionDisposedAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        Drop(eventData.Context, eventData.TransactionId);
        return Task.CompletedTask;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is DrawbridgeDb { Database.CurrentTransaction: null } db)
        {
            await DispatchAsync(db, null, cancellationToken);
        }
        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is DrawbridgeDb { Database.CurrentTransaction: null } db)
        {
            DispatchAsync(db, null, CancellationToken.None).GetAwaiter().GetResult();
        }
        return result;
    }

    private static void Drop(Microsoft.EntityFrameworkCore.DbContext? context, Guid transaction)
    {
        if (context is DrawbridgeDb db)
        {
            db.PendingEvents.RemoveAll(p => p.Transaction == transaction);
            db.StagedJobs.Clear();
        }
    }

    private async Task DispatchAsync(DrawbridgeDb db, Guid? transaction, CancellationToken ct)
    {
        if (db.StagedJobs.Count > 0)
        {
            // Only the queues that have new work: waking every queue made each of their workers run a claim for nothing.
            var jobs = root.GetRequiredService<JobQueue>();
            foreach (var queue in db.StagedJobs)
            {
                jobs.Wake(queue);
            }
            db.StagedJobs.Clear();
        }
        if (db.PendingEvents.Count == 0)
        {
            return;
        }
        var committed = db.PendingEvents.Where(p => p.Transaction == transaction).Select(p => p.Event).ToList();
        db.PendingEvents.RemoveAll(p => p.Transaction == transaction);
        if (committed.Count == 0)
        {
            return;
        }
        await using var scope = root.CreateAsyncScope();
        foreach (var e in committed)
        {
            try
            {
                await AfterCommit.GetOrAdd(e.GetType(), MakeAfterCommit)(scope.ServiceProvider, e, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                root.GetRequiredService<ILogger<DomainEventDispatch>>().LogError(ex, "A handler of {Event} failed after commit", e.GetType().Name);
            }
        }
    }

    private static Func<IServiceProvider, IDomainEvent, CancellationToken, Task> MakeAfterCommit(Type type) =>
        (Func<IServiceProvider, IDomainEvent, CancellationToken, Task>)typeof(DomainEventDispatch)
            .GetMethod(nameof(RunAfterCommitAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).CreateDelegate(typeof(Func<IServiceProvider, IDomainEvent, CancellationToken, Task>));

    private static async Task RunAfterCommitAsync<TEvent>(IServiceProvider services, IDomainEvent e, CancellationToken ct) where TEvent : IDomainEvent
    {
        foreach (var handler in services.GetServices<IEventHandler<TEvent>>())
        {
            await handler.HandleAsync((TEvent)e, ct);
        }
    }
}

public static class DomainEventRegistration
{
    /// <summary>Registers a handler class under every <see cref="IEventHandler{T}"/> and <see cref="ITransactionalEventHandler{T}"/> it implements.</summary>
    public static IServiceCollection AddEventHandler<THandler>(this IServiceCollection services) where THandler : class
    {
        services.AddScoped<THandler>();
        foreach (var contract in typeof(THandler).GetInterfaces().Where(i => i.IsGenericType &&
                     (i.GetGenericTypeDefinition() == typeof(IEventHandler<>) || i.GetGenericTypeDefinition() == typeof(ITransactionalEventHandler<>))))
        {
            services.AddScoped(contract, sp => sp.GetRequiredService<THandler>());
        }
        return services;
    }
}
