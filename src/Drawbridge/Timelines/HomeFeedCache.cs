using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Timelines;

/// <summary>
/// The head of each reader's home timeline (the newest post ids with the reader's likes and reposts), kept in memory
/// as Mastodon keeps home feeds in Redis, so reading a first page touches no database. Fan-out forgets the author's
/// followers, and a reader's own follows, mutes, blocks, likes and reposts forget that reader; rarer changes
/// (a post or repost deleted, an account removed) forget everyone. Only with SQLite, where one node makes every
/// change: with PostgreSQL another node's fan-out would go unseen, so there is no cache (lifetime zero).
/// </summary>
public sealed class HomeFeedCache(Web.CacheLifetimes lifetimes, Web.CacheSizes sizes) : IDisposable
{
    /// <summary>How many entries a reader's head holds: the API's largest page.</summary>
    public const int Depth = Data.PageRequest.MaxLimit;

    // Sized in entries: an entry is a 16-byte struct (Drawbridge:Caches:HomeFeedMegabytes).
    private readonly MemoryCache heads = new(new MemoryCacheOptions { SizeLimit = Web.CacheSizes.Bytes(sizes.HomeFeedMegabytes) / 16 });
    private readonly ConcurrentDictionary<long, long> versions = new();
    private long epoch;

    public bool Enabled => lifetimes.HomeFeed > TimeSpan.Zero;

    /// <summary>What a read must hand back to <see cref="Set"/>: a change in between makes its result too old to keep.</summary>
    public (long Epoch, long Version) Stamp(long reader) => (Volatile.Read(ref epoch), versions.GetValueOrDefault(reader));

    public bool TryGet(long reader, out HomeTimelineJson.Entry[] entries) => heads.TryGetValue(reader, out entries!);

    public void Set(long reader, HomeTimelineJson.Entry[] entries, (long Epoch, long Version) stamp)
    {
        if (!Enabled || stamp != Stamp(reader))
        {
            return;
        }
        heads.Set(reader, entries, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetimes.HomeFeed, Size = Math.Max(1, entries.Length) });
    }

    public void Forget(long reader)
    {
        versions.AddOrUpdate(reader, 1, (_, v) => v + 1);
        heads.Remove(reader);
    }

    public void Forget(IEnumerable<long> readers)
    {
        foreach (var reader in readers)
        {
            Forget(reader);
        }
    }

    public void ForgetAll()
    {
        Interlocked.Increment(ref epoch);
        heads.Clear();
    }

    public void Dispose() => heads.Dispose();
}
