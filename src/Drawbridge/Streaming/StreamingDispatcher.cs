using System.Globalization;
using System.Threading.Channels;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Mastodon;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Drawbridge.Streaming;

public enum StreamSignalKind { Published, Edited, Deleted, Notification, FiltersChanged }

/// <summary>
/// What travels between nodes: a kind and ids, never an entity (PostgreSQL's NOTIFY takes under 8 kB, and each node
/// renders from its own database what its own connections may see).
/// </summary>
public readonly record struct StreamSignal(StreamSignalKind Kind, long Id, long Other)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(int)Kind}:{Id}:{Other}");

    public static StreamSignal? Parse(string? text) =>
        text?.Split(':') is [var k, var id, var other]
        && int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var kind) && Enum.IsDefined((StreamSignalKind)kind)
        && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
        && long.TryParse(other, NumberStyles.None, CultureInfo.InvariantCulture, out var o)
            ? new StreamSignal((StreamSignalKind)kind, i, o)
            : null;
}

/// <summary>
/// Turns signals into events on this node's connections: reads the post or notification once, works out who may get it
/// (<see cref="StreamAudience"/>), renders Mastodon's entity once per server address, and hands it to the hub. Runs on
/// its own loop, so a post's request never waits for 2,000 listeners.
/// </summary>
public sealed class StreamingDispatcher(IServiceProvider services, StreamingHub hub, ILogger<StreamingDispatcher> logger) : BackgroundService
{
    // Signals arrive in bursts; past this many waiting, the oldest go (live updates only: the timelines have them all).
    private readonly Channel<StreamSignal> _signals = Channel.CreateBounded<StreamSignal>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public void Enqueue(StreamSignal signal) => _signals.Writer.TryWrite(signal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var signal in _signals.Reader.ReadAllAsync(stoppingToken))
        {
            if (hub.Count == 0)
            {
                continue; // nobody listens on this node
            }
            try
            {
                await DispatchAsync(signal, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Streaming {Signal} failed", signal);
            }
        }
    }

