namespace Drawbridge.Jobs;

/// <summary>
/// How many requests are feeding a queue right now, so its workers can give way to them. The inboxes mark each
/// delivery in flight against the inbound queue; while <see cref="YieldAtSetting"/> (default 2) or more are in flight at once (a burst from
/// the fediverse), the inbound queue claims one job at a time and waits up to <see cref="MaxYield"/> for a lull before
/// each claim. Accepting a delivery costs about a millisecond of CPU and acting on one about ten, so on a small machine
/// the burst is accepted at full speed first and acted on as it passes, instead of both at a fraction of the speed;
/// activities wait in the queue, which is durable, rather than at the sender's end. Outside a burst nothing waits.
/// </summary>
public sealed class QueuePressure(IConfiguration config)
{
    public const string YieldAtSetting = "Drawbridge:Jobs:InboundYieldAt";
    public const int DefaultYieldAt = 2;

    /// <summary>The longest a claim waits for a lull: so processing goes on, slowly, through a burst that never ends.</summary>
    public static readonly TimeSpan MaxYield = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(20);
    private readonly int _yieldAt = config.GetValue(YieldAtSetting, DefaultYieldAt);
    private int _inbound;

    /// <summary>Deliveries to the inboxes in flight now.</summary>
    public int InboundInFlight => Volatile.Read(ref _inbound);

    /// <summary>Marks one delivery in flight until the returned value is disposed.</summary>
    public Arrival Arriving()
    {
        Interlocked.Increment(ref _inbound);
        return new Arrival(this);
    }

    /// <summary>Whether the inbound queue should give way now (0 turns giving way off).</summary>
    public bool Busy => _yieldAt > 0 && InboundInFlight >= _yieldAt;

    /// <summary>Waits until the burst passes, or <see cref="MaxYield"/>; true when it was busy on arrival.</summary>
    public async Task<bool> GiveWayAsync(CancellationToken ct)
    {
        if (!Busy)
        {
            return false;
        }
        var until = Environment.TickCount64 + (long)MaxYield.TotalMilliseconds;
        while (Busy && Environment.TickCount64 < until)
        {
            await Task.Delay(Look, ct);
        }
        return true;
    }

    public readonly struct Arrival(QueuePressure pressure) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref pressure._inbound);
    }
}
