using Drawbridge.Moderation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Admin;

/// <summary>Admins grant and remove the moderator and admin roles.</summary>
[Authorize(Roles = Moderators.AdminRole)]
public sealed class RolesModel(ModerationService moderation) : DrawbridgePage
{
    [BindProperty] public string? Handle { get; set; }
    [BindProperty] public string? Role { get; set; } = Moderators.Role;
    public IReadOnlyList<RoleHolder> Holders { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Holders = await moderation.RoleHoldersAsync(ct);

    public Task<IActionResult> OnPostGrantAsync(CancellationToken ct) => ChangeAsync(true, ct);

    public Task<IActionResult> OnPostRemoveAsync(CancellationToken ct) => ChangeAsync(false, ct);

    private async Task<IActionResult> ChangeAsync(bool grant, CancellationToken ct)
    {
        var outcome = await moderation.SetRoleAsync(MeRequired, Handle, Role, grant, ct);
        if (Refused(outcome) is { } refused)
        {
            Holders = await moderation.RoleHoldersAsync(ct);
            return refused;
        }
        Flash(grant ? $"@{Handle?.Trim().TrimStart('@')} is now {Role}." : $"@{Handle?.Trim().TrimStart('@')} is no longer {Role}.");
        return LocalRedirect("/admin/roles");
    }
}