    public async Task DispatchAsync(StreamSignal signal, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var timelines = scope.ServiceProvider.GetRequiredService<TimelineService>();
        switch (signal.Kind)
        {
            case StreamSignalKind.Published or StreamSignalKind.Edited:
                {
                    var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == signal.Id, ct);
                    if (post is null || post.Status != PostStatus.Published || post.IsDeleted)
                    {
                        return;
                    }
                    if ((await timelines.HydrateAsync([post], null, ct)).FirstOrDefault() is not { } view)
                    {
                        return;
                    }
                    var audience = await AudienceAsync(db, post, forDelete: false, ct);
                    var @event = signal.Kind == StreamSignalKind.Published ? "update" : "status.update";
                    hub.Deliver(@event, baseUrl => Json(new MastodonProjection(baseUrl).Status(view)), post.RepostOfId is null ? post.Id : null, audience);
                    if (post.Visibility == Visibility.Direct && signal.Kind == StreamSignalKind.Published)
                    {
                        await DeliverConversationAsync(db, post, view, audience.Home, ct);
                    }
                    break;
                }
            case StreamSignalKind.Deleted:
                {
                    var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == signal.Id, ct);
                    var audience = post is not null
                        ? await AudienceAsync(db, post, forDelete: true, ct)
                        : new StreamAudience { Home = await HomeOfAsync(db, signal.Other, null, ct) };
                    var id = signal.Id.ToString(CultureInfo.InvariantCulture);
                    hub.Deliver("delete", _ => id, signal.Id, audience);
                    break;
                }
            case StreamSignalKind.FiltersChanged:
                // No payload, as on Mastodon: the client fetches its filters again.
                hub.Deliver("filters_changed", _ => null, null, new StreamAudience { Home = new HashSet<long> { signal.Id } });
                break;
            case StreamSignalKind.Notification:
                {
                    var n = await db.Notifications.AsNoTracking().FirstOrDefaultAsync(x => x.Id == signal.Id, ct);
                    if (n is null || MastodonProjection.NotificationType(n.Kind) is not { } type || n.ActorId is not { } actorId
                        || await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == actorId, ct) is not { } actor)
                    {
                        return;
                    }
                    PostView? view = null;
                    if (n.PostId is { } pid)
                    {
                        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pid && p.Status == PostStatus.Published && p.DeletedAt == null, ct);
                        view = post is null ? null : (await timelines.HydrateAsync([post], n.RecipientId, ct)).FirstOrDefault();
                        if (view is null)
                        {
                            return; // the post is gone: the notification list leaves it out too
                        }
                    }
                    var id = n.Id.ToString(CultureInfo.InvariantCulture);
                    hub.Deliver("notification", baseUrl =>
                    {
                        var project = new MastodonProjection(baseUrl);
                        var entity = new MastodonNotification(id, type, "ungrouped-" + id, n.CreatedAt, project.Account(actor), view is null ? null : project.Status(view));
                        return System.Text.Json.JsonSerializer.Serialize(entity, MastodonJson.Default.MastodonNotification);
                    }, n.PostId, new StreamAudience { NotificationRecipient = n.RecipientId });
                    break;
                }
        }
    }

    /// <summary>
    /// A direct message reaches the <c>direct</c> stream of each local person in it as Mastodon's <c>conversation</c>
    /// event: the conversation as <c>GET /api/v1/conversations</c> shows it to that person (the others in it, this status last).
    /// </summary>
    private async Task DeliverConversationAsync(DrawbridgeDb db, Post post, PostView view, IReadOnlySet<long> people, CancellationToken ct)
    {
        var accounts = await db.Accounts.AsNoTracking().Where(a => people.Contains(a.Id) && a.DeletionRequestedAt == null).ToDictionaryAsync(a => a.Id, ct);
        foreach (var recipient in people.Where(id => accounts.TryGetValue(id, out var a) && a.Domain is null))
        {
            var others = people.Where(id => id != recipient && accounts.ContainsKey(id)).Select(id => accounts[id]).ToList();
            var conversation = post.ConversationId.ToString(CultureInfo.InvariantCulture);
            hub.Deliver("conversation", baseUrl =>
            {
                var project = new MastodonProjection(baseUrl);
                var entity = new MastodonConversation(conversation, true, others.Select(a => project.Account(a)).ToList(), project.Status(view));
                return System.Text.Json.JsonSerializer.Serialize(entity, MastodonJson.Default.MastodonConversation);
            }, null, new StreamAudience { DirectRecipient = recipient });
        }
    }

    private static string Json(MastodonStatus status) => System.Text.Json.JsonSerializer.Serialize(status, MastodonJson.Default.MastodonStatus);

    /// <summary>Who may get a post: the timelines it belongs on, as the REST timelines and the fan-out job decide them.</summary>
    private static async Task<StreamAudience> AudienceAsync(DrawbridgeDb db, Post post, bool forDelete, CancellationToken ct)
    {
        var isPublic = post.Visibility == Visibility.Public;
        if (post.Visibility == Visibility.Direct)
        {
            // Only the people in it, anywhere: its author and those it mentions.
            var people = (await db.PostMentions.AsNoTracking().Where(m => m.PostId == post.Id).Select(m => m.AccountId).ToListAsync(ct)).ToHashSet();
            people.Add(post.AuthorId);
            return new StreamAudience { Home = people, ThreadViewers = people, ConversationId = post.ConversationId };
        }
        var replyTo = post.InReplyToAuthorId is { } r && r != post.AuthorId ? r : (long?)null;
        var home = await HomeOfAsync(db, post.AuthorId, forDelete ? null : replyTo, ct);
        var tags = isPublic && post.RepostOfId is null
            ? (await db.PostTags.AsNoTracking().Where(t => t.PostId == post.Id).Select(t => t.Tag).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal)
            : [];
        HashSet<long>? threadViewers = null;
        if (post.Visibility == Visibility.Followers)
        {
            threadViewers = await db.Follows.AsNoTracking().Where(f => f.FolloweeId == post.AuthorId && f.State == FollowState.Accepted).Select(f => f.FollowerId).ToHashSetAsync(ct);
            threadViewers.Add(post.AuthorId);
            threadViewers.UnionWith(await db.PostMentions.AsNoTracking().Where(m => m.PostId == post.Id).Select(m => m.AccountId).ToListAsync(ct));
        }
        var author = post.AuthorId;
        // Every list that holds the author, read once: the list streams, and the exclusive ones for the user stream.
        var authorLists = await db.Set<ListMember>().AsNoTracking().Where(m => m.AccountId == author)
            .Join(db.Set<AccountList>().AsNoTracking(), m => m.ListId, l => l.Id, (m, l) => new { l.Id, l.OwnerId, l.Exclusive, l.RepliesPolicy })
            .ToListAsync(ct);
        // The author's lists, for owners the post reaches at home; a list that shows no replies gets none.
        var toSomeoneElse = post.InReplyToId is not null && post.InReplyToAuthorId != author;
        var listOwners = authorLists.Where(l => !(toSomeoneElse && l.RepliesPolicy == ListReplies.None));
        // The user stream follows the home timeline's rules (FanOutJob): an exclusive list keeps its members' posts out
        // of its owner's home, and people following one of a public post's hashtags get it there.
        var homeStream = home.ToHashSet();
        if (tags.Count > 0)
        {
            homeStream.UnionWith(await FanOutJob.TagFollowers(db, post.Id).ToListAsync(ct));
        }
        homeStream.ExceptWith(authorLists.Where(l => l.Exclusive && l.OwnerId != author).Select(l => l.OwnerId));
        var excluded = await db.Blocks.AsNoTracking().Where(b => b.BlockerId == author).Select(b => b.BlockedId)
            .Concat(db.Blocks.AsNoTracking().Where(b => b.BlockedId == author).Select(b => b.BlockerId))
            .Concat(db.Mutes.AsNoTracking().Where(m => m.MutedId == author).Select(m => m.MuterId))
            .ToListAsync(ct);
        return new StreamAudience
        {
            Public = isPublic && post.InReplyToId is null && post.RepostOfId is null,
            HasMedia = await db.Media.AsNoTracking().AnyAsync(m => m.PostId == post.Id, ct),
            Tags = tags,
            Home = homeStream,
            Lists = listOwners.Where(l => home.Contains(l.OwnerId)).ToDictionary(l => l.Id, l => l.OwnerId),
            ConversationId = post.RepostOfId is null ? post.ConversationId : null,
            ThreadViewers = threadViewers,
            Excluded = excluded.Where(id => id != author).ToHashSet(),
        };
    }

    /// <summary>
    /// The author and the followers whose home timeline gets the post: for a reply to someone else, only followers who
    /// also follow that account (the fan-out job's rule).
    /// </summary>
    private static async Task<IReadOnlySet<long>> HomeOfAsync(DrawbridgeDb db, long authorId, long? replyTo, CancellationToken ct)
    {
        var followers = db.Follows.AsNoTracking().Where(f => f.FolloweeId == authorId && f.State == FollowState.Accepted).Select(f => f.FollowerId);
        if (replyTo is { } other)
        {
            followers = followers.Where(f => f == other || db.Follows.Any(g => g.FollowerId == f && g.FolloweeId == other && g.State == FollowState.Accepted));
        }
        var home = await followers.ToHashSetAsync(ct);
        home.Add(authorId);
        return home;
    }
}

