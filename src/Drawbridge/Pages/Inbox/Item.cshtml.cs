using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Inbox;

/// <summary>One inbox item, for the organisation's staff only: viewers read it; responders and admins respond, assign, change its state and add internal notes.</summary>
public sealed class ItemModel(OrganisationDesks desks, InboxService inbox, OrganisationService organisations, InsightsTraining insights, ResponseTimes responseTimes, ChangeService changes) : DrawbridgePage
{
    [BindProperty(Name = "response")] public string? ResponseText { get; set; }
    [BindProperty] public string? Voice { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty(Name = "themes")] public List<string> ThemeIds { get; set; } = [];

    /// <summary>The framework the item was sorted by, whose themes staff may choose when they correct it.</summary>
    public FrameworkInUse? Framework { get; private set; }

    public OrganisationDesk Desk { get; private set; } = null!;
    public InboxItemDetail Detail { get; private set; } = null!;
    public IReadOnlyList<OrganisationMemberView> Responders { get; private set; } = [];
    public ResponseClock Clock { get; private set; } = null!;
    public IReadOnlyList<ChangeView> Changes { get; private set; } = [];

    public string FromWhom => Detail.View.Author is { } a ? $"{a.DisplayName} (@{a.Handle})" : Detail.View.Item.AuthorName ?? "someone who didn't give their name";

    public async Task<IActionResult> OnGetAsync(string handle, long id, CancellationToken ct) =>
        await LoadAsync(handle, id, false, ct) ?? Page();

    public async Task<IActionResult> OnPostRespondAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        var outcome = await inbox.RespondAsync(Desk, id, ResponseText ?? "", Voice != "self", ct);
        return await Done(outcome, handle, id, "Your response has been sent.", ct);
    }

    public async Task<IActionResult> OnPostLinkAsync(string handle, long id, [FromForm] long? changeId, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        if (changeId is not { } change)
        {
            Errors.Add("changeId", "Choose a change");
            return Page();
        }
        var outcome = await changes.LinkAsync(Desk, change, id, ct);
        if (Refused(outcome, new Dictionary<string, string> { ["itemIds"] = "changeId", ["status"] = "changeId" }) is { } problem)
        {
            return problem;
        }
        Flash($"Linked to “{outcome.Value!.Change.Title}”.");
        return LocalRedirect($"/organisations/{Desk.Organisation.Handle}/inbox/{Links.Id(id)}");
    }

    public async Task<IActionResult> OnPostNoteAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        return await Done(await inbox.AddNoteAsync(Desk, id, Note ?? "", ct), handle, id, "Note added.", ct);
    }

    public async Task<IActionResult> OnPostAssignAsync(string handle, long id, [FromForm] string? assigneeId, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        long? assignee = long.TryParse(assigneeId, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        return await Done(await inbox.AssignAsync(Desk, id, assignee, ct), handle, id, assignee is null ? "Unassigned." : "Assigned.", ct);
    }

    public async Task<IActionResult> OnPostStateAsync(string handle, long id, [FromForm] string? state, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        if (InboxService.ParseState(state) is not { } s)
        {
            Errors.Add("state", "Choose a state");
            return Page();
        }
        return await Done(await inbox.SetStateAsync(Desk, id, s, ct), handle, id, $"Marked {InboxService.StateName(s).ToLowerInvariant()}.", ct);
    }

    public async Task<IActionResult> OnPostThemesAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        var outcome = await insights.CorrectAsync(Desk, id, ThemeIds, ct);
        return await Done(outcome, handle, id, "Theme corrected: the next model learns from it.", ct);
    }

    private async Task<IActionResult> Done<T>(Data.Outcome<T> outcome, string handle, long id, string message, CancellationToken ct)
    {
        if (Refused(outcome) is { } refused)
        {
            if (outcome.Failure == Data.OutcomeFailure.Invalid)
            {
                // Show the page again with what they typed and the error beside it.
                await LoadAsync(handle, id, false, ct);
            }
            return refused;
        }
        Flash(message);
        return LocalRedirect($"/organisations/{Desk.Organisation.Handle}/inbox/{id.ToString(CultureInfo.InvariantCulture)}");
    }

    private async Task<IActionResult?> LoadAsync(string handle, long id, bool toRespond, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, toRespond, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        var detail = await inbox.GetAsync(Desk, id, ct);
        if (Refused(detail) is { } missing)
        {
            return missing;
        }
        Detail = detail.Value!;
        Responders = (await organisations.MembersAsync(Desk.Organisation.Id, ct)).Where(m => m.Role.CanRespond()).ToList();
        Framework = await insights.FrameworkAsync(Desk, ct);
        Clock = await responseTimes.ClockAsync(Desk.Organisation.Id, ct);
        Changes = await changes.ListAsync(Desk, ct);
        return null;
    }
}
