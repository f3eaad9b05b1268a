using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Inbox;

/// <summary>
/// The organisation's inbox, for its staff only (signed in, and on the staff: anyone else is refused): filters,
/// search, bulk actions for responders and admins, and the same list as CSV.
/// </summary>
public sealed class InboxModel(OrganisationDesks desks, InboxService inbox, OrganisationService organisations, InboxChoices choices, TimeProvider clock) : DrawbridgePage
{
    [FromQuery(Name = "state")] public string? State { get; set; }
    [FromQuery(Name = "theme")] public string? Theme { get; set; }
    [FromQuery(Name = "sentiment")] public string? Sentiment { get; set; }
    [FromQuery(Name = "assignee")] public string? Assignee { get; set; }
    [FromQuery(Name = "service")] public string? Service { get; set; }
    [FromQuery(Name = "source")] public string? Source { get; set; }
    [FromQuery(Name = "from")] public string? From { get; set; }
    [FromQuery(Name = "to")] public string? To { get; set; }
    [FromQuery(Name = "q")] public string? Q { get; set; }
    [FromQuery(Name = "page")] public int? PageNumber { get; set; }
    [FromQuery(Name = "overdue")] public string? Overdue { get; set; }
    [FromQuery(Name = "size")] public string? Size { get; set; }

    /// <summary>
    /// Items a page may show. 25 by default: a screen or two of triage, as help desks and NHS.UK tables page, and
    /// half the work of 50 on each page view (BENCHMARKS.md, inbox page); a responder can choose more.
    /// </summary>
    public static readonly int[] PageSizes = [25, 50, 100];
    public const int DefaultPageSize = 25;

    public OrganisationDesk Desk { get; private set; } = null!;
    public InboxFilter Filter { get; private set; } = new();
    public InboxPage Result { get; private set; } = new([], 0, 1, DefaultPageSize);
    public IReadOnlyList<string> Services { get; private set; } = [];
    public IReadOnlyList<string> Themes { get; private set; } = [];
    public IReadOnlyList<StaffName> Responders { get; private set; } = [];
    public bool Filtered { get; private set; }

    /// <summary>The filters as a query string, kept on paging, export and bulk actions.</summary>
    public string QueryString { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct)
    {
        if (await OpenAsync(handle, false, ct) is { } refused)
        {
            return refused;
        }
        await ListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(string handle, CancellationToken ct)
    {
        if (await OpenAsync(handle, false, ct) is { } refused)
        {
            return refused;
        }
        if (Errors.Any)
        {
            await ListAsync(ct);
            return Page();
        }
        await InboxCsv.WriteAsync(Response, Desk, inbox.AllAsync(Desk, Filter, ct), ct);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostBulkAsync(string handle, [FromForm] List<long>? ids, [FromForm] string? action, CancellationToken ct)
    {
        if (await OpenAsync(handle, true, ct) is { } refused)
        {
            return refused;
        }
        InboxBulkAction? bulk = action switch
        {
            "mark_read" => InboxBulkAction.MarkRead,
            "assign_to_me" => InboxBulkAction.AssignToMe,
            "unassign" => InboxBulkAction.Unassign,
            "close" => InboxBulkAction.Close,
            _ => null,
        };
        if (bulk is null)
        {
            Errors.Add("", "Choose what to do with the selected items");
            await ListAsync(ct);
            return Page();
        }
        var outcome = await inbox.BulkAsync(Desk, ids ?? [], bulk.Value, ct);
        if (!outcome.Succeeded)
        {
            if (Refused(outcome) is { } r && outcome.Failure != Data.OutcomeFailure.Invalid)
            {
                return r;
            }
            await ListAsync(ct);
            return Page();
        }
        Flash($"{outcome.Value} {(outcome.Value == 1 ? "item" : "items")} updated.");
        return LocalRedirect($"/organisations/{Desk.Organisation.Handle}/inbox{(QueryString.Length > 0 ? "?" + QueryString : "")}");
    }

    private async Task<IActionResult?> OpenAsync(string handle, bool toRespond, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, toRespond, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        var size = DefaultPageSize;
        if (!string.IsNullOrWhiteSpace(Size) && (!int.TryParse(Size, NumberStyles.None, CultureInfo.InvariantCulture, out size) || !PageSizes.Contains(size)))
        {
            Errors.Add("size", $"Choose {string.Join(", ", PageSizes.SkipLast(1))} or {PageSizes[^1]} items per page");
            size = DefaultPageSize;
        }
        var (filter, errors) = new InboxQuery(State, Theme, Sentiment, Assignee, Service, Source, From, To, Q, PageNumber, size, Overdue).ToFilter(Desk.StaffId);
        Filter = filter;
        foreach (var (field, messages) in errors)
        {
            foreach (var m in messages)
            {
                Errors.Add(field, m);
            }
        }
        Filtered = new[] { State, Theme, Sentiment, Assignee, Service, Source, From, To, Q, Overdue }.Any(v => !string.IsNullOrWhiteSpace(v));
        var pairs = new (string Key, string? Value)[]
        {
            ("q", Q), ("state", State), ("assignee", Assignee), ("source", Source), ("service", Service), ("theme", Theme), ("sentiment", Sentiment), ("from", From), ("to", To), ("overdue", Overdue),
            ("size", size == DefaultPageSize ? null : size.ToString(CultureInfo.InvariantCulture)),
        };
        QueryString = string.Join("&", pairs.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));
        return null;
    }

    private async Task ListAsync(CancellationToken ct)
    {
        Result = Errors.Any ? new InboxPage([], 0, 1, Filter.PageSize) : await inbox.ListAsync(Desk, Filter, ct);
        Services = await inbox.ServicesAsync(Desk, ct);
        Themes = await inbox.ThemesAsync(Desk, ct);
        // For the assignee filter's choices, kept 30 seconds as the services and themes are.
        Responders = await choices.GetAsync(Desk.Organisation.Id, "responders", clock.GetUtcNow().UtcDateTime,
            () => organisations.RespondersAsync(Desk.Organisation.Id, ct));
    }

    public string FromWhom(InboxItemView v) => v.Author is { } a ? $"{a.DisplayName} (@{a.Handle})" : v.Item.AuthorName ?? "someone who didn't give their name";

    public static string Date(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