/// <summary>How a node tells every node (itself included) that something happened.</summary>
public interface IStreamBus
{
    Task PublishAsync(StreamSignal signal, CancellationToken ct);
}

/// <summary>One node (SQLite): straight to this node's dispatcher.</summary>
public sealed class LocalStreamBus(StreamingDispatcher dispatcher) : IStreamBus
{
    public Task PublishAsync(StreamSignal signal, CancellationToken ct)
    {
        dispatcher.Enqueue(signal);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Several nodes on PostgreSQL: the signal goes out with NOTIFY on one channel, and every node's
/// <see cref="PostgresStreamListener"/> (this one's too) hands it to its own dispatcher.
/// </summary>
public sealed class PostgresStreamBus(IConfiguration configuration) : IStreamBus
{
    public const string Channel = "drawbridge_stream";

    public async Task PublishAsync(StreamSignal signal, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(configuration.GetConnectionString("Drawbridge"));
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        command.Parameters.AddWithValue("channel", Channel);
        command.Parameters.AddWithValue("payload", signal.ToString());
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// Holds one connection that LISTENs for other nodes' signals (and this node's own), reconnecting after a failure.
/// Signals sent while it is reconnecting are missed: live updates only, the timelines have every post.
/// </summary>
public sealed class PostgresStreamListener(IConfiguration configuration, StreamingDispatcher dispatcher, ILogger<PostgresStreamListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Its own connection, kept open, outside the pool: LISTEN belongs to a session.
                var cs = new Npgsql.NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Drawbridge")) { Pooling = false, KeepAlive = 30 }.ToString();
                await using var connection = new Npgsql.NpgsqlConnection(cs);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (StreamSignal.Parse(e.Payload) is { } signal)
                    {
                        dispatcher.Enqueue(signal);
                    }
                };
                await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {PostgresStreamBus.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                Ready.TrySetResult();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Listening for other nodes' live updates failed; trying again in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Completes once the first LISTEN is in place.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>After a change commits, tells every node's streams about it.</summary>
public sealed class StreamingEvents(IStreamBus bus) :
    IEventHandler<PostPublished>, IEventHandler<PostReposted>, IEventHandler<PostEdited>, IEventHandler<PostDeleted>,
    IEventHandler<NotificationCreated>, IEventHandler<FiltersChanged>
{
    public Task HandleAsync(FiltersChanged e, CancellationToken ct) => bus.PublishAsync(new StreamSignal(StreamSignalKind.FiltersChanged, e.OwnerId, 0), ct);

    public Task HandleAsync(PostPublished e, CancellationToken ct) => bus.PublishAsync(new StreamSignal(StreamSignalKind.Published, e.PostId, e.AuthorId), ct);

    public Task HandleAsync(PostReposted e, CancellationToken ct) => bus.PublishAsync(new StreamSignal(StreamSignalKind.Published, e.RepostId, e.AccountId), ct);

    public Task HandleAsync(PostEdited e, CancellationToken ct) =>
        e.Published ? bus.PublishAsync(new StreamSignal(StreamSignalKind.Edited, e.PostId, e.AuthorId), ct) : Task.CompletedTask;

    public Task HandleAsync(PostDeleted e, CancellationToken ct) =>
        e.WasPublished ? bus.PublishAsync(new StreamSignal(StreamSignalKind.Deleted, e.PostId, e.AuthorId), ct) : Task.CompletedTask;

    public Task HandleAsync(NotificationCreated e, CancellationToken ct) => bus.PublishAsync(new StreamSignal(StreamSignalKind.Notification, e.NotificationId, e.RecipientId), ct);
}
