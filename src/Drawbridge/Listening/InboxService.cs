using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>What the inbox shows: every field optional; an empty filter is the whole inbox, critical items first, newest first.</summary>
public sealed record InboxFilter(
    InboxState? State = null,
    string? Theme = null,
    string? Sentiment = null,
    long? AssigneeId = null,
    bool Unassigned = false,
    string? Service = null,
    InboxSource? Source = null,
    DateOnly? From = null,
    DateOnly? To = null,
    string? Query = null,
    int Page = 1,
    int PageSize = 50,
    bool Overdue = false)
{
    public const int MaxPageSize = 200;
}

public sealed record InboxItemView(InboxItem Item, Account? Author, Account? AddressedTo, Account? Assignee);

public sealed record InboxNoteView(InboxNote Note, Account? Author);

public sealed record InboxHistoryView(InboxHistoryEntry Entry, Account? Actor);

public sealed record InboxItemDetail(InboxItemView View, IReadOnlyList<InboxNoteView> Notes, IReadOnlyList<InboxHistoryView> History, Account? RespondedBy);

/// <param name="Clock">The organisation's response clock when the page was read: which items are overdue.</param>
public sealed record InboxPage(IReadOnlyList<InboxItemView> Items, int Total, int Page, int PageSize, ResponseClock? Clock = null)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>The bulk actions the inbox offers on the items ticked.</summary>
public enum InboxBulkAction { MarkRead, AssignToMe, Unassign, Close }

/// <summary>
/// The organisation's inbox: listing and filtering, assignment, internal notes, state, the public response, and the
/// history of who did what. Every command takes a desk (<see cref="OrganisationDesks"/>), so no one outside the staff
/// reaches an item, and only responders and admins change one.
/// </summary>
public sealed class InboxService(DrawbridgeDb db, Snowflake ids, TimeProvider clock, PostPublishing posts, OrganisationVoice voice, Mailer mailer, ResponseTimes responseTimes, InboxChoices choices, InboxCounts counts)
{
    public static string StateName(InboxState state) => state switch
    {
        InboxState.New => "New",
        InboxState.Read => "Read",
        InboxState.Assigned => "Assigned",
        InboxState.Responded => "Responded",
        InboxState.ChangePlanned => "Change planned",
        InboxState.ChangeMade => "Change made",
        _ => "Closed",
    };

    public static string SourceName(InboxSource source) => source switch
    {
        InboxSource.Feedback => "Feedback form",
        InboxSource.Reply => "Reply",
        InboxSource.Mention => "Mention",
        _ => "Guest comment",
    };

