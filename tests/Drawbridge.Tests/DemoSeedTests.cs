using System.Net;
using System.Net.Http.Json;
using Drawbridge.Data;
using Drawbridge.Demo;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>
/// The demo community is seeded on the first start with --demo. A start stopped half-way (Ctrl+C while it seeds) must
/// not leave half a demo behind, which later starts would take for a seeded one: accounts nobody can sign in to.
/// </summary>
public abstract class DemoSeedTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    [Fact]
    public async Task Seeding_stopped_half_way_leaves_no_demo_and_the_next_start_seeds_all_of_it()
    {
        using var http = server.Http();
        var signIn = new { email = DemoSeeder.SignInEmail, password = DemoSeeder.Password };

        using (var cancel = new CancellationTokenSource())
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            // Stopped as soon as the first batch (the accounts) has been saved.
            db.SavedChanges += (_, _) => cancel.Cancel();
            var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => seeder.SeedAsync(cancel.Token));
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            Assert.False(await db.Accounts.AnyAsync(a => a.HandleKey == "amara_rn"), "half a demo was left behind");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", signIn)).StatusCode);

        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None);
        }
        var token = await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", signIn);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        var profile = await http.GetStringAsync("/@amara_rn");
        Assert.Contains("Amara", profile, StringComparison.Ordinal);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            Assert.True(await db.Posts.CountAsync() > 1000, "the demo's posts were seeded");
            // The trust's inbox: months of feedback, most answered, some waiting past the target, changes made.
            var old = DateTime.UtcNow.AddDays(-14);
            Assert.True(await db.Set<Drawbridge.Listening.InboxItem>().CountAsync() >= 400, "the demo's inbox was seeded");
            Assert.True(await db.Set<Drawbridge.Listening.InboxItem>().CountAsync(i => i.RespondedAt != null) > 200, "the demo's inbox has answers");
            Assert.True(await db.Set<Drawbridge.Listening.InboxItem>().AnyAsync(i => i.RespondedAt == null && i.State != Drawbridge.Listening.InboxState.Closed && i.ReceivedAt < old), "nothing in the demo's inbox is overdue");
        }
        var changes = await http.GetStringAsync("/organisations/RiversideNHS/you-said-we-did");
        Assert.Contains("Visiting hours on every ward door", changes);
        Assert.DoesNotContain("Medicines ready before the day of discharge", changes); // awaiting review, not public
    }
}

public sealed class SqliteDemoSeedTests(DrawbridgeServer server) : DemoSeedTests<DrawbridgeServer>(server);

public sealed class PostgresDemoSeedTests(PostgresDrawbridgeServer server) : DemoSeedTests<PostgresDrawbridgeServer>(server);
