using Drawbridge.Data;
using Drawbridge.Jobs;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drawbridge.Tests;

/// <summary>Durable jobs are claimed once even when several nodes' runners compete for them.</summary>
public abstract class JobTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    [Fact]
    public async Task Competing_runners_run_each_job_exactly_once()
    {
        var author = await server.SignUpAsync($"jobs{Guid.NewGuid():N}"[..16]);
        using var h = server.Http(author.Token);
        // Twenty posts make twenty fan-out jobs; stop the server's own runner from taking them first by adding more
        // runners than it, all started together.
        var runners = Enumerable.Range(0, 4).Select(_ => new JobRunner(server.Services, server.Services.GetRequiredService<JobQueue>(), TimeProvider.System, NullLogger<JobRunner>.Instance)).ToList();
        for (var i = 0; i < 20; i++)
        {
            await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"job {i}" });
        }
        await Task.WhenAll(runners.Select(async r =>
        {
            while (await r.RunOneAsync(CancellationToken.None))
            {
            }
        }));
        await server.DrainJobsAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var jobs = await db.Jobs.Where(j => j.Kind == Timelines.FanOutJob.KindName).ToListAsync();
        Assert.True(jobs.Count >= 20);
        Assert.All(jobs, j =>
        {
            Assert.NotNull(j.CompletedAt);
            Assert.Equal(1, j.Attempts);
        });
    }
}

public sealed class SqliteJobTests(DrawbridgeServer server) : JobTests<DrawbridgeServer>(server);

public sealed class PostgresJobTests(PostgresDrawbridgeServer server) : JobTests<PostgresDrawbridgeServer>(server);