    /// <summary>The API's and the CSV's word for a state: snake case.</summary>
    public static string StateKey(InboxState state) => state switch
    {
        InboxState.ChangePlanned => "change_planned",
        InboxState.ChangeMade => "change_made",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static InboxState? ParseState(string? value) =>
        Enum.GetValues<InboxState>().Cast<InboxState?>().FirstOrDefault(s => string.Equals(StateKey(s!.Value), value?.Trim(), StringComparison.OrdinalIgnoreCase));

    public static string SourceKey(InboxSource source) => source == InboxSource.GuestComment ? "guest_comment" : source.ToString().ToLowerInvariant();

    public static InboxSource? ParseSource(string? value) =>
        Enum.GetValues<InboxSource>().Cast<InboxSource?>().FirstOrDefault(s => string.Equals(SourceKey(s!.Value), value?.Trim(), StringComparison.OrdinalIgnoreCase));

    public async Task<InboxPage> ListAsync(OrganisationDesk desk, InboxFilter filter, CancellationToken ct)
    {
        var responseClock = await responseTimes.ClockAsync(desk.Organisation.Id, ct);
        var query = Filtered(desk, filter, responseClock.OverdueBefore);
        // A search reads the text, which an account's deletion rewrites outside any item's save, and "overdue" moves
        // with the clock: those are counted on each read; every other filter's count is kept until the inbox changes.
        var total = string.IsNullOrWhiteSpace(filter.Query) && !filter.Overdue
            ? await counts.CountAsync(desk.Organisation.Id, CountKey(filter), () => query.CountAsync(ct))
            : await query.CountAsync(ct);
        var size = Math.Clamp(filter.PageSize, 1, InboxFilter.MaxPageSize);
        var page = Math.Max(1, filter.Page);
        var items = await query.OrderByDescending(i => i.Critical).ThenByDescending(i => i.Id)
            .Skip((page - 1) * size).Take(size).ToListAsync(ct);
        return new InboxPage(await ViewsAsync(items, ct, desk.Organisation), total, page, size, responseClock);
    }

    /// <summary>What a count depends on: every field of the filter but the page.</summary>
    private static string CountKey(InboxFilter f) => string.Join('\u001f',
        f.State?.ToString() ?? "", f.Theme ?? "", f.Sentiment ?? "", f.AssigneeId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        f.Unassigned ? "1" : "0", f.Service ?? "", f.Source?.ToString() ?? "",
        f.From?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "", f.To?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "");

    /// <summary>Every item the filter matches, in the inbox's order, a batch at a time (for the CSV export).</summary>
    public async IAsyncEnumerable<InboxItemView> AllAsync(OrganisationDesk desk, InboxFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long? before = null;
        var overdueBefore = filter.Overdue ? (await responseTimes.ClockAsync(desk.Organisation.Id, ct)).OverdueBefore : DateTime.MinValue;
        while (true)
        {
            var query = Filtered(desk, filter, overdueBefore);
            if (before is { } b)
            {
                query = query.Where(i => i.Id < b);
            }
            var batch = await query.OrderByDescending(i => i.Id).Take(500).ToListAsync(ct);
            if (batch.Count == 0)
            {
                yield break;
            }
            foreach (var view in await ViewsAsync(batch, ct))
            {
                yield return view;
            }
            before = batch[^1].Id;
        }
    }

    private IQueryable<InboxItem> Filtered(OrganisationDesk desk, InboxFilter f, DateTime overdueBefore)
    {
        var q = db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == desk.Organisation.Id);
        if (f.Overdue)
        {
            // Overdue: unanswered, open, and received before the instant the target's working time reaches back to.
            q = q.Where(i => i.RespondedAt == null && i.State != InboxState.Closed && i.ReceivedAt < overdueBefore);
        }
        if (f.State is { } state)
        {
            q = q.Where(i => i.State == state);
        }
        if (!string.IsNullOrWhiteSpace(f.Theme))
        {
            q = q.Where(i => i.Theme == f.Theme);
        }
        if (!string.IsNullOrWhiteSpace(f.Sentiment))
        {
            q = q.Where(i => i.Sentiment == f.Sentiment);
        }
        if (f.Unassigned)
        {
            q = q.Where(i => i.AssigneeId == null);
        }
        else if (f.AssigneeId is { } assignee)
        {
            q = q.Where(i => i.AssigneeId == assignee);
        }
        if (!string.IsNullOrWhiteSpace(f.Service))
        {
            q = q.Where(i => i.Service == f.Service);
        }
        if (f.Source is { } source)
        {
            q = q.Where(i => i.Source == source);
        }
        if (f.From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            q = q.Where(i => i.ReceivedAt >= start);
        }
        if (f.To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            q = q.Where(i => i.ReceivedAt < end);
        }
        foreach (var word in SearchWords(f.Query))
        {
            q = q.Where(i => i.SearchText.Contains(word));
        }
        return q;
    }

    private static IEnumerable<string> SearchWords(string? query) =>
        (query ?? "").ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(8);

    public static string SearchTextOf(string text, string? service, string? name) =>
        string.Join('\n', new[] { text, service, name }.Where(s => !string.IsNullOrEmpty(s))).ToLowerInvariant();

    /// <param name="known">An account already read (the organisation, to which most items are addressed): not read again.</param>
    private async Task<List<InboxItemView>> ViewsAsync(List<InboxItem> items, CancellationToken ct, Account? known = null)
    {
        var accountIds = items.SelectMany(i => new[] { i.AuthorAccountId, i.AddressedToId, i.AssigneeId }).OfType<long>().Distinct()
            .Where(id => id != known?.Id).ToList();
        var accounts = accountIds.Count == 0 ? [] : await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        if (known is not null)
        {
            accounts[known.Id] = known;
        }
        Account? Of(long? id) => id is { } v && accounts.TryGetValue(v, out var a) ? a : null;
        return items.Select(i => new InboxItemView(i, Of(i.AuthorAccountId), Of(i.AddressedToId), Of(i.AssigneeId))).ToList();
    }

