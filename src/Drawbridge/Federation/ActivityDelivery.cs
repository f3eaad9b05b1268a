using System.Text.Json.Nodes;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// Sends activities from local accounts to other servers. Delivery is staged in the caller's unit of work (a job
/// per inbox, stored with the change that caused it, or not at all) and runs on the delivery queue: signed, retried
/// with backoff over days, paused per domain when a server keeps failing (docs/federation.md, "Delivery").
/// </summary>
public sealed class ActivityDelivery(JobQueue jobs)
{
    /// <summary>
    /// Stages delivery of <paramref name="activity"/>, sent by the local account <paramref name="senderAccountId"/>, to
    /// each of <paramref name="inboxUris"/> (duplicates and blanks ignored): one delivery job per inbox.
    /// </summary>
    public IReadOnlyList<Job> Enqueue(DrawbridgeDb db, long senderAccountId, JsonObject activity, IEnumerable<string> inboxUris)
    {
        var id = ActivityId(activity);
        var body = activity.ToJsonString();
        return inboxUris.Where(i => !string.IsNullOrWhiteSpace(i)).Distinct(StringComparer.Ordinal)
            .Select(inbox => jobs.Enqueue(db, new DeliverActivity(senderAccountId, id, inbox, body)))
            .ToList();
    }

    /// <summary>
    /// Stages delivery of <paramref name="activity"/> to every remote follower (accepted follows) of the local account
    /// <paramref name="senderAccountId"/>, one request per server that has a shared inbox, plus
    /// <paramref name="alsoInboxes"/> (mentioned actors, a replied-to author). The followers are read when the job runs,
    /// so a post by an account with many followers commits as fast as one with none.
    /// </summary>
    public Job EnqueueToFollowers(DrawbridgeDb db, long senderAccountId, JsonObject activity, IEnumerable<string>? alsoInboxes = null) =>
        jobs.Enqueue(db, new DistributeActivity(senderAccountId, ActivityId(activity), activity.ToJsonString(),
            alsoInboxes?.Where(i => !string.IsNullOrWhiteSpace(i)).Distinct(StringComparer.Ordinal).ToArray() ?? []));

    /// <summary>
    /// The inboxes of an account's remote followers, a server's shared inbox standing for all its followers there:
    /// what <see cref="EnqueueToFollowers"/> delivers to. For a change that removes the follows in the same unit of
    /// work (an account deleted), read them first and pass them to <see cref="Enqueue"/>.
    /// </summary>
    public static async Task<List<string>> FollowerInboxesAsync(DrawbridgeDb db, long accountId, CancellationToken ct)
    {
        return await db.Follows.Where(f => f.FolloweeId == accountId && f.State == FollowState.Accepted)
            .Join(db.Accounts, f => f.FollowerId, a => a.Id, (f, a) => a)
            .Where(a => a.Domain != null && (a.SharedInboxUri != null || a.InboxUri != null))
            .Select(a => a.SharedInboxUri ?? a.InboxUri!)
            .Distinct()
            .Where(inbox => !db.GoneInboxes.Any(g => g.Inbox == inbox))
            .ToListAsync(ct);
    }

    private static string ActivityId(JsonObject activity) =>
        activity["id"]?.GetValue<string>() is { Length: > 0 } id ? id : throw new ArgumentException("An activity needs an id", nameof(activity));
}

/// <summary>One activity to one inbox.</summary>
/// <param name="Activity">The activity's JSON, as it is sent.</param>
public sealed record DeliverActivity(long SenderId, string ActivityId, string Inbox, string Activity) : IJobPayload<DeliverActivity>
{
    public static string Kind => "deliver";
    public static string Queue => JobQueues.Delivery;
}

/// <summary>One activity to an account's remote followers (and a few more inboxes): expanded into deliveries when it runs.</summary>
public sealed record DistributeActivity(long SenderId, string ActivityId, string Activity, string[] AlsoInboxes) : IJobPayload<DistributeActivity>
{
    public static string Kind => "deliver-to-followers";
    public static string Queue => JobQueues.Delivery;
}

