using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Drawbridge.Api;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;

namespace Drawbridge.Timelines;

/// <summary>
/// The JSON of posts as anyone sees them (no reader-specific marks). Home timelines of different readers share most
/// of their posts, so a page is mostly assembled from bytes already made. Every change on this node forgets the post
/// at once (see <see cref="Web.PublicPageCache"/>); the lifetime (<see cref="Web.CacheLifetimes"/>) bounds how stale
/// counts can be when other nodes make the change. Its own bounded store, so a flood of posts can't crowd out the rest.
/// </summary>
public sealed class PostJsonCache(Web.CacheLifetimes lifetimes, Web.CacheSizes sizes) : IDisposable
{
    // At most this many bytes of JSON (Drawbridge:Caches:PostJsonMegabytes) are kept; the least recently used go first.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Web.CacheSizes.Bytes(sizes.PostJsonMegabytes), CompactionPercentage = 0.25 });

    // A repost's JSON embeds its original, so forgetting the original forgets its cached reposts too.
    private readonly ConcurrentDictionary<long, CancellationTokenSource> reposts = new();

    /// <summary>A post's JSON, and the original it embeds when it is a repost (the reader's marks on that show too).</summary>
    public sealed record Entry(byte[] Json, long? RepostOfId);

    public bool TryGet(long postId, out Entry entry) => cache.TryGetValue(postId, out entry!);

    public void Set(long postId, byte[] json, long? repostOfId) => Store(postId, json, repostOfId);

    private void Store(object key, byte[] json, long? repostOfId)
    {
        var options = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetimes.PostJson, Size = json.Length + 64 };
        if (repostOfId is { } original)
        {
            if (reposts.Count > 50_000)
            {
                Clear(); // rather than let the bookkeeping grow without bound
            }
            options.ExpirationTokens.Add(new CancellationChangeToken(reposts.GetOrAdd(original, _ => new CancellationTokenSource()).Token));
        }
        cache.Set(key, new Entry(json, repostOfId), options);
    }

    // Mastodon's statuses carry absolute URLs: kept per public address (one, unless the server is reached by several names).
    private readonly record struct MastodonKey(long PostId, string BaseUrl);

    private readonly ConcurrentDictionary<string, byte> baseUrls = new();

    /// <summary>A post as Mastodon's Status for a reader who hasn't marked it, under this public address.</summary>
    public bool TryGetMastodon(long postId, string baseUrl, out Entry entry) => cache.TryGetValue(new MastodonKey(postId, baseUrl), out entry!);

    public void SetMastodon(long postId, string baseUrl, byte[] json, long? repostOfId)
    {
        if (baseUrls.Count >= 4 && !baseUrls.ContainsKey(baseUrl))
        {
            return; // addresses beyond the first few aren't worth keeping twice
        }
        baseUrls.TryAdd(baseUrl, 0);
        Store(new MastodonKey(postId, baseUrl), json, repostOfId);
    }

    public void Forget(long postId)
    {
        cache.Remove(postId);
        foreach (var baseUrl in baseUrls.Keys)
        {
            cache.Remove(new MastodonKey(postId, baseUrl));
        }
        ForgetReposts(postId);
    }

    public void Clear()
    {
        cache.Clear();
        foreach (var id in reposts.Keys)
        {
            ForgetReposts(id);
        }
    }

    private void ForgetReposts(long originalId)
    {
        if (reposts.TryRemove(originalId, out var dependents))
        {
            dependents.Cancel();
            dependents.Dispose();
        }
    }

    public void Dispose()
    {
        Clear();
        cache.Dispose();
    }
}

