using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Drawbridge.Streaming;

/// <summary>
/// A stream a connection listens to, in Mastodon's names: <c>user</c>, <c>user:notification</c>, <c>public</c>,
/// <c>public:local</c>, <c>public:remote</c> (each public one also with <c>:media</c>), <c>hashtag</c> and
/// <c>hashtag:local</c> (Param: the tag, lower case), <c>list</c> (Param: the list id), <c>direct</c>; and the web
/// pages' own <c>thread</c> (Param: the conversation id).
/// </summary>
public sealed record StreamSubscription(string Name, string? Param)
{
    public static readonly IReadOnlySet<string> MastodonNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "user", "user:notification", "public", "public:media", "public:local", "public:local:media", "public:remote",
        "public:remote:media", "hashtag", "hashtag:local", "list", "direct",
    };

    public bool NeedsAccount => Name is "user" or "user:notification" or "list" or "direct";

    public bool IsPublic => Name.StartsWith("public", StringComparison.Ordinal);
}

/// <summary>
/// One event as it leaves the hub: the same object goes to every connection subscribed to the same stream, and each
/// transport caches its encoding of it once (<see cref="Encoded"/>), so 2,000 listeners cost 2,000 references, not
/// 2,000 copies.
/// </summary>
public sealed class StreamItem(StreamSubscription stream, string @event, string? payload, long? postId)
{
    public StreamSubscription Stream { get; } = stream;

    /// <summary>Mastodon's event name: update, delete, notification, status.update, filters_changed.</summary>
    public string Event { get; } = @event;

    /// <summary>The entity as JSON (the raw id for delete, nothing for filters_changed).</summary>
    public string? Payload { get; } = payload;

    /// <summary>The post the event is about, for the web pages.</summary>
    public long? PostId { get; } = postId;

    public const int MastodonWebSocket = 0;
    public const int MastodonEventStream = 1;
    public const int WebPage = 2;

    private readonly byte[]?[] _encoded = new byte[]?[3];

    /// <summary>This item in a transport's framing, built once by whichever connection needs it first.</summary>
    public byte[] Encoded(int format, Func<StreamItem, byte[]> encode) => _encoded[format] ??= encode(this);
}

/// <summary>Who an event may reach, and through which streams: worked out once per event by <see cref="StreamingDispatcher"/>.</summary>
public sealed class StreamAudience
{
    /// <summary>Whether the post belongs on the public streams (public, not a reply, not a repost).</summary>
    public bool Public { get; init; }

    public bool HasMedia { get; init; }

    /// <summary>Hashtag streams it belongs on (public posts only).</summary>
    public IReadOnlySet<string> Tags { get; init; } = new HashSet<string>();

    /// <summary>Home timelines it belongs in: the user stream of these accounts.</summary>
    public IReadOnlySet<long> Home { get; init; } = new HashSet<long>();

    /// <summary>The conversation, for the web pages' thread stream; only with <see cref="ThreadViewers"/> deciding who may see it.</summary>
    public long? ConversationId { get; init; }

    /// <summary>Null: anyone may see the post in its thread; else only these accounts (followers-only posts).</summary>
    public IReadOnlySet<long>? ThreadViewers { get; init; }

    /// <summary>Accounts that must not get it at all: those the author blocked, who blocked or muted the author.</summary>
    public IReadOnlySet<long> Excluded { get; init; } = new HashSet<long>();

    /// <summary>Lists it belongs in (list id to owner): lists with the author as a member, owned by someone whose home it reaches.</summary>
    public IReadOnlyDictionary<long, long> Lists { get; init; } = new Dictionary<long, long>();

    /// <summary>For a direct message's conversation event: the one account whose direct stream gets it.</summary>
    public long? DirectRecipient { get; init; }

    /// <summary>For a notification: the one account whose user and user:notification streams get it.</summary>
    public long? NotificationRecipient { get; init; }
}

/// <summary>
/// This node's live connections (WebSocket, server-sent events, the web pages) and what each listens to. The dispatcher
/// hands it an event with its audience; the hub puts it on each matching connection's bounded queue. A connection whose
/// queue is full (a client that stopped reading) is dropped, so a slow reader costs at most its queue.
/// </summary>
public sealed class StreamingHub(ILogger<StreamingHub> logger)
{
    /// <summary>Events a connection may have waiting before it is dropped.</summary>
    public const int QueueCapacity = 256;

    private readonly ConcurrentDictionary<long, StreamConnection> _connections = new();
    private long _nextId;
    private long _dropped;

    public int Count => _connections.Count;

    /// <summary>Connections dropped because they didn't read fast enough, since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <param name="baseUrl">The server's address as this connection reached it: the entities' links are made with it.</param>
    public StreamConnection Connect(long? accountId, string scopes, string baseUrl)
    {
        var connection = new StreamConnection(Interlocked.Increment(ref _nextId), accountId, scopes, baseUrl);
        _connections[connection.Id] = connection;
        return connection;
    }

