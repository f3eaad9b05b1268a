using System.Diagnostics.Metrics;

namespace Drawbridge.Tests.Infrastructure;

/// <summary>
/// Watches one instrument of one server directly. Scraping /metrics would depend on the other test servers in this
/// process, whose same-named instruments end when they stop.
/// </summary>
public static class Measurements
{
    /// <summary>The tags of the next measurement the counter records, or a <see cref="TimeoutException"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, object?>> NextAsync(Counter<long> counter, TimeSpan timeout)
    {
        var recorded = new TaskCompletionSource<IReadOnlyDictionary<string, object?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, counter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }
            recorded.TrySetResult(copy);
        });
        listener.Start();
        return await recorded.Task.WaitAsync(timeout);
    }
}
