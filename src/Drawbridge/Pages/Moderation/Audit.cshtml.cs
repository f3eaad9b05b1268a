using Drawbridge.Data;
using Drawbridge.Moderation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Pages.Moderation;

/// <summary>The full audit trail, with who did what and why: moderators only.</summary>
[Authorize(Roles = Moderators.Role)]
public sealed class AuditModel(ModerationService moderation, DrawbridgeDb db) : DrawbridgePage
{
    public IReadOnlyList<ModerationAction> Actions { get; private set; } = [];
    public Dictionary<long, string> Handles { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Actions = await moderation.AuditAsync(200, ct);
        var ids = Actions.Select(a => a.ModeratorId).Concat(Actions.Where(a => a.AccountId is not null).Select(a => a.AccountId!.Value)).Distinct().ToList();
        Handles = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Handle, ct);
    }
}