    /// <summary>The services named in the organisation's items, for the filter's choices.</summary>
    public Task<List<string>> ServicesAsync(OrganisationDesk desk, CancellationToken ct) =>
        ChoicesAsync(desk.Organisation.Id, "service", () => db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == desk.Organisation.Id && i.Service != null)
            .Select(i => i.Service!).Distinct().OrderBy(s => s).Take(200).ToListAsync(ct));

    public Task<List<string>> ThemesAsync(OrganisationDesk desk, CancellationToken ct) =>
        ChoicesAsync(desk.Organisation.Id, "theme", () => db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == desk.Organisation.Id && i.Theme != null)
            .Select(i => i.Theme!).Distinct().OrderBy(s => s).Take(200).ToListAsync(ct));

    private Task<List<string>> ChoicesAsync(long organisationId, string kind, Func<Task<List<string>>> load) =>
        choices.GetAsync(organisationId, kind, clock.GetUtcNow().UtcDateTime, load);

    /// <summary>An item with its notes and history. A responder opening a new item marks it read, as Care Opinion does.</summary>
    public async Task<Outcome<InboxItemDetail>> GetAsync(OrganisationDesk desk, long itemId, CancellationToken ct)
    {
        var item = await db.Set<InboxItem>().FirstOrDefaultAsync(i => i.Id == itemId && i.OrganisationId == desk.Organisation.Id, ct);
        if (item is null)
        {
            return Outcome<InboxItemDetail>.NotFound("No such item in this inbox");
        }
        if (item.State == InboxState.New && desk.CanRespond)
        {
            item.State = InboxState.Read;
            Record(desk, item, "Read");
            await db.SaveChangesAsync(ct);
        }
        return Outcome<InboxItemDetail>.Ok(await DetailAsync(item, ct));
    }

    private async Task<InboxItemDetail> DetailAsync(InboxItem item, CancellationToken ct)
    {
        var notes = await db.Set<InboxNote>().AsNoTracking().Where(n => n.ItemId == item.Id).OrderBy(n => n.Id).ToListAsync(ct);
        var history = await db.Set<InboxHistoryEntry>().AsNoTracking().Where(h => h.ItemId == item.Id).OrderBy(h => h.Id).ToListAsync(ct);
        var ids = notes.Select(n => n.AuthorId).Concat(history.Select(h => h.ActorId).OfType<long>())
            .Concat(new[] { item.RespondedById }.OfType<long>()).Distinct().ToList();
        var people = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var view = (await ViewsAsync([item], ct))[0];
        return new InboxItemDetail(
            view,
            notes.Select(n => new InboxNoteView(n, people.GetValueOrDefault(n.AuthorId))).ToList(),
            history.Select(h => new InboxHistoryView(h, h.ActorId is { } a ? people.GetValueOrDefault(a) : null)).ToList(),
            item.RespondedById is { } r ? people.GetValueOrDefault(r) : null);
    }

    public async Task<Outcome<InboxNote>> AddNoteAsync(OrganisationDesk desk, long itemId, string text, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<InboxNote>.Forbidden("Viewers can't add notes");
        }
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return Outcome<InboxNote>.Invalid("note", "Enter a note");
        }
        if (trimmed.Length > InboxLimits.Note)
        {
            return Outcome<InboxNote>.Invalid("note", $"A note can be up to {InboxLimits.Note:N0} characters");
        }
        var item = await ItemAsync(desk, itemId, ct);
        if (item is null)
        {
            return Outcome<InboxNote>.NotFound("No such item in this inbox");
        }
        var note = new InboxNote { Id = ids.Next(), ItemId = item.Id, AuthorId = desk.StaffId, Text = trimmed, CreatedAt = Now };
        db.Add(note);
        Record(desk, item, "Added an internal note");
        await db.SaveChangesAsync(ct);
        return Outcome<InboxNote>.Ok(note);
    }

    /// <summary>Gives an item to a responder or admin of the organisation; null takes it back into the shared queue.</summary>
    public async Task<Outcome<InboxItem>> AssignAsync(OrganisationDesk desk, long itemId, long? assigneeId, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<InboxItem>.Forbidden("Viewers can't assign items");
        }
        var item = await ItemAsync(desk, itemId, ct);
        if (item is null)
        {
            return Outcome<InboxItem>.NotFound("No such item in this inbox");
        }
        Account? assignee = null;
        if (assigneeId is { } id)
        {
            var role = await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == desk.Organisation.Id && m.AccountId == id)
                .Select(m => (OrganisationRole?)m.Role).FirstOrDefaultAsync(ct);
            if (role is null || !role.Value.CanRespond())
            {
                return Outcome<InboxItem>.Invalid("assigneeId", "Items can be assigned to the organisation's responders and admins only");
            }
            assignee = await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == id, ct);
        }
        Assign(desk, item, assignee);
        await db.SaveChangesAsync(ct);
        return Outcome<InboxItem>.Ok(item);
    }

    private void Assign(OrganisationDesk desk, InboxItem item, Account? assignee)
    {
        if (item.AssigneeId == assignee?.Id)
        {
            return;
        }
        item.AssigneeId = assignee?.Id;
        if (assignee is not null && item.State is InboxState.New or InboxState.Read)
        {
            item.State = InboxState.Assigned;
        }
        else if (assignee is null && item.State == InboxState.Assigned)
        {
            item.State = InboxState.Read;
        }
        Record(desk, item, assignee is null ? "Unassigned" : $"Assigned to {assignee.DisplayName} (@{assignee.Handle})");
    }

    public async Task<Outcome<InboxItem>> SetStateAsync(OrganisationDesk desk, long itemId, InboxState state, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<InboxItem>.Forbidden("Viewers can't change an item's state");
        }
        var item = await ItemAsync(desk, itemId, ct);
        if (item is null)
        {
            return Outcome<InboxItem>.NotFound("No such item in this inbox");
        }
        SetState(desk, item, state);
        await db.SaveChangesAsync(ct);
        return Outcome<InboxItem>.Ok(item);
    }

    private void SetState(OrganisationDesk desk, InboxItem item, InboxState state)
    {
        if (item.State == state)
        {
            return;
        }
        item.State = state;
        item.ClosedAt = state == InboxState.Closed ? Now : null;
        Record(desk, item, $"Marked {StateName(state).ToLowerInvariant()}");
    }

    /// <summary>
    /// The public response. To a reply or mention it is a reply post, as the organisation or as the responder; to a
    /// guest (the form, or a comment) it is mailed when they left an address. Either way it is kept on the item.
    /// </summary>
    public async Task<Outcome<InboxItem>> RespondAsync(OrganisationDesk desk, long itemId, string text, bool asOrganisation, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<InboxItem>.Forbidden("Viewers can't respond: ask an admin to make you a responder");
        }
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return Outcome<InboxItem>.Invalid("response", "Enter your response");
        }
        if (trimmed.Length > InboxLimits.Response)
        {
            return Outcome<InboxItem>.Invalid("response", $"A response can be up to {InboxLimits.Response:N0} characters");
        }
        var item = await ItemAsync(desk, itemId, ct);
        if (item is null)
        {
            return Outcome<InboxItem>.NotFound("No such item in this inbox");
        }
        long? responsePostId = null;
        if (item.PostId is { } postId && item.Source is InboxSource.Reply or InboxSource.Mention)
        {
            var input = new PostInput(trimmed, InReplyToId: postId);
            var posted = asOrganisation ? await voice.PostAsync(desk, input, ct) : await posts.CreateAsync(desk.StaffId, input, ct);
            if (!posted.Succeeded)
            {
                return Outcome<InboxItem>.Invalid(posted.Errors.ToDictionary(e => e.Key is "text" or "" ? "response" : e.Key, e => e.Value));
            }
            responsePostId = posted.Value!.Id;
            db.ChangeTracker.Clear();
            item = (await ItemAsync(desk, itemId, ct))!;
        }
        item.ResponseText = trimmed;
        item.ResponsePostId = responsePostId;
        item.RespondedById = desk.StaffId;
        item.RespondedAsOrganisation = asOrganisation;
        item.RespondedAt ??= Now;
        if (item.State is InboxState.New or InboxState.Read or InboxState.Assigned)
        {
            item.State = InboxState.Responded;
        }
        Record(desk, item, asOrganisation ? $"Responded as {desk.Organisation.DisplayName}" : "Responded as themselves");
        await db.SaveChangesAsync(ct);
        if (responsePostId is null && item.ContactEmail is { Length: > 0 } email)
        {
            var signature = asOrganisation ? desk.Organisation.DisplayName : (await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == desk.StaffId, ct)).DisplayName + ", " + desk.Organisation.DisplayName;
            await mailer.SendAsync(email, $"{desk.Organisation.DisplayName} has responded to your feedback", $"{trimmed}\n\n{signature}", ct);
        }
        return Outcome<InboxItem>.Ok(item);
    }

    public async Task<Outcome<int>> BulkAsync(OrganisationDesk desk, IReadOnlyCollection<long> itemIds, InboxBulkAction action, CancellationToken ct)
    {
        if (!desk.CanRespond)
        {
            return Outcome<int>.Forbidden("Viewers can't change items");
        }
        if (itemIds.Count == 0)
        {
            return Outcome<int>.Invalid("ids", "Select at least one item");
        }
        if (itemIds.Count > InboxFilter.MaxPageSize)
        {
            return Outcome<int>.Invalid("ids", $"Select up to {InboxFilter.MaxPageSize} items at a time");
        }
        var items = await db.Set<InboxItem>().Where(i => i.OrganisationId == desk.Organisation.Id && itemIds.Contains(i.Id)).ToListAsync(ct);
        var me = action == InboxBulkAction.AssignToMe ? await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == desk.StaffId, ct) : null;
        foreach (var item in items)
        {
            switch (action)
            {
                case InboxBulkAction.MarkRead when item.State == InboxState.New:
                    SetState(desk, item, InboxState.Read);
                    break;
                case InboxBulkAction.AssignToMe:
                    Assign(desk, item, me);
                    break;
                case InboxBulkAction.Unassign:
                    Assign(desk, item, null);
                    break;
                case InboxBulkAction.Close:
                    SetState(desk, item, InboxState.Closed);
                    break;
            }
        }
        await db.SaveChangesAsync(ct);
        return Outcome<int>.Ok(items.Count);
    }

    private Task<InboxItem?> ItemAsync(OrganisationDesk desk, long itemId, CancellationToken ct) =>
        db.Set<InboxItem>().FirstOrDefaultAsync(i => i.Id == itemId && i.OrganisationId == desk.Organisation.Id, ct);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private void Record(OrganisationDesk desk, InboxItem item, string what)
    {
        item.UpdatedAt = Now;
        db.Add(new InboxHistoryEntry { Id = ids.Next(), ItemId = item.Id, ActorId = desk.StaffId, What = what, At = Now });
    }
}

