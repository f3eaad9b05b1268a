namespace Drawbridge.Data;

/// <summary>
/// Time-sortable 64-bit ids: milliseconds since 2020-01-01 in the high bits, a per-process sequence in the
/// low 16 bits, with a node tag so several app nodes never collide. Pagination (max_id / since_id / min_id)
/// is then a range scan over the primary key, as Mastodon clients expect.
/// </summary>
public sealed class Snowflake(TimeProvider clock, int nodeId = 0)
{
    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Lock _gate = new();
    private readonly long _node = nodeId & 0x3F; // 6 bits of node
    private long _lastMs;
    private long _sequence;

    public long Next()
    {
        var ms = (long)(clock.GetUtcNow() - Epoch).TotalMilliseconds;
        lock (_gate)
        {
            if (ms <= _lastMs)
            {
                // Same (or earlier) millisecond: keep ids strictly increasing.
                ms = _lastMs;
                _sequence++;
                if (_sequence > 0x3FF)
                {
                    ms = ++_lastMs;
                    _sequence = 0;
                }
            }
            else
            {
                _lastMs = ms;
                _sequence = 0;
            }
            return (ms << 16) | (_node << 10) | _sequence;
        }
    }

    /// <summary>The smallest id that could have been made at <paramref name="at"/>: for time-based cursors.</summary>
    public static long LowestAt(DateTimeOffset at) => (long)(at - Epoch).TotalMilliseconds << 16;

    public static DateTimeOffset TimeOf(long id) => Epoch.AddMilliseconds(id >> 16);
}
