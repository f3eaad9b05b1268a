using Drawbridge.Data;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>Each provider's migrations build exactly the model the running app uses, Identity's passkeys table included.</summary>
public sealed class MigrationTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public void Both_providers_migrations_match_the_running_model_including_passkeys()
    {
        // The host's own services, so Identity's options (its schema version) are the ones the app runs with.
        // Comparing models needs no database: PostgreSQL is checked here even where no server runs.
        DrawbridgeDb[] contexts =
        [
            new SqliteDrawbridgeDb(new DbContextOptionsBuilder<SqliteDrawbridgeDb>().UseSqlite("Data Source=:memory:").UseApplicationServiceProvider(server.Services).Options),
            new PostgresDrawbridgeDb(new DbContextOptionsBuilder<PostgresDrawbridgeDb>().UseNpgsql("Host=localhost;Database=unused").UseApplicationServiceProvider(server.Services).Options),
        ];
        foreach (var db in contexts)
        {
            using (db)
            {
                var provider = db.IsPostgres ? "PostgreSQL" : "SQLite";
                Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} model has changes no migration makes: add one (see README)");
                Assert.Equal("AspNetUserPasskeys", db.Model.FindEntityType(typeof(IdentityUserPasskey<long>))?.GetTableName());
                Assert.Contains(db.Database.GetMigrations(), m => m.EndsWith("_Passkeys", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task Sqlite_home_feed_is_stored_without_rowid_and_keeps_its_key_and_index()
    {
        // EF Core can't say WITHOUT ROWID, so a migration does it in SQL; a later table rebuild by EF would undo it.
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        Assert.False(db.IsPostgres);
        var table = await db.Database.SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'home_feed'").SingleAsync();
        Assert.EndsWith("WITHOUT ROWID", table.Trim(), StringComparison.Ordinal);
        Assert.Contains("PRIMARY KEY (\"OwnerId\", \"PostId\")", table, StringComparison.Ordinal);
        var index = await db.Database.SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'index' AND name = 'IX_home_feed_PostId'").SingleAsync();
        Assert.Contains("(\"PostId\")", index, StringComparison.Ordinal);
    }
}
