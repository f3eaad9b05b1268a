using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Social;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>Accounts and posts may live on other servers; locked accounts approve their followers.</summary>
public abstract class FederatedIdentityTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    private static int _counter;

    private static string Handle(string stem) => $"{stem}{Interlocked.Increment(ref _counter)}";

    private static long Id(TestUser u) => long.Parse(u.Id, CultureInfo.InvariantCulture);

    private async Task WithServicesAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    [Fact]
    public async Task Following_a_locked_account_is_a_request_until_the_account_accepts_it()
    {
        var nurse = await server.SignUpAsync(Handle("locked"), "professional");
        var reader = await server.SignUpAsync(Handle("asker"));
        await WithServicesAsync(s => s.GetRequiredService<AccountService>().SetLockedAsync(Id(nurse), true, CancellationToken.None));
        using var n = server.Http(nurse.Token);
        using var r = server.Http(reader.Token);
        await n.PostJsonAsync("/api/v1/posts", new { text = "Written before the request" });

        var asked = await r.PostJsonAsync($"/api/v1/accounts/{nurse.Id}/follow");
        Assert.False(asked.GetProperty("following").GetBoolean());
        Assert.True(asked.GetProperty("requested").GetBoolean());
        Assert.Equal(0, (await server.Http().GetJsonAsync($"/api/v1/accounts/{nurse.Handle}")).GetProperty("followersCount").GetInt32());
        await n.PostJsonAsync("/api/v1/posts", new { text = "Only for followers", visibility = "followers" });
        await server.DrainJobsAsync();
        var home = (await r.GetJsonAsync("/api/v1/timelines/home")).Contents().ToList();
        Assert.DoesNotContain("Written before the request", home);
        Assert.DoesNotContain("Only for followers", home);
        var notifications = await n.GetJsonAsync("/api/v1/notifications");
        Assert.Contains(notifications.EnumerateArray(), x => x.Str("kind") == "followrequest" && x.GetProperty("actor").Str("handle") == reader.Handle);

        await WithServicesAsync(async s =>
        {
            var follows = s.GetRequiredService<FollowService>();
            Assert.Equal([reader.Handle], (await follows.FollowRequestsAsync(Id(nurse), 40, CancellationToken.None)).Select(a => a.Handle));
            Assert.True((await follows.AcceptFollowRequestAsync(Id(nurse), Id(reader), CancellationToken.None)).Succeeded);
            Assert.Empty(await follows.FollowRequestsAsync(Id(nurse), 40, CancellationToken.None));
        });
        var now = await r.GetJsonAsync($"/api/v1/accounts/{nurse.Id}/relationship");
        Assert.True(now.GetProperty("following").GetBoolean());
        Assert.False(now.GetProperty("requested").GetBoolean());
        Assert.Equal(1, (await server.Http().GetJsonAsync($"/api/v1/accounts/{nurse.Handle}")).GetProperty("followersCount").GetInt32());
        Assert.Contains("Written before the request", (await r.GetJsonAsync("/api/v1/timelines/home")).Contents());
        await n.PostJsonAsync("/api/v1/posts", new { text = "After accepting" });
        await server.DrainJobsAsync();
        Assert.Contains("After accepting", (await r.GetJsonAsync("/api/v1/timelines/home")).Contents());
        Assert.Contains((await r.GetJsonAsync("/api/v1/notifications")).EnumerateArray(), x => x.Str("kind") == "followaccepted");
    }

    [Fact]
    public async Task A_rejected_follow_request_is_gone_and_the_requester_may_ask_again()
    {
        var nurse = await server.SignUpAsync(Handle("shy"), "professional");
        var reader = await server.SignUpAsync(Handle("hopeful"));
        await WithServicesAsync(s => s.GetRequiredService<AccountService>().SetLockedAsync(Id(nurse), true, CancellationToken.None));
        using var r = server.Http(reader.Token);
        await r.PostJsonAsync($"/api/v1/accounts/{nurse.Id}/follow");
        await WithServicesAsync(async s =>
        {
            var follows = s.GetRequiredService<FollowService>();
            Assert.True((await follows.RejectFollowRequestAsync(Id(nurse), Id(reader), CancellationToken.None)).Succeeded);
            Assert.False((await follows.RejectFollowRequestAsync(Id(nurse), Id(reader), CancellationToken.None)).Succeeded);
            Assert.False((await follows.AcceptFollowRequestAsync(Id(nurse), Id(reader), CancellationToken.None)).Succeeded);
        });
        var after = await r.GetJsonAsync($"/api/v1/accounts/{nurse.Id}/relationship");
        Assert.False(after.GetProperty("following").GetBoolean());
        Assert.False(after.GetProperty("requested").GetBoolean());
        Assert.True((await r.PostJsonAsync($"/api/v1/accounts/{nurse.Id}/follow")).GetProperty("requested").GetBoolean());
        // Withdrawing a request changes no counts.
        await r.PostJsonAsync($"/api/v1/accounts/{nurse.Id}/unfollow");
        Assert.Equal(0, (await server.Http().GetJsonAsync($"/api/v1/accounts/{reader.Handle}")).GetProperty("followingCount").GetInt32());
    }

    [Fact]
    public async Task A_handle_is_unique_per_domain_and_local_pages_show_only_local_accounts()
    {
        var local = await server.SignUpAsync(Handle("twin"));
        await WithServicesAsync(async s =>
        {
            var db = s.GetRequiredService<DrawbridgeDb>();
            Account Remote(string handle, string domain) => new()
            {
                Id = Random.Shared.NextInt64(1, long.MaxValue),
                Handle = handle,
                HandleKey = handle.ToLowerInvariant(),
                Domain = domain,
                DisplayName = "Remote",
                Uri = $"https://{domain}/users/{handle}",
                InboxUri = $"https://{domain}/users/{handle}/inbox",
                CreatedAt = DateTime.UtcNow,
            };
            // The same handle on two other servers, next to the local one: three different people.
            db.Accounts.Add(Remote(local.Handle, "one.example"));
            db.Accounts.Add(Remote(local.Handle, "two.example"));
            // Real fediverse user names can be far longer than local sign-up allows.
            db.Accounts.Add(Remote(new string('n', 120), "long.example"));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            db.Accounts.Add(Remote(local.Handle.ToUpperInvariant(), "one.example"));
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
            db.Accounts.Add(new Account { Id = Random.Shared.NextInt64(1, long.MaxValue), Handle = local.Handle, HandleKey = local.Handle.ToLowerInvariant(), DisplayName = "Second local", CreatedAt = DateTime.UtcNow });
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        });
        var shown = await server.Http().GetJsonAsync($"/api/v1/accounts/{local.Handle}");
        Assert.Equal(local.Id, shown.Str("id"));
    }
}

