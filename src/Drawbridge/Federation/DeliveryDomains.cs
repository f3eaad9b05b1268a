using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace Drawbridge.Federation;

/// <summary>How deliveries to one server have gone lately: the circuit breaker's state.</summary>
public sealed class DeliveryDomain
{
    /// <summary>The inbox's authority, lower case (host, and port when not the default).</summary>
    public required string Domain { get; set; }
    /// <summary>Failures in a row (no answer, 5xx, 408, 429); a success resets it.</summary>
    public int Failures { get; set; }
    public DateTime? FirstFailureAt { get; set; }
    public DateTime? LastFailureAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    /// <summary>Until when deliveries to the domain wait: set once failures reach the threshold, and while a probe runs.</summary>
    public DateTime? PausedUntil { get; set; }
}

internal sealed class DeliveryDomainConfiguration : IEntityTypeConfiguration<DeliveryDomain>
{
    public void Configure(EntityTypeBuilder<DeliveryDomain> b)
    {
        b.ToTable("delivery_domains");
        b.HasKey(d => d.Domain);
        b.Property(d => d.Domain).HasMaxLength(260);
    }
}

/// <summary>
/// Per-domain failure tracking with a circuit breaker, as Mastodon keeps for unavailable domains. After
/// <see cref="FederationOptions.DomainFailureThreshold"/> failures in a row a domain is paused: its deliveries wait
/// (not counted as attempts) for <see cref="FederationOptions.DomainPauseSeconds"/>, doubling with each failed probe up
/// to <see cref="FederationOptions.DomainMaxPauseSeconds"/>. When a pause ends, one delivery goes through as the probe
/// while the rest keep waiting; its success closes the breaker, its failure pauses the domain again for longer.
/// </summary>
public sealed class DeliveryDomains(IOptions<FederationOptions> options, TimeProvider clock)
{
    /// <summary>Why a delivery may go ahead or must wait.</summary>
    /// <param name="PostponeUntil">Set when the domain is paused: the delivery waits until then.</param>
    /// <param name="Troubled">The domain has failures on record, so a success must clear them.</param>
    public readonly record struct Verdict(DateTime? PostponeUntil, bool Troubled);

    private static readonly TimeSpan ProbeWindow = TimeSpan.FromSeconds(60);

    public async Task<Verdict> CheckAsync(DrawbridgeDb db, string domain, CancellationToken ct)
    {
        var state = await db.DeliveryDomains.AsNoTracking().Where(d => d.Domain == domain)
            .Select(d => new { d.Failures, d.PausedUntil }).FirstOrDefaultAsync(ct);
        if (state is null || (state.Failures == 0 && state.PausedUntil is null))
        {
            return new Verdict(null, false);
        }
        if (state.Failures < options.Value.DomainFailureThreshold)
        {
            return new Verdict(null, true);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (state.PausedUntil > now)
        {
            return new Verdict(Spread(state.PausedUntil.Value), true);
        }
        // The pause is over: the first delivery to get here is the probe; the others wait for its outcome.
        var probeUntil = now + ProbeWindow;
        var probe = await db.DeliveryDomains
            .Where(d => d.Domain == domain && (d.PausedUntil == null || d.PausedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.PausedUntil, probeUntil), ct);
        return probe == 1 ? new Verdict(null, true) : new Verdict(Spread(probeUntil), true);
    }

    /// <summary>The server answered as it should: the domain's failures are forgotten and its breaker closes.</summary>
    public async Task SucceededAsync(DrawbridgeDb db, string domain, Verdict verdict, CancellationToken ct)
    {
        if (!verdict.Troubled)
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await db.DeliveryDomains.Where(d => d.Domain == domain).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Failures, 0)
            .SetProperty(d => d.FirstFailureAt, (DateTime?)null)
            .SetProperty(d => d.PausedUntil, (DateTime?)null)
            .SetProperty(d => d.LastSuccessAt, now), ct);
    }

    /// <summary>The server did not answer, or answered with a failure worth retrying: one more failure in a row.</summary>
    public async Task FailedAsync(DrawbridgeDb db, string domain, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        db.ChangeTracker.Clear();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var row = await db.DeliveryDomains.FirstOrDefaultAsync(d => d.Domain == domain, ct);
            if (row is null)
            {
                row = new DeliveryDomain { Domain = domain };
                db.DeliveryDomains.Add(row);
            }
            row.Failures++;
            row.FirstFailureAt ??= now;
            row.LastFailureAt = now;
            if (row.Failures >= o.DomainFailureThreshold)
            {
                var doublings = Math.Min(20, row.Failures - o.DomainFailureThreshold);
                row.PausedUntil = now + TimeSpan.FromSeconds(Math.Min(o.DomainMaxPauseSeconds, o.DomainPauseSeconds * Math.Pow(2, doublings)));
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // another delivery made the row first: count on top of it
            }
        }
    }

    // Waiting deliveries come back spread over a few seconds, not all at the same instant.
    private static DateTime Spread(DateTime until) => until + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 5000));
}
