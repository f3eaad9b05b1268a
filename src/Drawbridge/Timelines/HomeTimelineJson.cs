using System.Buffers;
using System.Text.Json;
using Drawbridge.Api;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Timelines;

/// <summary>
/// The JSON of posts as anyone sees them (no reader-specific marks), kept for a few seconds. Home timelines of
/// different readers share most of their posts, so a page is mostly assembled from bytes already made. Changes on
/// this node forget the post at once; on other nodes the short lifetime bounds how stale counts can be.
/// </summary>
public sealed class PostJsonCache(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public bool TryGet(long postId, out byte[] json) => cache.TryGetValue(Key(postId), out json!);

    public void Set(long postId, byte[] json) =>
        cache.Set(Key(postId), json, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = json.Length });

    public void Forget(long postId) => cache.Remove(Key(postId));

    private static (string, long) Key(long id) => ("post-json", id);
}

/// <summary>
/// The home timeline endpoint's hot path: one compiled query for the page's ids and the reader's likes and reposts,
/// cached JSON for posts the reader hasn't marked, and one batch load for the rest.
/// </summary>
public sealed class HomeTimelineJson(DrawbridgeDb db, TimelineService timelines, PostJsonCache cache)
{
    internal sealed record Entry(long PostId, bool Liked, bool Reposted);

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

    private IAsyncEnumerable<Entry> Entries(long viewer, long before, int take) => db switch
    {
        SqliteDrawbridgeDb s => Page<SqliteDrawbridgeDb>.Query(s, viewer, before, take),
        PostgresDrawbridgeDb p => Page<PostgresDrawbridgeDb>.Query(p, viewer, before, take),
        _ => throw new InvalidOperationException("Unknown database provider"),
    };

    /// <summary>Writes the page as a JSON array; null when the request pages forward (since_id / min_id), which takes the general path.</summary>
    public async Task<byte[]?> PageAsync(long viewerId, PageRequest page, CancellationToken ct)
    {
        if (page.SinceId is not null || page.MinId is not null)
        {
            return null;
        }
        var entries = new List<Entry>(page.Take);
        await foreach (var e in Entries(viewerId, page.MaxId ?? long.MaxValue, page.Take).WithCancellation(ct))
        {
            entries.Add(e);
        }
        var parts = new byte[]?[entries.Count];
        var missing = new List<long>();
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!e.Liked && !e.Reposted && cache.TryGet(e.PostId, out var json))
            {
                parts[i] = json;
            }
            else
            {
                missing.Add(e.PostId);
            }
        }
        if (missing.Count > 0)
        {
            var posts = await db.Posts.AsNoTracking()
                .Where(p => missing.Contains(p.Id) && p.Status == Posts.PostStatus.Published && p.DeletedAt == null).ToListAsync(ct);
            var views = (await timelines.HydrateAsync(posts, viewerId, ct)).ToDictionary(v => v.Post.Id);
            for (var i = 0; i < entries.Count; i++)
            {
                if (parts[i] is null && views.TryGetValue(entries[i].PostId, out var view))
                {
                    var json = JsonSerializer.SerializeToUtf8Bytes(PostDto.From(view), ApiJson.Default.PostDto);
                    parts[i] = json;
                    if (!view.Liked && !view.Reposted && view.RepostOf is not { Liked: true } && view.RepostOf is not { Reposted: true })
                    {
                        cache.Set(view.Post.Id, json);
                    }
                }
            }
        }
        var writer = new ArrayBufferWriter<byte>(64 * 1024);
        writer.Write("["u8);
        var first = true;
        foreach (var part in parts)
        {
            if (part is null)
            {
                continue; // deleted or hidden since it was fanned out
            }
            if (!first)
            {
                writer.Write(","u8);
            }
            writer.Write(part);
            first = false;
        }
        writer.Write("]"u8);
        return writer.WrittenSpan.ToArray();
    }
}