/// <summary>
/// The home timeline endpoint's hot path: the page's ids and the reader's likes and reposts (from the reader's cached
/// head for a first page with SQLite, else one query: a prepared statement on the SQLite read pool, or a compiled EF
/// query), cached JSON for posts the reader hasn't marked, and one batch load for the rest.
/// </summary>
public sealed class HomeTimelineJson(IServiceProvider services, PostJsonCache cache, HomeFeedCache feeds, SqliteReadPool? sqlite = null)
{
    // Resolved only when needed: a page served from the read pool and the cache never leases a DbContext.
    private DrawbridgeDb Db => services.GetRequiredService<DrawbridgeDb>();
    private TimelineService Timelines => services.GetRequiredService<TimelineService>();

    // The compiled query below, as SQLite runs it, for the read pool's prepared statement.
    private const string SqlitePageSql =
        """
        SELECT h.PostId,
               EXISTS (SELECT 1 FROM likes AS l WHERE l.AccountId = $p0 AND l.PostId = h.PostId),
               EXISTS (SELECT 1 FROM posts AS r WHERE r.RepostOfId = h.PostId AND r.AuthorId = $p0)
        FROM home_feed AS h
        WHERE h.OwnerId = $p0 AND h.PostId < $p1
          AND NOT EXISTS (SELECT 1 FROM mutes AS m WHERE m.MuterId = $p0 AND m.MutedId = h.AuthorId)
        ORDER BY h.PostId DESC
        LIMIT $p2
        """;

    public readonly record struct Entry(long PostId, bool Liked, bool Reposted);

    private static class Page<TDb> where TDb : DrawbridgeDb
    {
        public static readonly Func<TDb, long, long, int, IAsyncEnumerable<Entry>> Query = EF.CompileAsyncQuery(
            (TDb db, long viewer, long before, int take) =>
                db.HomeFeed
                    .Where(h => h.OwnerId == viewer && h.PostId < before && !db.Mutes.Any(m => m.MuterId == viewer && m.MutedId == h.AuthorId))
                    .OrderByDescending(h => h.PostId)
                    .Take(take)
                    .Select(h => new Entry(h.PostId,
                        db.Likes.Any(l => l.AccountId == viewer && l.PostId == h.PostId),
                        db.Posts.Any(r => r.RepostOfId == h.PostId && r.AuthorId == viewer))));
    }

    private IAsyncEnumerable<Entry> Entries(long viewer, long before, int take) => Db switch
    {
        SqliteDrawbridgeDb s => Page<SqliteDrawbridgeDb>.Query(s, viewer, before, take),
        PostgresDrawbridgeDb p => Page<PostgresDrawbridgeDb>.Query(p, viewer, before, take),
        _ => throw new InvalidOperationException("Unknown database provider"),
    };

    private async Task<List<Entry>> ReadAsync(long viewer, long before, int take, CancellationToken ct)
    {
        var entries = new List<Entry>(take);
        if (sqlite is not null)
        {
            ReadFromPool(sqlite, viewer, before, take, entries);
        }
        else
        {
            await foreach (var e in Entries(viewer, before, take).WithCancellation(ct))
            {
                entries.Add(e);
            }
        }
        return entries;
    }

