using System.Text.Json.Nodes;
using Drawbridge.Federation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>The delivery contract: an activity staged in a unit of work reaches each remote inbox once, signed by its sender.</summary>
public sealed class ActivityDeliveryTests(FederatingServer server) : IClassFixture<FederatingServer>
{
    private static JsonObject Activity(string actor, string id) => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = id,
        ["type"] = "Update",
        ["actor"] = actor,
        ["object"] = actor,
    };

    [Fact]
    public async Task An_activity_to_the_followers_reaches_each_server_once_through_its_shared_inbox_signed_by_the_sender()
    {
        await using var one = await InboxSink.StartAsync("127.0.0.21");
        await using var two = await InboxSink.StartAsync("127.0.0.22");
        var ann = await server.SignUpAsync("deliver_ann");
        var annId = long.Parse(ann.Id, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var follower in new[] { await server.AddRemoteAccountAsync(one, "bob"), await server.AddRemoteAccountAsync(one, "carol"), await server.AddRemoteAccountAsync(two, "dave", sharedInbox: false) })
        {
            await server.AddFollowerAsync(annId, follower);
        }
        var actor = $"{server.PublicUrl}/users/deliver_ann";
        var id = $"{actor}#updates/contract";
        await server.WithDbAsync(async (db, sp) =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            sp.GetRequiredService<ActivityDelivery>().EnqueueToFollowers(db, annId, Activity(actor, id), [two.Inbox("erin")]);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return 0;
        });

        await one.WaitForAsync(r => r.Count >= 1);
        var atTwo = await two.WaitForAsync(r => r.Count >= 2);
        await server.DrainJobsAsync();
        var atOne = Assert.Single(one.Received);
        Assert.Equal("/inbox", atOne.Path);
        Assert.Equal(["/users/dave/inbox", "/users/erin/inbox"], atTwo.Select(d => d.Path).Order());
        Assert.All(one.Received.Concat(two.Received), d =>
        {
            Assert.True(d.Verified, d.SignatureError);
            Assert.Equal(actor + "#main-key", d.KeyId);
            Assert.Equal(id, d.Id);
            Assert.Equal("Update", d.Type);
        });
    }

    [Fact]
    public async Task An_activity_staged_in_a_unit_of_work_that_rolls_back_is_never_sent()
    {
        await using var sink = await InboxSink.StartAsync("127.0.0.23");
        var ann = await server.SignUpAsync("deliver_rollback");
        var annId = long.Parse(ann.Id, System.Globalization.CultureInfo.InvariantCulture);
        var actor = $"{server.PublicUrl}/users/deliver_rollback";
        await server.WithDbAsync(async (db, sp) =>
        {
            var delivery = sp.GetRequiredService<ActivityDelivery>();
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                delivery.Enqueue(db, annId, Activity(actor, actor + "#updates/rolled-back"), [sink.Inbox("bob")]);
                await db.SaveChangesAsync();
                await tx.RollbackAsync();
            }
            db.ChangeTracker.Clear();
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                delivery.Enqueue(db, annId, Activity(actor, actor + "#updates/committed"), [sink.Inbox("bob"), sink.Inbox("bob")]);
                await db.SaveChangesAsync();
                await tx.CommitAsync();
            }
            return 0;
        });

        await sink.WaitForAsync(r => r.Count >= 1);
        await server.DrainJobsAsync();
        var only = Assert.Single(sink.Received);
        Assert.Equal(actor + "#updates/committed", only.Id);
        Assert.True(only.Verified, only.SignatureError);
        Assert.Equal(0, await server.WithDbAsync((db, _) => db.Jobs.CountAsync(j => j.Payload.Contains("rolled-back"))));
    }
}
