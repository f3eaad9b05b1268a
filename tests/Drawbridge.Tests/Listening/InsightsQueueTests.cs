using System.Globalization;
using System.Text.Json;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Drawbridge.Listening;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Listening;

/// <summary>A server whose default, insights and mail queues have no workers of their own: the tests run their jobs one at a time.</summary>
public sealed class QuietQueuesServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?>
{
    ["Drawbridge:Jobs:Queues:default:Concurrency"] = "0",
    ["Drawbridge:Jobs:Queues:insights:Concurrency"] = "0",
    ["Drawbridge:Jobs:Queues:mail:Concurrency"] = "0",
});

/// <summary>
/// Model work and the weekly digests run on their own queues: classification and training on <c>insights</c> (training
/// after any classification that is due), the digests on <c>mail</c>; jobs an earlier version stored on <c>default</c>
/// with bare payloads move there and still run.
/// </summary>
public sealed class InsightsQueueTests(QuietQueuesServer server) : IClassFixture<QuietQueuesServer>
{
    private static int _counter;

    private static string Prefix() => "q" + Interlocked.Increment(ref _counter) + Guid.NewGuid().ToString("N")[..5];

    private JobRunner Runner => server.Services.GetRequiredService<JobRunner>();

    private async Task<long> OrganisationIdAsync(Castle c)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        return await db.Accounts.Where(a => a.Handle == c.Handle && a.Domain == null).Select(a => a.Id).SingleAsync();
    }

    private async Task RunAllAsync(string queue)
    {
        while (await Runner.RunOneAsync(queue, CancellationToken.None))
        {
        }
    }

    private async Task<Job> JobAsync(long id)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DrawbridgeDb>().Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    private async Task<JsonElement> ItemAsync(Castle c, string text)
    {
        var items = (await server.Http(c.Responder.Token).GetJsonAsync($"{c.Api}/inbox?limit=200")).GetProperty("items").EnumerateArray();
        return items.Single(i => i.Str("text") == text);
    }

    [Fact]
    public async Task Feedback_is_classified_on_the_insights_queue_not_the_default_one()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        const string food = "The food on the ward was cold and tasteless.";
        await server.Http().PostJsonAsync($"{c.Api}/feedback", new { text = food });
        await RunAllAsync(JobQueues.Default); // intake: the item arrives, waiting for a model
        var waiting = await ItemAsync(c, food);
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("classifiedAt").ValueKind);

        // The default queue has nothing more to do; the insights queue sorts the item.
        Assert.False(await Runner.RunOneAsync(JobQueues.Default, CancellationToken.None));
        await RunAllAsync(JobQueues.Insights);
        var sorted = await ItemAsync(c, food);
        Assert.NotEqual(JsonValueKind.Null, sorted.GetProperty("classifiedAt").ValueKind);
        Assert.Equal("Food and drink", sorted.Str("theme"));
    }

    [Fact]
    public async Task Jobs_an_earlier_version_stored_on_the_default_queue_move_to_their_queues_and_still_run()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var organisationId = await OrganisationIdAsync(c);
        const string parking = "The car park was full and we drove round for an hour.";
        await server.Http().PostJsonAsync($"{c.Api}/feedback", new { text = parking });
        await RunAllAsync(JobQueues.Default);
        long classify, digest;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var ids = scope.ServiceProvider.GetRequiredService<Snowflake>();
            // This version's own classification job is dropped: only the one stored as before is left to sort the item.
            await db.Jobs.Where(j => j.Kind == ClassifyInbox.Kind && j.CompletedAt == null).ExecuteDeleteAsync();
            var old = new[]
            {
                new Job { Id = ids.Next(), Kind = "insights-classify", Queue = JobQueues.Default, Payload = organisationId.ToString(CultureInfo.InvariantCulture), RunAt = DateTime.UtcNow },
                new Job { Id = ids.Next(), Kind = "listening-weekly-digests", Queue = JobQueues.Default, Payload = "", RunAt = DateTime.UtcNow },
            };
            db.Jobs.AddRange(old);
            await db.SaveChangesAsync();
            (classify, digest) = (old[0].Id, old[1].Id);
        }

        Assert.True(await Runner.RehomeAsync(CancellationToken.None) >= 2);
        Assert.Equal(JobQueues.Insights, (await JobAsync(classify)).Queue);
        Assert.Equal(JobQueues.Mail, (await JobAsync(digest)).Queue);
        Assert.False(await Runner.RunOneAsync(JobQueues.Default, CancellationToken.None));

        await RunAllAsync(JobQueues.Insights);
        await RunAllAsync(JobQueues.Mail);
        foreach (var id in new[] { classify, digest })
        {
            var job = await JobAsync(id);
            Assert.True(job.CompletedAt is not null, $"job {job.Kind} did not complete: {job.LastError}");
        }
        var item = await ItemAsync(c, parking);
        Assert.NotEqual(JsonValueKind.Null, item.GetProperty("classifiedAt").ValueKind);
        Assert.Contains("park", item.Str("theme"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_model_training_gives_way_to_classification_that_is_due()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var organisationId = await OrganisationIdAsync(c);
        await RunAllAsync(JobQueues.Insights);
        long train, classify;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            // The training was queued first (a model that no longer exists, so running it does nothing).
            train = queue.Enqueue(db, new TrainInsightsModel(1), DateTime.UtcNow.AddMinutes(-5)).Id;
            classify = queue.Enqueue(db, new ClassifyInbox(organisationId)).Id;
            await db.SaveChangesAsync();
        }
        Assert.True(await Runner.RunOneAsync(JobQueues.Insights, CancellationToken.None));
        Assert.NotNull((await JobAsync(classify)).CompletedAt);
        Assert.Null((await JobAsync(train)).CompletedAt);
        Assert.True(await Runner.RunOneAsync(JobQueues.Insights, CancellationToken.None));
        Assert.NotNull((await JobAsync(train)).CompletedAt);
    }
}