/// <summary>
/// The inbox filter's choices (services, themes), kept for 30 seconds per organisation on this node: finding the
/// distinct services means reading every item (about 0.3 s at 100,000), and a new service name can wait half a minute
/// to join the list. Once the 30 seconds are up, one read refreshes the list while the others go on with the list they
/// have, so a busy inbox never has every request reading every item at once.
/// </summary>
public sealed class InboxChoices
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(long, string), Kept> _kept = new();

    /// <param name="RefreshingSince">When a read began refreshing the list, if one is.</param>
    private sealed record Kept(DateTime Until, object Values, DateTime? RefreshingSince);

    public async Task<List<T>> GetAsync<T>(long organisationId, string kind, DateTime now, Func<Task<List<T>>> load)
    {
        var key = (organisationId, kind);
        if (_kept.TryGetValue(key, out var kept))
        {
            // A refresh that has not finished in 30 seconds (its request failed or was cancelled) is taken over.
            if (kept.Until > now || kept.RefreshingSince > now.AddSeconds(-30))
            {
                return (List<T>)kept.Values;
            }
            // The first read past the 30 seconds refreshes; a read that loses the race keeps the list it has.
            if (!_kept.TryUpdate(key, kept with { RefreshingSince = now }, kept))
            {
                return (List<T>)kept.Values;
            }
        }
        var values = await load();
        _kept[key] = new Kept(now.AddSeconds(30), values, null);
        return values;
    }
}
