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

    /// <summary>An organisation model, ready: the shipped model's bytes stand in for a training the other tests make.</summary>
    private async Task<long> AddReadyModelAsync(long organisationId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var id = scope.ServiceProvider.GetRequiredService<Snowflake>().Next();
        db.Add(new InsightsModelRecord
        {
            Id = id, OrganisationId = organisationId, FrameworkName = DefaultInsights.Framework.Name, FrameworkVersion = DefaultInsights.Framework.Version,
            FrameworkJson = DefaultInsights.FrameworkJson, DataFileName = DefaultInsights.DataFileName, DataFile = DefaultInsights.Data,
            State = InsightsModelState.Ready, Model = DefaultInsights.ShippedModel, CreatedAt = DateTime.UtcNow, TrainedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return id;
    }

    [Fact]
    public async Task Switching_a_model_on_resets_nothing_and_its_job_sorts_what_another_model_sorted()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var organisationId = await OrganisationIdAsync(c);
        using var responder = server.Http(c.Responder.Token);
        string[] texts = ["The food on the ward was cold and tasteless.", "The car park was full and we drove round for an hour.", "We waited five hours to be seen."];
        foreach (var text in texts)
        {
            await server.Http().PostJsonAsync($"{c.Api}/feedback", new { text });
        }
        await RunAllAsync(JobQueues.Default);
        await RunAllAsync(JobQueues.Insights);
        var corrected = (await ItemAsync(c, texts[2])).Str("id");
        await responder.PostJsonAsync($"{c.Api}/inbox/{corrected}/themes", new { themes = new[] { "waiting" } });
        var before = texts.ToDictionary(t => t, t => 0L);
        foreach (var text in texts)
        {
            before[text] = (await ItemAsync(c, text)).GetProperty("classifiedAt").GetDateTime().Ticks;
        }

        // An organisation model, ready.
        long defaultId;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            defaultId = await db.Set<InsightsModelRecord>().Where(m => m.OrganisationId == null && m.State == InsightsModelState.Ready).MaxAsync(m => m.Id);
        }
        var modelId = await AddReadyModelAsync(organisationId);
        var activated = await server.Http(c.Admin.Token).PostAsync($"{c.Api}/insights/models/{modelId}/activate", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, activated.StatusCode);

        // Nothing was reset: every item keeps its themes and when it was sorted until the new model's job runs.
        foreach (var text in texts)
        {
            var item = await ItemAsync(c, text);
            Assert.Equal(before[text], item.GetProperty("classifiedAt").GetDateTime().Ticks);
            Assert.NotEqual(JsonValueKind.Null, item.GetProperty("theme").ValueKind);
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            // Each item still names the model that sorted it: that, not a reset, is what the new model's job goes by, so
            // a job of the old model that saved late is simply followed by one more pass.
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            Assert.Equal(3, await db.Set<InboxItem>().CountAsync(i => i.OrganisationId == organisationId && i.ClassifiedByModelId == defaultId));
        }

        await RunAllAsync(JobQueues.Insights);
        foreach (var text in texts.Take(2))
        {
            Assert.True((await ItemAsync(c, text)).GetProperty("classifiedAt").GetDateTime().Ticks > before[text], $"'{text}' was not sorted again");
        }
        // A staff correction keeps the item from being sorted again.
        var kept = await ItemAsync(c, texts[2]);
        Assert.Equal(before[texts[2]], kept.GetProperty("classifiedAt").GetDateTime().Ticks);
        Assert.True(kept.GetProperty("themeCorrected").GetBoolean());
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            Assert.Equal(2, await db.Set<InboxItem>().CountAsync(i => i.OrganisationId == organisationId && i.ClassifiedByModelId == modelId));
            // Nothing is left for the model in use: a job staged now finds no work.
            Assert.Equal(0, await InboxClassification.ToClassify(db, organisationId, modelId).CountAsync());
        }

        // Switched to another model and back, the other model's pass having run elsewhere (another node): what it sorted
        // is sorted again, though this node had already looked through the items once for this model.
        var otherId = await AddReadyModelAsync(organisationId);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Http(c.Admin.Token).PostAsync($"{c.Api}/insights/models/{otherId}/activate", null)).StatusCode);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            await db.Set<InboxItem>().Where(i => i.OrganisationId == organisationId && !i.ThemeCorrected)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.ClassifiedByModelId, otherId).SetProperty(i => i.ClassifiedAt, DateTime.UtcNow));
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Http(c.Admin.Token).PostAsync($"{c.Api}/insights/models/{modelId}/activate", null)).StatusCode);
        await RunAllAsync(JobQueues.Insights);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            Assert.Equal(2, await db.Set<InboxItem>().CountAsync(i => i.OrganisationId == organisationId && i.ClassifiedByModelId == modelId));
            Assert.Equal(0, await InboxClassification.ToClassify(db, organisationId, modelId).CountAsync());
        }
    }
}