    private static void ReadFromPool(SqliteReadPool pool, long viewer, long before, int take, List<Entry> entries)
    {
        var reader = pool.Rent();
        try
        {
            var command = reader.Command(SqlitePageSql, 3);
            command.Parameters[0].Value = viewer;
            command.Parameters[1].Value = before;
            command.Parameters[2].Value = take;
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                entries.Add(new Entry(rows.GetInt64(0), rows.GetInt64(1) != 0, rows.GetInt64(2) != 0));
            }
        }
        catch
        {
            reader.Broken = true;
            throw;
        }
        finally
        {
            pool.Return(reader);
        }
    }

    /// <summary>Writes the page as a JSON array; null when the request pages forward (since_id / min_id), which takes the general path.</summary>
    public async Task<JsonArrayResult?> PageAsync(long viewerId, PageRequest page, CancellationToken ct)
    {
        if (await EntriesAsync(viewerId, page, ct) is not { } entries)
        {
            return null;
        }
        return await RenderAsync(viewerId, entries, ct);
    }

    /// <summary>
    /// The page's entries with the reader's likes and reposts: from the reader's cached head for a first page, else one
    /// query; null when the request pages forward (since_id / min_id). Mastodon's home timeline shares this.
    /// </summary>
    public async Task<IReadOnlyList<Entry>?> EntriesAsync(long viewerId, PageRequest page, CancellationToken ct)
    {
        if (page.SinceId is not null || page.MinId is not null)
        {
            return null;
        }
        IReadOnlyList<Entry> entries;
        if (feeds.Enabled && page.MaxId is null)
        {
            // The first page, the one clients poll: from the reader's cached head when it is there.
            if (!feeds.TryGet(viewerId, out var head))
            {
                var stamp = feeds.Stamp(viewerId);
                head = [.. await ReadAsync(viewerId, long.MaxValue, HomeFeedCache.Depth, ct)];
                feeds.Set(viewerId, head, stamp);
            }
            entries = head.Length <= page.Take ? head : head[..page.Take];
        }
        else
        {
            entries = await ReadAsync(viewerId, page.MaxId ?? long.MaxValue, page.Take, ct);
        }
        return entries;
    }

    private async Task<JsonArrayResult> RenderAsync(long viewerId, IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        var parts = new byte[]?[entries.Count];
        var missing = new List<long>();
        List<(int Index, long Original)>? reposts = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!e.Liked && !e.Reposted && cache.TryGet(e.PostId, out var hit))
            {
                parts[i] = hit.Json;
                if (hit.RepostOfId is { } original)
                {
                    (reposts ??= []).Add((i, original));
                }
            }
            else
            {
                missing.Add(e.PostId);
            }
        }
        if (reposts is not null)
        {
            // JSON made for readers who hadn't marked the original can't be shown to one who has.
            var (liked, reposted) = await Timelines.MarksAsync(viewerId, reposts.Select(r => r.Original).Distinct().ToList(), ct);
            foreach (var (index, original) in reposts)
            {
                if (liked.Contains(original) || reposted.Contains(original))
                {
                    parts[index] = null;
                    missing.Add(entries[index].PostId);
                }
            }
        }
        if (missing.Count > 0)
        {
            var posts = await Db.Posts.AsNoTracking()
                .Where(p => missing.Contains(p.Id) && p.Status == Posts.PostStatus.Published && p.DeletedAt == null).ToListAsync(ct);
            var views = (await Timelines.HydrateAsync(posts, viewerId, ct)).ToDictionary(v => v.Post.Id);
            for (var i = 0; i < entries.Count; i++)
            {
                if (parts[i] is null && views.TryGetValue(entries[i].PostId, out var view))
                {
                    var json = JsonSerializer.SerializeToUtf8Bytes(PostDto.From(view), ApiJson.Default.PostDto);
                    parts[i] = json;
                    if (!view.Liked && !view.Reposted && view.RepostOf is not { Liked: true } && view.RepostOf is not { Reposted: true })
                    {
                        cache.Set(view.Post.Id, json, view.Post.RepostOfId);
                    }
                }
            }
        }
        return new JsonArrayResult(parts);
    }
}

/// <summary>
/// A JSON array written straight from its elements' bytes (null elements are left out): no copy of the page is
/// assembled first, and the length is known, so the response isn't chunked.
/// </summary>
public sealed class JsonArrayResult(byte[]?[] elements) : IResult
{
    public long Length
    {
        get
        {
            long length = 2;
            var count = 0;
            foreach (var e in elements)
            {
                if (e is not null)
                {
                    length += e.Length;
                    count++;
                }
            }
            return length + Math.Max(0, count - 1);
        }
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = Length;
        var writer = response.BodyWriter;
        writer.Write("["u8);
        var first = true;
        foreach (var e in elements)
        {
            if (e is null)
            {
                continue; // deleted or hidden since it was fanned out
            }
            if (!first)
            {
                writer.Write(","u8);
            }
            writer.Write(e);
            first = false;
        }
        writer.Write("]"u8);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
