using Microsoft.Data.Sqlite;

namespace Drawbridge.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file in the background. By default SQLite does this inside
/// whichever commit pushes the log past 1,000 pages, so a request (or the fan-out of a post to 10,000 home timelines,
/// which alone dirties about that many pages) paid for copying and syncing everyone's changes. Writers here turn that
/// off (<see cref="WriterPragmas"/>) and this service checkpoints without blocking readers or writers (PASSIVE) once
/// the log has grown; if readers keep the log from being reset and it passes <see cref="ForceFrames"/>, a RESTART
/// checkpoint waits briefly for them so the log can't grow without bound. A failed checkpoint is logged and retried
/// on a fresh connection at the next tick. On shutdown a last checkpoint runs.
/// A passive checkpoint with nothing new to copy costs next to nothing, so the service simply runs one twice a second.
/// </summary>
public sealed class SqliteCheckpointer(string connectionString, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    /// <summary>Pragmas for every writing connection: no checkpoint inside commits, and the log file trimmed after a reset.</summary>
    public const string WriterPragmas = "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;";

    /// <summary>Past this many pages in the log (256 MB with 4 KB pages) the next checkpoint is a RESTART, which waits for readers.</summary>
    public const int ForceFrames = 65_536;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval);
        var mode = "PASSIVE";
        var failing = false;
        SqliteConnection? connection = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    connection ??= await OpenAsync(stoppingToken);
                    var next = await CheckpointAsync(connection, mode, stoppingToken);
                    if (next is null)
                    {
                        // Not in WAL mode as this connection sees it: opened before the schema set WAL (a fresh
                        // file), SQLite's checkpoint returns without looking again, so a fresh connection is tried.
                        await connection.DisposeAsync();
                        connection = null;
                    }
                    mode = next ?? "PASSIVE";
                    if (failing)
                    {
                        logger.LogInformation("Background WAL checkpoints work again");
                        failing = false;
                    }
                }
                catch (SqliteException e)
                {
                    // Writers don't checkpoint, so a failure here lets the log grow: said once, loudly, and retried
                    // on a fresh connection at the next tick.
                    if (!failing)
                    {
                        logger.LogError(e, "A background WAL checkpoint failed; retrying");
                        failing = true;
                    }
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        try
        {
            await using var last = await OpenAsync(CancellationToken.None);
            await CheckpointAsync(last, "PASSIVE", CancellationToken.None);
        }
        catch (SqliteException e)
        {
            logger.LogWarning(e, "The last WAL checkpoint at shutdown failed");
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var setup = connection.CreateCommand();
            setup.CommandText = "PRAGMA busy_timeout=2000; " + WriterPragmas;
            await setup.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs one checkpoint in the given mode; answers the mode for the next one, or null when the connection is not in
    /// WAL mode.
    /// </summary>
    private static async Task<string?> CheckpointAsync(SqliteConnection connection, string mode, CancellationToken ct)
    {
        // wal_checkpoint answers (busy, pages in the log, pages copied so far); -1 pages when not in WAL mode.
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.GetInt64(1) < 0)
        {
            return null;
        }
        return reader.GetInt64(1) > ForceFrames ? "RESTART" : "PASSIVE";
    }
}
