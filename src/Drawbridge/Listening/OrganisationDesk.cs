using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>An organisation as one member of its staff sees it: who they are there, and what they may do.</summary>
public sealed record OrganisationDesk(Account Organisation, long StaffId, OrganisationRole Role)
{
    public bool CanRespond => Role.CanRespond();
    public bool IsAdmin => Role == OrganisationRole.Admin;
}

/// <summary>Opens an organisation for a member of its staff, refusing everyone else.</summary>
public sealed class OrganisationDesks(DrawbridgeDb db)
{
    /// <summary>
    /// Not found when there is no such organisation; forbidden for anyone not on its staff (a visitor, a member of
    /// the public, another organisation's staff), and for viewers when the work needs a responder.
    /// </summary>
    public async Task<Outcome<OrganisationDesk>> OpenAsync(long? accountId, string handle, bool toRespond, CancellationToken ct)
    {
        var key = AccountService.HandleKey((handle ?? "").TrimStart('@'));
        // The organisation and the reader's role in it, in one query: every inbox page and call opens a desk.
        var me = accountId ?? 0;
        var found = await db.Accounts.AsNoTracking().Where(a => a.HandleKey == key && a.Kind == AccountKind.Organisation && a.DeletionRequestedAt == null)
            .Select(a => new { Organisation = a, Role = db.OrganisationMembers.Where(m => m.OrganisationId == a.Id && m.AccountId == me).Select(m => (OrganisationRole?)m.Role).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return Outcome<OrganisationDesk>.NotFound($"No organisation @{handle}");
        }
        var (org, role) = (found.Organisation, found.Role);
        if (accountId is null)
        {
            return Outcome<OrganisationDesk>.Forbidden("Only the organisation's staff can do this");
        }
        if (role is null)
        {
            return Outcome<OrganisationDesk>.Forbidden($"Only the staff of {org.DisplayName} can do this");
        }
        if (toRespond && !role.Value.CanRespond())
        {
            return Outcome<OrganisationDesk>.Forbidden("Viewers can read the inbox but not act on it: ask an admin to make you a responder");
        }
        return Outcome<OrganisationDesk>.Ok(new OrganisationDesk(org, me, role.Value));
    }
}
