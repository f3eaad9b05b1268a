using Drawbridge.Data;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

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
}