/// <summary>Expands a <see cref="DistributeActivity"/> into one delivery per inbox, in one unit of work.</summary>
public sealed class DistributeActivityJob(ActivityDelivery delivery) : JobHandler<DistributeActivity>
{
    protected override async Task HandleAsync(DrawbridgeDb db, DistributeActivity job, CancellationToken ct)
    {
        var inboxes = await ActivityDelivery.FollowerInboxesAsync(db, job.SenderId, ct);
        var activity = JsonNode.Parse(job.Activity)!.AsObject();
        delivery.Enqueue(db, job.SenderId, activity, inboxes.Concat(job.AlsoInboxes));
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>
/// POSTs one activity to one inbox, signed with the sender's key. 2xx: done. 4xx other than 408 and 429: the server
/// refused this activity and will refuse it again, so it is not retried; 410 also marks the inbox gone, so nothing more
/// is sent to it. Anything else (5xx, 408, 429, no answer) is retried with backoff, and counts against the domain's
/// circuit breaker (<see cref="DeliveryDomains"/>).
/// </summary>
public sealed class DeliverActivityJob(FederationHttp http, LocalActorKeys keys, DeliveryDomains domains, TimeProvider clock, ILogger<DeliverActivityJob> log)
    : JobHandler<DeliverActivity>
{
    protected override async Task HandleAsync(DrawbridgeDb db, DeliverActivity job, CancellationToken ct)
    {
        if (!Uri.TryCreate(job.Inbox, UriKind.Absolute, out var inbox))
        {
            throw new PermanentJobFailure($"{job.Inbox} is not an address");
        }
        try
        {
            NetworkGuard.CheckUri(inbox, http.Options.AllowPrivateNetworks);
        }
        catch (FederationFetchException refused)
        {
            throw new PermanentJobFailure(refused.Message);
        }
        if (await db.GoneInboxes.AnyAsync(g => g.Inbox == job.Inbox, ct))
        {
            return; // answered 410 before: the actor is gone
        }
        var domain = inbox.Authority.ToLowerInvariant();
        var verdict = await domains.CheckAsync(db, domain, ct);
        if (verdict.PostponeUntil is { } until)
        {
            throw new PostponeJob(until, $"{domain} is paused after repeated failures");
        }
        var sender = await db.Accounts.FirstOrDefaultAsync(a => a.Id == job.SenderId && a.Domain == null, ct)
            ?? throw new PermanentJobFailure($"Account {job.SenderId} is not a local account");
        var signer = await keys.SignerAsync(sender, ct);
        System.Net.HttpStatusCode status;
        try
        {
            status = await http.PostActivityAsync(inbox, System.Text.Encoding.UTF8.GetBytes(job.Activity), signer, ct);
        }
        catch (FederationFetchException) when (!ct.IsCancellationRequested)
        {
            await domains.FailedAsync(db, domain, ct);
            throw;
        }
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            await domains.SucceededAsync(db, domain, verdict, ct);
            return;
        }
        if (code == 410)
        {
            db.GoneInboxes.Add(new GoneInbox { Inbox = job.Inbox, GoneAt = clock.GetUtcNow().UtcDateTime });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another delivery recorded it first.
            }
            log.LogInformation("{Inbox} answered 410: nothing more is delivered to it", job.Inbox);
            throw new PermanentJobFailure($"{job.Inbox} answered 410 Gone");
        }
        if (code is >= 400 and < 500 && code is not 408 and not 429)
        {
            // The server answered, so the domain is alive; it refused this activity and would refuse it again.
            await domains.SucceededAsync(db, domain, verdict, ct);
            throw new PermanentJobFailure($"{job.Inbox} answered {code}");
        }
        await domains.FailedAsync(db, domain, ct);
        throw new FederationFetchException($"{job.Inbox} answered {code}", status);
    }
}

/// <summary>An inbox that answered 410 Gone: its actor was deleted, so nothing is delivered to it again.</summary>
public sealed class GoneInbox
{
    public required string Inbox { get; set; }
    public DateTime GoneAt { get; set; }
}

internal sealed class GoneInboxConfiguration : Microsoft.EntityFrameworkCore.IEntityTypeConfiguration<GoneInbox>
{
    public void Configure(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<GoneInbox> b)
    {
        b.ToTable("delivery_gone_inboxes");
        b.HasKey(g => g.Inbox);
        b.Property(g => g.Inbox).HasMaxLength(Accounts.AccountConfiguration.UriMax);
    }
}
