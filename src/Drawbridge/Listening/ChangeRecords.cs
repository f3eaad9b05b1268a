using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Listening;

/// <summary>Care Opinion's words: a change is planned, then made.</summary>
public enum ChangeStatus { Planned = 0, Made = 1 }

/// <summary>A record is drafted by a responder, sent for review, and published by an admin; only published records are public.</summary>
public enum ChangeReview { Draft = 0, AwaitingReview = 1, Published = 2 }

/// <summary>"You said, we did": a change the organisation planned or made because of what the public told it.</summary>
public sealed class ChangeRecord
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public string Title { get; set; } = "";
    /// <summary>What people told us, in the organisation's words (public once published: never quotes identifiers).</summary>
    public string YouSaid { get; set; } = "";
    /// <summary>What the organisation is doing or did about it (public once published).</summary>
    public string WeDid { get; set; } = "";
    public string? Service { get; set; }
    public ChangeStatus Status { get; set; }
    public ChangeReview Review { get; set; }
    /// <summary>Staff only: never on a public page, feed or outsider's API answer.</summary>
    public string? InternalNote { get; set; }
    /// <summary>Staff only: who drafted it. The public sees the organisation.</summary>
    public long DraftedById { get; set; }
    public long? PublishedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? MadeAt { get; set; }
    public DateTime? PublishedAt { get; set; }
}

/// <summary>An inbox item (feedback) that prompted a change.</summary>
public sealed class ChangeRecordItem
{
    public long ChangeId { get; set; }
    public long ItemId { get; set; }
}

internal sealed class ChangeRecordConfiguration : IEntityTypeConfiguration<ChangeRecord>, IEntityTypeConfiguration<ChangeRecordItem>
{
    public void Configure(EntityTypeBuilder<ChangeRecord> b)
    {
        b.ToTable("change_records");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Title).HasMaxLength(ChangeLimits.Title);
        b.Property(c => c.YouSaid).HasMaxLength(ChangeLimits.Text);
        b.Property(c => c.WeDid).HasMaxLength(ChangeLimits.Text);
        b.Property(c => c.Service).HasMaxLength(100);
        b.Property(c => c.InternalNote).HasMaxLength(ChangeLimits.Text);
        // The public page and feeds list an organisation's published records, newest first.
        b.HasIndex(c => new { c.OrganisationId, c.Review, c.PublishedAt });
    }

    public void Configure(EntityTypeBuilder<ChangeRecordItem> b)
    {
        b.ToTable("change_record_items");
        b.HasKey(i => new { i.ChangeId, i.ItemId });
        b.HasIndex(i => i.ItemId);
    }
}

public static class ChangeLimits
{
    public const int Title = 150;
    public const int Text = 4000;
    public const int Items = 200;
}

public sealed record ChangeInput(string? Title, string? YouSaid, string? WeDid, string? Service, string? Status, string? InternalNote, IReadOnlyCollection<long>? ItemIds);

public sealed record ChangeView(ChangeRecord Change, IReadOnlyList<long> ItemIds, Account? DraftedBy, Account? PublishedBy);

/// <summary>What the public may know of a published change: never the note, the drafter, or the feedback itself.</summary>
public sealed record PublicChange(long Id, string Title, string YouSaid, string WeDid, string? Service, ChangeStatus Status, int FeedbackCount, DateTime PublishedAt, DateTime? MadeAt, DateTime UpdatedAt);

/// <summary>
/// "You said, we did". Responders draft and send for review; admins publish or send back, and mark a published change
/// made. Linking feedback moves its inbox items to "change planned" or "change made", with history.
/// </summary>
public sealed class ChangeService(DrawbridgeDb db, Snowflake ids, TimeProvider clock, Events.DomainEvents events)
{
    public static string StatusKey(ChangeStatus s) => s == ChangeStatus.Made ? "made" : "planned";

    public static string StatusName(ChangeStatus s) => s == ChangeStatus.Made ? "Change made" : "Change planned";

    public static string ReviewKey(ChangeReview r) => r switch
    {
        ChangeReview.AwaitingReview => "awaiting_review",
        ChangeReview.Published => "published",
        _ => "draft",
    };

