using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Organisations;

/// <summary>
/// An organisation's staff: everyone can see who works there; staff see each other's roles and choose whether what is
/// addressed to them joins the inbox; admins add and remove people and give them their roles.
/// </summary>
public sealed class StaffModel(OrganisationService organisations, AccountService accounts) : DrawbridgePage
{
    [BindProperty] public string? MemberHandle { get; set; }
    [BindProperty] public string? Role { get; set; } = "responder";
    [BindProperty] public bool IncludeInInbox { get; set; }
    [BindProperty] public string? ReplyPolicy { get; set; }
    [BindProperty] public string? ReplyReason { get; set; }
    public Account Organisation { get; private set; } = null!;
    public IReadOnlyList<OrganisationMemberView> Members { get; private set; } = [];
    public OrganisationRole? MyRole { get; private set; }
    public bool IsAdmin => MyRole == OrganisationRole.Admin;

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        IncludeInInbox = Members.FirstOrDefault(m => m.Account.Id == Me)?.IncludeInInbox == true;
        ReplyPolicy = Organisation.ReplyPolicy.ToString().ToLowerInvariant();
        ReplyReason = Organisation.ReplyPolicyReason;
        return Page();
    }

    public async Task<IActionResult> OnPostRepliesAsync(string handle, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        if (Me is null)
        {
            return Challenge();
        }
        Accounts.ReplyPolicy? policy = ReplyPolicy switch
        {
            "everyone" => Accounts.ReplyPolicy.Everyone,
            "followers" => Accounts.ReplyPolicy.Followers,
            "nobody" => Accounts.ReplyPolicy.Nobody,
            _ => null,
        };
        if (policy is null)
        {
            Errors.Add("replyPolicy", "Choose who may reply");
            return Page();
        }
        var outcome = await organisations.SetReplyPolicyAsync(MeRequired, Organisation.Id, policy.Value, ReplyReason, ct);
        if (Refused(outcome) is { } refused)
        {
            return refused;
        }
        Flash("Saved: the organisation's page says who may reply and why.");
        return LocalRedirect($"/organisations/{Organisation.Handle}/staff");
    }

    public async Task<IActionResult> OnPostAddAsync(string handle, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        if (Me is null)
        {
            return Challenge();
        }
        if (OrganisationRoles.Parse(Role) is not { } role)
        {
            Errors.Add("role", "Choose admin, responder or viewer");
            return Page();
        }
        var outcome = await organisations.AddMemberAsync(MeRequired, Organisation.Id, MemberHandle ?? "", role, ct);
        if (Refused(outcome, new Dictionary<string, string> { ["handle"] = "memberHandle" }) is { } refused)
        {
            return refused;
        }
        Flash($"{outcome.Value!.Account.DisplayName} is now {(role == OrganisationRole.Admin ? "an admin" : "a " + role.Name())} of {Organisation.DisplayName}.");
        return LocalRedirect($"/organisations/{Organisation.Handle}/staff");
    }

    public async Task<IActionResult> OnPostInboxAsync(string handle, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        if (Me is null)
        {
            return Challenge();
        }
        var outcome = await organisations.SetIncludeInInboxAsync(MeRequired, Organisation.Id, IncludeInInbox, ct);
        if (Refused(outcome) is { } refused)
        {
            return refused;
        }
        Flash(IncludeInInbox
            ? $"What the public says to you now joins {Organisation.DisplayName}'s inbox."
            : $"What the public says to you no longer joins {Organisation.DisplayName}'s inbox.");
        return LocalRedirect($"/organisations/{Organisation.Handle}/staff");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string handle, long memberId, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        if (Me is null)
        {
            return Challenge();
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
        MyRole = Me is { } me ? await organisations.RoleOfAsync(me, org.Id, ct) : null;
        return true;
    }
}
