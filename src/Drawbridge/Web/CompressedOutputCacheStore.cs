using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;
using Microsoft.AspNetCore.OutputCaching;

namespace Drawbridge.Web;

/// <summary>
/// Keeps whole cached pages LZ4-compressed in the framework's output-cache store. A conversation page is mostly
/// repeated markup, so it shrinks about 3x (10.7 KB to 3.2 KB), and reading it back costs about 2 µs: the same memory
/// holds three times the pages, and a cache too small for the pages visitors read no longer churns (every page
/// evicted and rendered again is garbage the collector has to find). Compression runs once, when a page is stored.
/// The size limit (<see cref="CacheSizes.PublicPagesMegabytes"/>) counts the compressed bytes.
/// It also refuses a page rendered from what was read before an eviction: the change committed and evicted while the
/// page was being rendered, so storing it would serve the old page for its whole lifetime (<see cref="Stamp"/>).
/// </summary>
public sealed class CompressedOutputCacheStore(IOutputCacheStore inner) : IOutputCacheStore
{
    private const byte Raw = 0;
    private const byte Lz4 = 1;
    private const int HeaderLength = 5;

    private const string StampPrefix = "evictions:";
    private long _evictions;

    /// <summary>
    /// A tag for a response about to be rendered: the count of evictions so far. A page whose count is no longer
    /// current when it comes to be stored may show what a change since replaced, and is not kept.
    /// </summary>
    public string Stamp => StampPrefix + Interlocked.Read(ref _evictions).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        // Counted before evicting, so a page stored after this eviction is refused and one stored before it is evicted.
        Interlocked.Increment(ref _evictions);
        return inner.EvictByTagAsync(tag, cancellationToken);
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        Unpack(await inner.GetAsync(key, cancellationToken));

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (tags?.FirstOrDefault(t => t.StartsWith(StampPrefix, StringComparison.Ordinal)) is { } stamp)
        {
            if (stamp != Stamp)
            {
                return ValueTask.CompletedTask;
            }
            tags = tags.Where(t => t != stamp).ToArray();
        }
        return inner.SetAsync(key, Pack(value), tags, validFor, cancellationToken);
    }

    /// <summary>One byte of format and four of original length, then the LZ4 block (or the bytes as they were, when that is smaller).</summary>
    internal static byte[] Pack(byte[] value)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(LZ4Codec.MaximumOutputSize(value.Length));
        try
        {
            var written = LZ4Codec.Encode(value, buffer, LZ4Level.L09_HC);
            var compressed = written > 0 && written < value.Length;
            ReadOnlySpan<byte> body = compressed ? buffer.AsSpan(0, written) : value;
            var packed = new byte[HeaderLength + body.Length];
            packed[0] = compressed ? Lz4 : Raw;
            BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(1), value.Length);
            body.CopyTo(packed.AsSpan(HeaderLength));
            return packed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The stored bytes as they were given; null (a miss) for anything this store did not write.</summary>
    internal static byte[]? Unpack(byte[]? packed)
    {
        if (packed is null || packed.Length < HeaderLength)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(packed.AsSpan(1));
        var payload = packed.AsSpan(HeaderLength);
        switch (packed[0])
        {
            case Raw when length == payload.Length:
                return payload.ToArray();
            case Lz4 when length > 0 && length <= 255 * payload.Length:
                var value = new byte[length];
                return LZ4Codec.Decode(payload, value) == length ? value : null;
            default:
                return null;
        }
    }
}
