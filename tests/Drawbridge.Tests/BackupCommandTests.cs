using Drawbridge.Cli;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Drawbridge.Tests;

/// <summary>The backup verb copies a live server's SQLite database into a file that opens with the same accounts.</summary>
public sealed class BackupCommandTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task Backup_of_a_running_server_opens_with_its_accounts()
    {
        var user = await server.SignUpAsync($"backup_{Guid.NewGuid():N}"[..16]);
        var copy = Path.Combine(server.DataDirectory, $"copy-{Guid.NewGuid():N}.db");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await BackupCommand.RunAsync(["--out", copy, $"--Drawbridge:DataDirectory={server.DataDirectory}"], output, error);
        Assert.True(code == 0, error.ToString());

        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM AspNetUsers WHERE Email = $email";
        cmd.Parameters.AddWithValue("$email", user.Email);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);

        var again = new StringWriter();
        Assert.Equal(2, await BackupCommand.RunAsync(["--out", copy, $"--Drawbridge:DataDirectory={server.DataDirectory}"], new StringWriter(), again));
        Assert.Contains("already exists", again.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_usage_and_PostgreSQL_are_refused_with_a_reason()
    {
        var missing = new StringWriter();
        Assert.Equal(2, await BackupCommand.RunAsync([], new StringWriter(), missing));
        Assert.Contains("missing --out", missing.ToString(), StringComparison.Ordinal);

        var postgres = new StringWriter();
        Assert.Equal(2, await BackupCommand.RunAsync(["--out", "x.db", "--ConnectionStrings:Drawbridge=Host=127.0.0.1;Database=drawbridge"], new StringWriter(), postgres));
        Assert.Contains("pg_dump", postgres.ToString(), StringComparison.Ordinal);
    }
}
