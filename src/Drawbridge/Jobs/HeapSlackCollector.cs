namespace Drawbridge.Jobs;

/// <summary>
/// Keeps the managed heap within a fixed margin of what was live after the last full collection.
/// <para>
/// The collector starts a full collection when the second generation has used up its budget, and it sizes that
/// budget from the survivors: with about 50 MB live, the heap was measured growing by another 20–40 MB of garbage
/// before a full collection came, longest when readers rebuilt caches (each cached head or post replaced puts its
/// old copy into the second generation). Which load was running when the budget ran out moved the server's resident
/// memory by as much from one benchmark run to the next. .NET has a hard heap limit (which throws when reached) but no
/// soft one, as Go's <c>GOMEMLIMIT</c> is; this service is that soft limit, held relative to the live data.
/// </para>
/// Part of the low-memory profile (<see cref="LowMemoryProfile"/>): off by default, since each forced collection
/// stops the server for tens of milliseconds; on in that profile, or with <see cref="SlackSetting"/> set.
/// Every <see cref="IntervalSetting"/> seconds (default 2) it compares the heap's size at the last collection of any
/// generation with the live size after the last full one; when the heap has grown by more than
/// <see cref="SlackSetting"/> megabytes (16 in the low-memory profile, else 0) it runs a blocking, compacting full collection: at most one an
/// interval, and none in the interval after the runtime ran one itself. On the benchmark's server (about 50 MB live)
/// such a collection took 32–88 ms, as the runtime's own full collections of that heap do, and ran 6 times in a
/// five-minute benchmark run. 0 turns it off. Counted in
/// <c>drawbridge_managed_heap_collections_total</c>.
/// </summary>
public sealed class HeapSlackCollector(IConfiguration config, DrawbridgeMetrics metrics, ILogger<HeapSlackCollector> logger) : BackgroundService
{
    public const string SlackSetting = "Drawbridge:Memory:HeapSlackMegabytes";
    public const string IntervalSetting = "Drawbridge:Memory:HeapCheckSeconds";
    public const int LowMemorySlackMegabytes = 16;

    /// <summary>The runtime switch the build sets with <c>-p:DrawbridgeMemoryProfile=low</c> (Drawbridge.csproj).</summary>
    public const string LowMemorySwitch = "Drawbridge.LowMemoryProfile";

    /// <summary>Whether this build runs the low-memory profile.</summary>
    public static bool LowMemoryProfile => AppContext.TryGetSwitch(LowMemorySwitch, out var on) && on;

    public static int DefaultSlackMegabytes => LowMemoryProfile ? LowMemorySlackMegabytes : 0;
    public const double DefaultIntervalSeconds = 2;

    // The heap is the process's, not the host's: when several hosts share a process (tests) only one of them collects
    // in a given interval.
    private static long lastCheckTicks;

    /// <summary>
    /// Whether the heap has outgrown its live data by more than the slack. <paramref name="lastFullLiveBytes"/> is 0 when
    /// no full collection has run yet (then the whole heap counts as growth).
    /// </summary>
    public static bool ShouldCollect(long heapBytes, long lastFullLiveBytes, long slackBytes) =>
        slackBytes > 0 && heapBytes - lastFullLiveBytes > slackBytes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slack = config.GetValue(SlackSetting, DefaultSlackMegabytes);
        var seconds = config.GetValue(IntervalSetting, DefaultIntervalSeconds);
        if (slack <= 0 || seconds <= 0)
        {
            logger.LogDebug("Heap slack collection is off (slack {Slack} MB, interval {Seconds} s)", slack, seconds);
            return;
        }
        var slackBytes = slack * 1024L * 1024L;
        var interval = TimeSpan.FromSeconds(seconds);
        var fullCollections = GC.CollectionCount(2);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = Environment.TickCount64;
                var previous = Interlocked.Read(ref lastCheckTicks);
                if (now - previous < interval.TotalMilliseconds * 0.9
                    || Interlocked.CompareExchange(ref lastCheckTicks, now, previous) != previous)
                {
                    continue; // another host in this process checked just now
                }
                var count = GC.CollectionCount(2);
                if (count != fullCollections)
                {
                    // A full collection ran since the last look (the runtime's or ours): let the heap settle first.
                    fullCollections = count;
                    continue;
                }
                var last = GC.GetGCMemoryInfo(GCKind.Any);
                var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
                var live = full.Index == 0 ? 0 : full.HeapSizeBytes - full.FragmentedBytes;
                if (!ShouldCollect(last.HeapSizeBytes, live, slackBytes))
                {
                    continue;
                }
                var started = Environment.TickCount64;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                fullCollections = GC.CollectionCount(2);
                var after = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes;
                metrics.ManagedHeapCollections.Add(1);
                logger.LogDebug("Heap had grown to {Heap} MB over {Live} MB live; a full collection took {Ms} ms and left {After} MB",
                    last.HeapSizeBytes >> 20, live >> 20, Environment.TickCount64 - started, after >> 20);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
