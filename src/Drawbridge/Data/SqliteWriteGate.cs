using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Drawbridge.Data;

/// <summary>
/// SQLite lets one writer in at a time; the others wait in SQLite's busy handler, which sleeps with a growing
/// back-off (up to 100 ms a try), so under a burst of posts most of the time goes to sleeping and the slowest
/// writers wait seconds. Queuing writers in the process instead, first come first served, lets each start the
/// moment the previous one commits. Held from the start of a transaction (or of a SaveChanges outside one) to its
/// end; a writer that waits longer than <see cref="MaxWait"/> goes ahead and falls back on SQLite's own waiting,
/// so a mistake here can slow writes but never deadlock them.
/// </summary>
public sealed class SqliteWriteGate
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim gate = new(1, 1);

    internal async ValueTask<bool> EnterAsync(CancellationToken ct) => await gate.WaitAsync(MaxWait, ct);

    internal bool Enter() => gate.Wait(MaxWait);

    internal void Exit() => gate.Release();
}

/// <summary>Takes and releases the <see cref="SqliteWriteGate"/> around transactions and SaveChanges.</summary>
internal sealed class SqliteWriteGateInterceptor(SqliteWriteGate gate) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // SaveChanges inside an explicit transaction already holds the gate.
    private static bool InTransaction(DbContext? context) => context?.Database.CurrentTransaction is not null;

    private void Mark(DbContext? context, bool held)
    {
        if (context is SqliteDrawbridgeDb db)
        {
            db.HoldsWriteGate = held;
            db.WriteGate = gate;
        }
    }

    private static void Release(DbContext? context) => (context as SqliteDrawbridgeDb)?.ReleaseWriteGate();

    // The context's SaveChanges override gives the gate back in a finally, whatever happens inside.
    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (!InTransaction(eventData.Context) && eventData.Context is SqliteDrawbridgeDb { HoldsWriteGate: false } db)
        {
            Mark(db, await gate.EnterAsync(cancellationToken));
            db.GateHeldBySave = db.HoldsWriteGate;
        }
        return result;
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (!InTransaction(eventData.Context) && eventData.Context is SqliteDrawbridgeDb { HoldsWriteGate: false } db)
        {
            Mark(db, gate.Enter());
            db.GateHeldBySave = db.HoldsWriteGate;
        }
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is SqliteDrawbridgeDb { HoldsWriteGate: false })
        {
            Mark(eventData.Context, await gate.EnterAsync(cancellationToken));
        }
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (eventData.Context is SqliteDrawbridgeDb { HoldsWriteGate: false })
        {
            Mark(eventData.Context, gate.Enter());
        }
        return result;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        // A failed BEGIN leaves no transaction to end; failures later end with a rollback or disposal.
        if (!InTransaction(eventData.Context))
        {
            Release(eventData.Context);
        }
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    // A transaction disposed without commit or rollback (an exception on the way) ends here.
    public void TransactionDisposed(DbTransaction transaction, TransactionEventData eventData) => Release(eventData.Context);

    public Task TransactionDisposedAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }
}
