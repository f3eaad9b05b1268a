using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Drawbridge.Data;

/// <summary>
/// Connections to the SQLite file kept open, read-only, each with its statements prepared once, for the few reads
/// every request makes (the home timeline's page). Going through EF Core costs a connection open and close per
/// query, with its pragmas and function registrations (and the finalizers they leave), which measured as more than
/// half of the home timeline's CPU time. Only on SQLite; PostgreSQL keeps the EF path, where Npgsql pools natively.
/// </summary>
public sealed class SqliteReadPool(string connectionString) : IDisposable
{
    /// <summary>Idle connections kept beyond this are closed: enough for every core's requests in flight.</summary>
    public static readonly int MaxIdle = Math.Max(8, Environment.ProcessorCount * 4);

    private readonly ConcurrentBag<SqliteReader> idle = [];
    private int disposed;

    public SqliteReader Rent()
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        return idle.TryTake(out var reader) ? reader : SqliteReader.Open(connectionString);
    }

    public void Return(SqliteReader reader)
    {
        if (disposed != 0 || reader.Broken || idle.Count >= MaxIdle)
        {
            reader.Dispose();
            return;
        }
        idle.Add(reader);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            while (idle.TryTake(out var reader))
            {
                reader.Dispose();
            }
        }
    }
}

/// <summary>One open read-only connection and its prepared commands; used by one request at a time.</summary>
public sealed class SqliteReader : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

    private SqliteReader(SqliteConnection connection) => this.connection = connection;

    /// <summary>Set when a command failed: the connection is closed rather than reused.</summary>
    public bool Broken { get; set; }

    internal static SqliteReader Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA query_only=1; " + SqlitePragmas.Shared;
            pragmas.ExecuteNonQuery();
        }
        return new SqliteReader(connection);
    }

    /// <summary>The command for this SQL, prepared on first use; its parameters are named <c>$p0</c>, <c>$p1</c>….</summary>
    public SqliteCommand Command(string sql, int parameterCount)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < parameterCount; i++)
            {
                command.Parameters.Add(new SqliteParameter("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), SqliteType.Integer));
            }
            command.Prepare();
            commands[sql] = command;
        }
        return command;
    }

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
        connection.Dispose();
    }
}