public sealed class SqliteFederatedIdentityTests(DrawbridgeServer server) : FederatedIdentityTests<DrawbridgeServer>(server);

public sealed class PostgresFederatedIdentityTests(PostgresDrawbridgeServer server) : FederatedIdentityTests<PostgresDrawbridgeServer>(server);

/// <summary>A database written by the previous version migrates: every post local, every follow accepted, orphans gone.</summary>
public sealed class FederatedIdentityMigrationTests
{
    [Fact]
    public async Task An_existing_sqlite_database_migrates_with_its_data()
    {
        var file = Path.Combine(Path.GetTempPath(), $"drawbridge-migrate-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<SqliteDrawbridgeDb>().UseSqlite($"Data Source={file};Pooling=false").UseIdentitySchema().Options;
            await using (var db = new SqliteDrawbridgeDb(options))
            {
                var migrations = db.Database.GetMigrations().ToList();
                var before = migrations[migrations.FindIndex(m => m.EndsWith("_CoreFederatedIdentity", StringComparison.Ordinal)) - 1];
                await db.GetService<IMigrator>().MigrateAsync(before);
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO accounts ("Id", "Handle", "HandleKey", "DisplayName", "Bio", "Kind", "Links", "CreatedAt", "FollowersCount", "FollowingCount", "PostsCount")
                    VALUES (1, 'Ann', 'ann', 'Ann', '', 1, '', '2026-01-01', 0, 0, 1), (2, 'Bob', 'bob', 'Bob', '', 0, '', '2026-01-01', 0, 0, 0);
                    INSERT INTO posts ("Id", "AuthorId", "Kind", "Content", "ContentHtml", "ConversationId", "Visibility", "Status", "CreatedAt", "LikesCount", "RepostsCount", "RepliesCount")
                    VALUES (10, 1, 0, 'Hello', '<p>Hello</p>', 10, 0, 2, '2026-01-01', 1, 0, 0);
                    INSERT INTO follows ("FollowerId", "FolloweeId", "CreatedAt") VALUES (2, 1, '2026-01-01');
                    INSERT INTO likes ("AccountId", "PostId", "CreatedAt") VALUES (2, 10, '2026-01-01'), (2, 99, '2026-01-01');
                    INSERT INTO home_feed ("OwnerId", "PostId", "AuthorId") VALUES (2, 10, 1);
                    """);
                await db.Database.MigrateAsync();
            }
            await using (var db = new SqliteDrawbridgeDb(options))
            {
                var post = await db.Posts.SingleAsync();
                Assert.True(post.Local);
                Assert.Null(post.Uri);
                Assert.Equal(FollowState.Accepted, (await db.Follows.SingleAsync()).State);
                Assert.Equal([10L], await db.Likes.Select(l => l.PostId).ToListAsync());
                Assert.All(await db.Accounts.ToListAsync(), a => Assert.True(a.IsLocal && !a.Locked));
                Assert.Equal(1, await db.HomeFeed.CountAsync());
                var table = await db.Database.SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'home_feed'").SingleAsync();
                Assert.EndsWith("WITHOUT ROWID", table.Trim(), StringComparison.Ordinal);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
