using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Organisations;

/// <summary>An organisation's staff: everyone can see who works there; admins add and remove people.</summary>
public sealed class StaffModel(OrganisationService organisations, AccountService accounts) : DrawbridgePage
{
    [BindProperty] public string? MemberHandle { get; set; }
    [BindProperty] public string? Role { get; set; } = "staff";
    public Account Organisation { get; private set; } = null!;
    public IReadOnlyList<OrganisationMemberView> Members { get; private set; } = [];
    public bool IsAdmin { get; private set; }

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct) =>
        await LoadAsync(handle, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAddAsync(string handle, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        var role = Role == "admin" ? OrganisationRole.Admin : OrganisationRole.Staff;
        var outcome = await organisations.AddMemberAsync(MeRequired, Organisation.Id, MemberHandle ?? "", role, ct);
        if (Refused(outcome, new Dictionary<string, string> { ["handle"] = "memberHandle" }) is { } refused)
        {
            return refused;
        }
        Flash($"{outcome.Value!.Account.DisplayName} is now {(role == OrganisationRole.Admin ? "an admin" : "staff")} of {Organisation.DisplayName}.");
        return LocalRedirect($"/organisations/{Organisation.Handle}/staff");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string handle, long memberId, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        var outcome = await organisations.RemoveMemberAsync(MeRequired, Organisation.Id, memberId, ct);
        if (Refused(outcome, new Dictionary<string, string> { ["handle"] = "memberHandle" }) is { } refused)
        {
            return refused;
        }
        Flash("Removed from the organisation.");
        return LocalRedirect($"/organisations/{Organisation.Handle}/staff");
    }

    private async Task<bool> LoadAsync(string handle, CancellationToken ct)
    {
        var org = await accounts.FindByHandleAsync(handle, ct);
        if (org is null || org.Kind != AccountKind.Organisation)
        {
            return false;
        }
        Organisation = org;
        Members = await organisations.MembersAsync(org.Id, ct);
        IsAdmin = Me is { } me && await organisations.IsAdminAsync(me, org.Id, ct);
        return true;
    }
}
