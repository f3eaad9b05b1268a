using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Pages.Inbox;

/// <summary>The organisation's change records, for its staff (viewers read); responders and admins draft a new one, from an inbox item or not.</summary>
public sealed class ChangesModel(OrganisationDesks desks, ChangeService changes, Data.DrawbridgeDb db) : DrawbridgePage
{
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? YouSaid { get; set; }
    [BindProperty] public string? WeDid { get; set; }
    [BindProperty] public string? Service { get; set; }
    [BindProperty] public string? Status { get; set; }
    [BindProperty] public string? InternalNote { get; set; }
    [BindProperty(SupportsGet = true, Name = "item")] public long? ItemId { get; set; }

    public OrganisationDesk Desk { get; private set; } = null!;
    public IReadOnlyList<ChangeView> Changes { get; private set; } = [];
    public InboxItem? Item { get; private set; }

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct) => await LoadAsync(handle, false, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(string handle, CancellationToken ct)
    {
        if (await LoadAsync(handle, true, ct) is { } refused)
        {
            return refused;
        }
        var outcome = await changes.CreateAsync(Desk, new ChangeInput(Title, YouSaid, WeDid, Service ?? "", Status, InternalNote ?? "", Item is null ? null : [Item.Id]), ct);
        if (Refused(outcome) is { } problem)
        {
            return problem;
        }
        Flash("Change saved as a draft. Send it for review when it is ready.");
        return LocalRedirect($"/organisations/{Desk.Organisation.Handle}/changes/{Links.Id(outcome.Value!.Change.Id)}");
    }

    private async Task<IActionResult?> LoadAsync(string handle, bool toRespond, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, toRespond, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        Changes = await changes.ListAsync(Desk, ct);
        if (ItemId is { } id)
        {
            Item = await db.Set<InboxItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id && i.OrganisationId == Desk.Organisation.Id, ct);
            if (Item is null)
            {
                return NotFound();
            }
        }
        return null;
    }
}