    public static string ReviewName(ChangeReview r) => r switch
    {
        ChangeReview.AwaitingReview => "Awaiting review",
        ChangeReview.Published => "Published",
        _ => "Draft",
    };

    public static ChangeStatus? ParseStatus(string? s) => s?.Trim().ToLowerInvariant() switch
    {
        "planned" => ChangeStatus.Planned,
        "made" => ChangeStatus.Made,
        _ => null,
    };

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<ChangeView>> ListAsync(OrganisationDesk desk, CancellationToken ct)
    {
        var changes = await db.Set<ChangeRecord>().AsNoTracking().Where(c => c.OrganisationId == desk.Organisation.Id)
            .OrderByDescending(c => c.Id).Take(500).ToListAsync(ct);
        return await ViewsAsync(changes, ct);
    }

    public async Task<Outcome<ChangeView>> GetAsync(OrganisationDesk desk, long id, CancellationToken ct)
    {
        var change = await db.Set<ChangeRecord>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id && c.OrganisationId == desk.Organisation.Id, ct);
        return change is null ? Outcome<ChangeView>.NotFound("No such change record") : Outcome<ChangeView>.Ok((await ViewsAsync([change], ct))[0]);
    }

    private async Task<List<ChangeView>> ViewsAsync(List<ChangeRecord> changes, CancellationToken ct)
    {
        var changeIds = changes.Select(c => c.Id).ToList();
        var links = await db.Set<ChangeRecordItem>().AsNoTracking().Where(l => changeIds.Contains(l.ChangeId)).ToListAsync(ct);
        var people = changes.SelectMany(c => new[] { (long?)c.DraftedById, c.PublishedById }).OfType<long>().Distinct().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => people.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        return changes.Select(c => new ChangeView(c, links.Where(l => l.ChangeId == c.Id).Select(l => l.ItemId).Order().ToList(),
            accounts.GetValueOrDefault(c.DraftedById), c.PublishedById is { } p ? accounts.GetValueOrDefault(p) : null)).ToList();
    }

    /// <summary>The published changes of an organisation, newest first: what anyone may read.</summary>
    public async Task<IReadOnlyList<PublicChange>> PublishedAsync(long organisationId, int limit, CancellationToken ct)
    {
        var changes = await db.Set<ChangeRecord>().AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Review == ChangeReview.Published)
            .OrderByDescending(c => c.PublishedAt).ThenByDescending(c => c.Id).Take(limit).ToListAsync(ct);
        var changeIds = changes.Select(c => c.Id).ToList();
        var counts = await db.Set<ChangeRecordItem>().AsNoTracking().Where(l => changeIds.Contains(l.ChangeId))
            .GroupBy(l => l.ChangeId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return changes.Select(c => new PublicChange(c.Id, c.Title, c.YouSaid, c.WeDid, c.Service, c.Status, counts.GetValueOrDefault(c.Id), c.PublishedAt!.Value, c.MadeAt, c.UpdatedAt)).ToList();
    }

    public async Task<Outcome<ChangeView>> CreateAsync(OrganisationDesk desk, ChangeInput input, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<ChangeView>.Forbidden("Viewers can't draft changes");
        }
        var change = new ChangeRecord { Id = ids.Next(), OrganisationId = desk.Organisation.Id, DraftedById = desk.StaffId, CreatedAt = Now, Review = ChangeReview.Draft };
        var outcome = await ApplyAsync(desk, change, input, isNew: true, ct);
        if (!outcome.Succeeded)
        {
            return outcome;
        }
        db.Add(change);
        await db.SaveChangesAsync(ct);
        return await GetAsync(desk, change.Id, ct);
    }

    /// <summary>Responders edit what is not yet published; admins edit anything (a published record stays published).</summary>
    public async Task<Outcome<ChangeView>> UpdateAsync(OrganisationDesk desk, long id, ChangeInput input, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<ChangeView>.Forbidden("Viewers can't edit changes");
        }
        var change = await db.Set<ChangeRecord>().FirstOrDefaultAsync(c => c.Id == id && c.OrganisationId == desk.Organisation.Id, ct);
        if (change is null)
        {
            return Outcome<ChangeView>.NotFound("No such change record");
        }
        if (change.Review == ChangeReview.Published && !desk.IsAdmin)
        {
            return Outcome<ChangeView>.Forbidden("A published change can be edited by an admin only, who reviews what the public reads");
        }
        var outcome = await ApplyAsync(desk, change, input, isNew: false, ct);
        if (!outcome.Succeeded)
        {
            return outcome;
        }
        if (change.Review == ChangeReview.Published)
        {
            // Followers elsewhere read it too (an ActivityPub Update).
            await events.RaiseAsync(db, new Events.ChangeRevised(change.Id, change.OrganisationId), ct);
        }
        await db.SaveChangesAsync(ct);
        return await GetAsync(desk, change.Id, ct);
    }

    private async Task<Outcome<ChangeView>> ApplyAsync(OrganisationDesk desk, ChangeRecord change, ChangeInput input, bool isNew, CancellationToken ct)
    {
        var errors = new ErrorBag();
        string? Text(string? value, string field, string label, int max, bool required)
        {
            var t = value?.Trim();
            if (string.IsNullOrEmpty(t))
            {
                if (required)
                {
                    errors.Add(field, $"Enter {label}");
                }
                return null;
            }
            if (t.Length > max)
            {
                errors.Add(field, $"{char.ToUpperInvariant(label[0])}{label[1..]} can be up to {max:N0} characters");
            }
            return t;
        }
        var title = Text(input.Title ?? (isNew ? null : change.Title), "title", "a title", ChangeLimits.Title, true);
        var youSaid = Text(input.YouSaid ?? (isNew ? null : change.YouSaid), "youSaid", "what people told you", ChangeLimits.Text, true);
        var weDid = Text(input.WeDid ?? (isNew ? null : change.WeDid), "weDid", "what you are doing about it", ChangeLimits.Text, true);
        var service = input.Service is null ? change.Service : Text(input.Service, "service", "the service", 100, false);
        var note = input.InternalNote is null ? change.InternalNote : Text(input.InternalNote, "internalNote", "the internal note", ChangeLimits.Text, false);
        var status = change.Status;
        if (input.Status is not null)
        {
            if (ParseStatus(input.Status) is { } s)
            {
                status = s;
            }
            else
            {
                errors.Add("status", "Status must be planned or made");
            }
        }
        if (status == ChangeStatus.Made && change.Status != ChangeStatus.Made && change.Review == ChangeReview.Published && !desk.IsAdmin)
        {
            errors.Add("status", "An admin marks a published change made");
        }
        List<InboxItem>? items = null;
        if (input.ItemIds is { } itemIds)
        {
            if (itemIds.Count > ChangeLimits.Items)
            {
                errors.Add("itemIds", $"Link up to {ChangeLimits.Items} items");
            }
            else
            {
                var wanted = itemIds.Distinct().ToList();
                items = await db.Set<InboxItem>().Where(i => i.OrganisationId == desk.Organisation.Id && wanted.Contains(i.Id)).ToListAsync(ct);
                var missing = wanted.Except(items.Select(i => i.Id)).ToList();
                if (missing.Count > 0)
                {
                    errors.Add("itemIds", $"No item {string.Join(", ", missing.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)))} in this inbox");
                }
            }
        }
        if (errors.Any)
        {
            return errors.ToOutcome<ChangeView>();
        }
        change.Title = title!;
        change.YouSaid = youSaid!;
        change.WeDid = weDid!;
        change.Service = service;
        change.InternalNote = note;
        if (status == ChangeStatus.Made && change.MadeAt is null)
        {
            change.MadeAt = Now;
        }
        else if (status == ChangeStatus.Planned)
        {
            change.MadeAt = null;
        }
        change.Status = status;
        change.UpdatedAt = Now;
        var linkedIds = items?.Select(i => i.Id).ToList()
            ?? await db.Set<ChangeRecordItem>().Where(l => l.ChangeId == change.Id).Select(l => l.ItemId).ToListAsync(ct);
        if (items is not null)
        {
            var existing = await db.Set<ChangeRecordItem>().Where(l => l.ChangeId == change.Id).ToListAsync(ct);
            db.RemoveRange(existing.Where(l => !linkedIds.Contains(l.ItemId)));
            foreach (var id in linkedIds.Except(existing.Select(l => l.ItemId)))
            {
                db.Add(new ChangeRecordItem { ChangeId = change.Id, ItemId = id });
            }
        }
        await MoveItemsAsync(desk, change, linkedIds, ct);
        return Outcome<ChangeView>.Ok(null!);
    }

    /// <summary>The feedback behind a change moves to "change planned" or "change made" (closed items stay closed).</summary>
    private async Task MoveItemsAsync(OrganisationDesk desk, ChangeRecord change, List<long> itemIds, CancellationToken ct)
    {
        var state = change.Status == ChangeStatus.Made ? InboxState.ChangeMade : InboxState.ChangePlanned;
        var items = await db.Set<InboxItem>().Where(i => itemIds.Contains(i.Id) && i.OrganisationId == desk.Organisation.Id && i.State != InboxState.Closed && i.State != state).ToListAsync(ct);
        foreach (var item in items)
        {
            item.State = state;
            item.UpdatedAt = Now;
            db.Add(new InboxHistoryEntry { Id = ids.Next(), ItemId = item.Id, ActorId = desk.StaffId, What = $"Marked {InboxService.StateName(state).ToLowerInvariant()}: {Short(change.Title)}", At = Now });
        }
    }

    private static string Short(string s) => s.Length > 200 ? s[..200] + "…" : s;

    /// <summary>Adds one inbox item to the feedback behind a change (the inbox item's page offers this).</summary>
    public async Task<Outcome<ChangeView>> LinkAsync(OrganisationDesk desk, long changeId, long itemId, CancellationToken ct)
    {
        var current = await GetAsync(desk, changeId, ct);
        if (!current.Succeeded)
        {
            return current;
        }
        var ids = current.Value!.ItemIds.Append(itemId).Distinct().ToList();
        return await UpdateAsync(desk, changeId, new ChangeInput(null, null, null, null, null, null, ids), ct);
    }

    public async Task<Outcome<ChangeView>> SubmitAsync(OrganisationDesk desk, long id, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<ChangeView>.Forbidden("Viewers can't send changes for review");
        }
        var change = await db.Set<ChangeRecord>().FirstOrDefaultAsync(c => c.Id == id && c.OrganisationId == desk.Organisation.Id, ct);
        if (change is null)
        {
            return Outcome<ChangeView>.NotFound("No such change record");
        }
        if (change.Review != ChangeReview.Draft)
        {
            return Outcome<ChangeView>.Conflict("review", change.Review == ChangeReview.Published ? "This change is already published" : "This change is already awaiting review");
        }
        change.Review = ChangeReview.AwaitingReview;
        change.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return await GetAsync(desk, id, ct);
    }

    /// <summary>An admin publishes (it becomes public), sends back to draft, or withdraws a published change.</summary>
    public async Task<Outcome<ChangeView>> ReviewAsync(OrganisationDesk desk, long id, bool publish, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<ChangeView>.Forbidden("Only the organisation's admins review and publish changes");
        }
        var change = await db.Set<ChangeRecord>().FirstOrDefaultAsync(c => c.Id == id && c.OrganisationId == desk.Organisation.Id, ct);
        if (change is null)
        {
            return Outcome<ChangeView>.NotFound("No such change record");
        }
        if (publish && change.Review != ChangeReview.Published)
        {
            change.Review = ChangeReview.Published;
            change.PublishedAt = Now;
            change.PublishedById = desk.StaffId;
            await events.RaiseAsync(db, new Events.ChangePublished(change.Id, change.OrganisationId), ct);
        }
        else if (!publish)
        {
            if (change.Review == ChangeReview.Published)
            {
                await events.RaiseAsync(db, new Events.ChangeWithdrawn(change.Id, change.OrganisationId), ct);
            }
            change.Review = ChangeReview.Draft;
            change.PublishedAt = null;
            change.PublishedById = null;
        }
        change.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return await GetAsync(desk, id, ct);
    }
}
