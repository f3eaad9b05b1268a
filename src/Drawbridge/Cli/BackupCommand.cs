using Drawbridge.Data;
using Microsoft.Data.Sqlite;

namespace Drawbridge.Cli;

/// <summary>
/// The <c>backup</c> verb: a consistent copy of the SQLite database through SQLite's online backup, safe while the
/// server runs. PostgreSQL has its own tool for this (pg_dump).
/// </summary>
internal static class BackupCommand
{
    private const string Usage = """
        usage: drawbridge backup --out FILE [--Drawbridge:DataDirectory=DIR] [--ConnectionStrings:Drawbridge=...]
          copies the SQLite database (safe while the server runs); back up DIR/media and DIR/keys too.
          For PostgreSQL use pg_dump.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }
        string? outFile = null;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--out")
            {
                if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    return await Fail(error, "backup: --out needs a file name");
                }
                outFile = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal))
            {
                settings.Add(args[i]);
            }
            else
            {
                return await Fail(error, $"backup: unexpected argument '{args[i]}'");
            }
        }
        if (outFile is null)
        {
            return await Fail(error, "backup: missing --out FILE");
        }
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine([.. settings]).Build();
        var connectionString = configuration.GetConnectionString("Drawbridge");
        if (DatabaseSetup.IsPostgres(connectionString))
        {
            return await Fail(error, "backup: the database is PostgreSQL; back it up with pg_dump (e.g. pg_dump -Fc -f drawbridge.dump DBNAME)");
        }
        var source = string.IsNullOrEmpty(connectionString)
            ? Path.Combine(DatabaseSetup.DataDirectory(configuration), "drawbridge.db")
            : new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (!File.Exists(source))
        {
            return await Fail(error, $"backup: there is no database at {source}");
        }
        var target = Path.GetFullPath(outFile);
        if (File.Exists(target) || Path.GetFullPath(source) == target)
        {
            return await Fail(error, $"backup: {target} already exists; name a new file");
        }
        try
        {
            await using var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await using var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
            await from.OpenAsync();
            await to.OpenAsync();
            from.BackupDatabase(to);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            return await Fail(error, $"backup: could not write {target}: {e.Message}");
        }
        await output.WriteLineAsync($"Backed up {source} to {target}");
        return 0;
    }

    private static async Task<int> Fail(TextWriter error, string message)
    {
        await error.WriteLineAsync(message);
        await error.WriteLineAsync(Usage);
        return 2;
    }
}