    public void Disconnect(StreamConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        connection.Complete();
    }

    /// <summary>
    /// Puts an event on every connection subscribed to a stream it belongs on, where its account may see it. The payload
    /// is made once per server address the connections came to (usually one).
    /// </summary>
    public int Deliver(string @event, Func<string, string?> payloadFor, long? postId, StreamAudience audience)
    {
        var items = new Dictionary<(StreamSubscription, string), StreamItem>();
        var payloads = new Dictionary<string, string?>(StringComparer.Ordinal);
        var delivered = 0;
        foreach (var connection in _connections.Values)
        {
            if ((connection.AccountId is { } me && audience.Excluded.Contains(me)) || connection.Closed.IsCancellationRequested)
            {
                continue;
            }
            foreach (var sub in connection.Subscriptions())
            {
                if (!Matches(sub, connection, @event, audience))
                {
                    continue;
                }
                if (!items.TryGetValue((sub, connection.BaseUrl), out var item))
                {
                    if (!payloads.TryGetValue(connection.BaseUrl, out var payload))
                    {
                        payloads[connection.BaseUrl] = payload = payloadFor(connection.BaseUrl);
                    }
                    items[(sub, connection.BaseUrl)] = item = new StreamItem(sub, @event, payload, postId);
                }
                if (!connection.TryEnqueue(item))
                {
                    Interlocked.Increment(ref _dropped);
                    logger.LogInformation("Streaming connection {Id} dropped: {Capacity} events waiting unread", connection.Id, QueueCapacity);
                    Disconnect(connection);
                    break;
                }
                delivered++;
            }
        }
        return delivered;
    }

    private static bool Matches(StreamSubscription sub, StreamConnection connection, string @event, StreamAudience audience)
    {
        if (audience.NotificationRecipient is { } recipient)
        {
            // A token that may read statuses but not notifications gets none on its user stream, as on Mastodon.
            return sub.Name is "user" or "user:notification" && connection.AccountId == recipient
                   && Accounts.ApiScopes.Allows(connection.Scopes, "read:notifications");
        }
        if (audience.DirectRecipient is { } person)
        {
            return sub.Name == "direct" && connection.AccountId == person;
        }
        if (@event == "filters_changed")
        {
            return sub.Name == "user" && audience.Home.Contains(connection.AccountId ?? 0);
        }
        return sub.Name switch
        {
            "user" => connection.AccountId is { } me && audience.Home.Contains(me),
            "public" or "public:local" => audience.Public,
            "public:media" or "public:local:media" => audience.Public && audience.HasMedia,
            "hashtag" or "hashtag:local" => sub.Param is { } tag && audience.Tags.Contains(tag),
            "thread" => audience.ConversationId is { } c && sub.Param == c.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        && (audience.ThreadViewers is null || (connection.AccountId is { } viewer && audience.ThreadViewers.Contains(viewer))),
            "list" => long.TryParse(sub.Param, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var list)
                      && audience.Lists.TryGetValue(list, out var owner) && owner == connection.AccountId,
            // "direct" gets conversation events only (DirectRecipient above).
            _ => false,
        };
    }
}

/// <summary>One live connection: its account (null for a visitor), its token's scopes, its streams and its queue.</summary>
public sealed class StreamConnection
{
    private readonly Channel<StreamItem> _queue;
    private readonly List<StreamSubscription> _subscriptions = [];
    private readonly CancellationTokenSource _closed = new();
    private StreamSubscription[] _snapshot = [];

    internal StreamConnection(long id, long? accountId, string scopes, string baseUrl)
    {
        Id = id;
        AccountId = accountId;
        Scopes = scopes;
        BaseUrl = baseUrl;
        _queue = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(StreamingHub.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Id { get; }
    public long? AccountId { get; }
    public string Scopes { get; }
    public string BaseUrl { get; }

    /// <summary>Cancelled when the hub drops the connection (or it ends): the transport stops and closes.</summary>
    public CancellationToken Closed => _closed.Token;

    public ChannelReader<StreamItem> Reader => _queue.Reader;

    public StreamSubscription[] Subscriptions() => Volatile.Read(ref _snapshot);

    public bool Subscribe(StreamSubscription s)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.Contains(s))
            {
                return false;
            }
            _subscriptions.Add(s);
            Volatile.Write(ref _snapshot, [.. _subscriptions]);
            return true;
        }
    }

    public void Unsubscribe(StreamSubscription s)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(s);
            Volatile.Write(ref _snapshot, [.. _subscriptions]);
        }
    }

    internal bool TryEnqueue(StreamItem item) => _queue.Writer.TryWrite(item);

    /// <summary>A message of the connection's own (an error answering the client): lost if the queue is full.</summary>
    public void TryEnqueueOwn(StreamItem item) => _queue.Writer.TryWrite(item);

    internal void Complete()
    {
        _queue.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
