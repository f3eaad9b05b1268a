using Drawbridge.Jobs;
using Microsoft.Extensions.Configuration;

namespace Drawbridge.Tests;

/// <summary>The inbound queue gives way to a burst of deliveries, and only to a burst.</summary>
public sealed class QueuePressureTests
{
    private static QueuePressure Pressure(int? yieldAt = null) => new(new ConfigurationBuilder()
        .AddInMemoryCollection(yieldAt is null ? [] : [new(QueuePressure.YieldAtSetting, yieldAt.ToString())]).Build());

    [Fact]
    public async Task One_delivery_at_a_time_never_holds_processing_up()
    {
        var pressure = Pressure();
        using (pressure.Arriving())
        {
            Assert.Equal(1, pressure.InboundInFlight);
            Assert.False(await pressure.GiveWayAsync(CancellationToken.None));
        }
        Assert.Equal(0, pressure.InboundInFlight);
    }

    [Fact]
    public async Task Processing_waits_for_a_burst_to_pass()
    {
        var pressure = Pressure();
        var first = pressure.Arriving();
        var second = pressure.Arriving();
        Assert.True(pressure.Busy);
        var waiting = pressure.GiveWayAsync(CancellationToken.None);
        await Task.Delay(60);
        Assert.False(waiting.IsCompleted, "processing went on while two deliveries were arriving");
        second.Dispose();
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        first.Dispose();
        Assert.False(pressure.Busy);
    }

    [Fact]
    public async Task A_burst_that_never_ends_still_lets_processing_through()
    {
        var pressure = Pressure();
        using var a = pressure.Arriving();
        using var b = pressure.Arriving();
        // Bounded by MaxYield: the wait ends although the deliveries are still in flight.
        Assert.True(await pressure.GiveWayAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(pressure.Busy);
    }

    [Fact]
    public async Task Zero_turns_giving_way_off()
    {
        var pressure = Pressure(0);
        using var a = pressure.Arriving();
        using var b = pressure.Arriving();
        using var c = pressure.Arriving();
        Assert.False(pressure.Busy);
        Assert.False(await pressure.GiveWayAsync(CancellationToken.None));
    }
}
