using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Pages.Inbox;

/// <summary>
/// One change record, for the organisation's staff: viewers read it; responders edit it until it is published and send
/// it for review; admins edit it at any time, publish it, send it back or withdraw it.
/// </summary>
public sealed class ChangeModel(OrganisationDesks desks, ChangeService changes, Data.DrawbridgeDb db) : DrawbridgePage
{
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? YouSaid { get; set; }
    [BindProperty] public string? WeDid { get; set; }
    [BindProperty] public string? Service { get; set; }
    [BindProperty] public string? Status { get; set; }
    [BindProperty] public string? InternalNote { get; set; }

    public OrganisationDesk Desk { get; private set; } = null!;
    public ChangeView View { get; private set; } = null!;
    public IReadOnlyList<InboxItem> Items { get; private set; } = [];
    public bool CanEdit => Desk.IsAdmin || (Desk.CanRespond && View.Change.Review != ChangeReview.Published);

    public async Task<IActionResult> OnGetAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, false, ct) is { } refused)
        {
            return refused;
        }
        var c = View.Change;
        (Title, YouSaid, WeDid, Service, Status, InternalNote) = (c.Title, c.YouSaid, c.WeDid, c.Service, ChangeService.StatusKey(c.Status), c.InternalNote);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        var outcome = await changes.UpdateAsync(Desk, id, new ChangeInput(Title ?? "", YouSaid ?? "", WeDid ?? "", Service ?? "", Status, InternalNote ?? "", null), ct);
        return Done(outcome, "Change saved.");
    }

    public async Task<IActionResult> OnPostSubmitAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        return Done(await changes.SubmitAsync(Desk, id, ct), "Sent to the organisation's admins for review.");
    }

    public async Task<IActionResult> OnPostReviewAsync(string handle, long id, [FromForm] string? decision, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, true, ct) is { } refused)
        {
            return refused;
        }
        if (decision is not ("publish" or "return"))
        {
            Errors.Add("", "Choose to publish or to send back");
            return Page();
        }
        var publish = decision == "publish";
        return Done(await changes.ReviewAsync(Desk, id, publish, ct), publish ? "Published on the public page and its feeds." : "Back to draft: it is not public.");
    }

    private IActionResult Done(Data.Outcome<ChangeView> outcome, string message)
    {
        if (Refused(outcome) is { } problem)
        {
            return problem;
        }
        Flash(message);
        return LocalRedirect($"/organisations/{Desk.Organisation.Handle}/changes/{Links.Id(View.Change.Id)}");
    }

    private async Task<IActionResult?> LoadAsync(string handle, long id, bool toRespond, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, toRespond, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        var view = await changes.GetAsync(Desk, id, ct);
        if (Refused(view) is { } missing)
        {
            return missing;
        }
        View = view.Value!;
        var ids = View.ItemIds.ToList();
        Items = await db.Set<InboxItem>().AsNoTracking().Where(i => ids.Contains(i.Id)).OrderByDescending(i => i.Id).ToListAsync(ct);
        return null;
    }
}
