using System.Collections.Concurrent;
using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Jobs;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>What a test handler saw: each event, and whether the change was already visible to another reader then.</summary>
public sealed class EventLog
{
    public ConcurrentQueue<(IDomainEvent Event, bool CommittedWhenSeen)> AfterCommit { get; } = new();
    public ConcurrentQueue<IDomainEvent> InTransaction { get; } = new();
}

/// <summary>Records likes after commit (checking from a scope of its own that the like is there) and stages a job in the transaction.</summary>
public sealed class RecordingHandler(EventLog log, IServiceProvider services, JobQueue jobs) : IEventHandler<PostLiked>, ITransactionalEventHandler<PostLiked>
{
    public const string JobKind = "test-like-recorded";

    public async Task HandleAsync(PostLiked e, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        log.AfterCommit.Enqueue((e, await db.Likes.AnyAsync(l => l.AccountId == e.AccountId && l.PostId == e.PostId, ct)));
    }

    public Task HandleAsync(PostLiked e, DrawbridgeDb db, CancellationToken ct)
    {
        log.InTransaction.Enqueue(e);
        jobs.Enqueue(db, new LikeRecorded(e.PostId), DateTime.UtcNow.AddYears(1));
        return Task.CompletedTask;
    }
}

/// <summary>The job the recording handler stages (never run: it is due in a year).</summary>
public sealed record LikeRecorded(long PostId) : IJobPayload<LikeRecorded>
{
    public static string Kind => RecordingHandler.JobKind;
    public static string Queue => JobQueues.Default;

    /// <summary>The payload as stored: the record in JSON.</summary>
    public static string Stored(long postId) => "{\"postId\":" + postId.ToString(CultureInfo.InvariantCulture) + "}";
}

public sealed class EventRecordingServer : DrawbridgeServer
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<EventLog>().AddEventHandler<RecordingHandler>());
    }
}

public sealed class DomainEventTests(EventRecordingServer server) : IClassFixture<EventRecordingServer>
{
    private EventLog Log => server.Services.GetRequiredService<EventLog>();

    [Fact]
    public async Task A_handler_sees_each_event_once_after_the_change_commits()
    {
        var author = await server.SignUpAsync("evauthor");
        var reader = await server.SignUpAsync("evreader");
        var post = await server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Like me" });
        var postId = long.Parse(post.Str("id"), CultureInfo.InvariantCulture);
        using var r = server.Http(reader.Token);
        await r.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/like");
        await r.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/like"); // already liked: no change, no event

        var seen = Log.AfterCommit.Where(x => ((PostLiked)x.Event).PostId == postId).ToList();
        var liked = Assert.Single(seen);
        Assert.True(liked.CommittedWhenSeen, "the handler ran before the like was committed");
        Assert.Equal(new PostLiked(long.Parse(reader.Id, CultureInfo.InvariantCulture), postId, long.Parse(author.Id, CultureInfo.InvariantCulture), postId), liked.Event);
        // The transactional handler's job was stored with the like.
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Kind == RecordingHandler.JobKind && j.Payload == LikeRecorded.Stored(postId)));
    }

    [Fact]
    public async Task A_rolled_back_change_dispatches_nothing_and_stores_nothing_its_handlers_staged()
    {
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var events = scope.ServiceProvider.GetRequiredService<DomainEvents>();
            // Account 1 liking its own post: no notification, so no row needs account 1 to exist.
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                await events.RaiseAsync(db, new PostLiked(1, 424242, 1, 424242), CancellationToken.None);
                await db.SaveChangesAsync();
                await tx.RollbackAsync();
            }
            // An abandoned transaction (disposed without commit) is dropped too.
            await using (await db.Database.BeginTransactionAsync())
            {
                await events.RaiseAsync(db, new PostLiked(1, 434343, 1, 434343), CancellationToken.None);
                await db.SaveChangesAsync();
            }
            // A later change on the same context dispatches only its own event.
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                await events.RaiseAsync(db, new PostLiked(1, 454545, 1, 454545), CancellationToken.None);
                await db.SaveChangesAsync();
                await tx.CommitAsync();
            }
        }
        Assert.Contains(Log.InTransaction, e => ((PostLiked)e).PostId == 424242);
        Assert.DoesNotContain(Log.AfterCommit, x => ((PostLiked)x.Event).PostId is 424242 or 434343);
        Assert.Single(Log.AfterCommit, x => ((PostLiked)x.Event).PostId == 454545);
        await using var check = server.Services.CreateAsyncScope();
        var jobs = check.ServiceProvider.GetRequiredService<DrawbridgeDb>().Jobs;
        Assert.False(await jobs.AnyAsync(j => j.Kind == RecordingHandler.JobKind && (j.Payload == LikeRecorded.Stored(424242) || j.Payload == LikeRecorded.Stored(434343))));
        Assert.True(await jobs.AnyAsync(j => j.Kind == RecordingHandler.JobKind && j.Payload == LikeRecorded.Stored(454545)));
    }
}
