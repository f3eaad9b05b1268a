using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Accounts;

public sealed record OrganisationInput(string Handle, string DisplayName, string Bio);

public sealed record OrganisationMemberView(Account Account, OrganisationRole Role, bool IncludeInInbox = false);

/// <summary>A member of staff as a list of names shows them.</summary>
public sealed record StaffName(long Id, string DisplayName);

/// <summary>
/// Organisations (a trust, a practice, a council team, a police force) are accounts without a sign-in of their own:
/// people run them. Whoever creates one is its first admin; admins add and remove staff and other admins.
/// </summary>
public sealed class OrganisationService(DrawbridgeDb db, Snowflake ids, TimeProvider clock, Events.DomainEvents events)
{
    public async Task<Outcome<Account>> CreateAsync(long creatorId, OrganisationInput input, CancellationToken ct)
    {
        var creator = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == creatorId, ct);
        if (creator is null || creator.Kind != AccountKind.Professional)
        {
            return Outcome<Account>.Forbidden("Only professionals can create an organisation account");
        }
        var errors = new ErrorBag();
        if (AccountService.ValidateHandle(input.Handle) is { } handleError)
        {
            errors.Add("handle", handleError);
        }
        var name = input.DisplayName?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            errors.Add("displayName", "Enter the organisation's name (up to 100 characters)");
        }
        if ((input.Bio?.Length ?? 0) > 1000)
        {
            errors.Add("bio", "About must be 1,000 characters or fewer");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Account>();
        }
        var handle = input.Handle.Trim().TrimStart('@');
        var key = AccountService.HandleKey(handle);
        if (await db.Accounts.AnyAsync(a => a.HandleKey == key && a.Domain == null, ct))
        {
            return Outcome<Account>.Conflict("handle", $"The handle @{handle} is already taken");
        }
        var organisation = new Account
        {
            Id = ids.Next(),
            Handle = handle,
            HandleKey = key,
            DisplayName = name,
            Bio = input.Bio?.Trim() ?? "",
            Kind = AccountKind.Organisation,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Accounts.Add(organisation);
        db.OrganisationMembers.Add(new OrganisationMember { OrganisationId = organisation.Id, AccountId = creatorId, Role = OrganisationRole.Admin });
        await db.SaveChangesAsync(ct);
        return Outcome<Account>.Ok(organisation);
    }

    public async Task<List<OrganisationMemberView>> MembersAsync(long organisationId, CancellationToken ct) =>
        (await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == organisationId)
            .Join(db.Accounts.Where(a => a.DeletionRequestedAt == null), m => m.AccountId, a => a.Id, (m, a) => new { a, m.Role, m.IncludeInInbox })
            .ToListAsync(ct))
        .Select(x => new OrganisationMemberView(x.a, x.Role, x.IncludeInInbox)).OrderBy(x => x.Role switch { OrganisationRole.Admin => 0, OrganisationRole.Responder => 1, _ => 2 }).ThenBy(x => x.Account.DisplayName).ToList();

    /// <summary>
    /// The organisation's admins and responders, admins first: who an item can be given to. Reads only their ids and
    /// names (the inbox page lists them on every read).
    /// </summary>
    public async Task<List<StaffName>> RespondersAsync(long organisationId, CancellationToken ct) =>
        (await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == organisationId && (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Responder))
            .Join(db.Accounts.Where(a => a.DeletionRequestedAt == null), m => m.AccountId, a => a.Id, (m, a) => new { a.Id, a.DisplayName, m.Role })
            .ToListAsync(ct))
        .OrderBy(x => x.Role == OrganisationRole.Admin ? 0 : 1).ThenBy(x => x.DisplayName).Select(x => new StaffName(x.Id, x.DisplayName)).ToList();

    public async Task<List<Account>> OrganisationsOfAsync(long accountId, CancellationToken ct) =>
        await db.OrganisationMembers.AsNoTracking().Where(m => m.AccountId == accountId)
            .Join(db.Accounts, m => m.OrganisationId, a => a.Id, (m, a) => a).ToListAsync(ct);

    /// <summary>The account's role in the organisation, or null when it is not on the staff.</summary>
    public async Task<OrganisationRole?> RoleOfAsync(long accountId, long organisationId, CancellationToken ct) =>
        await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == organisationId && m.AccountId == accountId)
            .Select(m => (OrganisationRole?)m.Role).FirstOrDefaultAsync(ct);

    /// <summary>A member of staff chooses whether what the public addresses to them lands in the organisation's inbox.</summary>
    public async Task<Outcome<bool>> SetIncludeInInboxAsync(long accountId, long organisationId, bool include, CancellationToken ct)
    {
        var member = await db.OrganisationMembers.FirstOrDefaultAsync(m => m.OrganisationId == organisationId && m.AccountId == accountId, ct);
        if (member is null)
        {
            return Outcome<bool>.NotFound("You are not on this organisation's staff");
        }
        member.IncludeInInbox = include;
        await db.SaveChangesAsync(ct);
        return Outcome<bool>.Ok(include);
    }

    public const int ReplyReasonMax = 500;

    /// <summary>
    /// An organisation's admin restricts who may reply to its posts (everyone, followers, no one) and says why: the
    /// reason is public, on the organisation's page, so people know why they can't answer.
    /// </summary>
    public async Task<Outcome<Account>> SetReplyPolicyAsync(long adminId, long organisationId, ReplyPolicy policy, string? reason, CancellationToken ct)
    {
        if (!await IsAdminAsync(adminId, organisationId, ct))
        {
            return Outcome<Account>.Forbidden("Only the organisation's admins can change who may reply");
        }
        var why = (reason ?? "").Trim();
        if (policy != ReplyPolicy.Everyone && why.Length == 0)
        {
            return Outcome<Account>.Invalid("replyReason", "Say why replies are restricted: it is shown on your organisation's page");
        }
        if (why.Length > ReplyReasonMax)
        {
            return Outcome<Account>.Invalid("replyReason", $"Say why in {ReplyReasonMax} characters or fewer");
        }
        var org = await db.Accounts.FirstAsync(a => a.Id == organisationId, ct);
        org.ReplyPolicy = policy;
        org.ReplyPolicyReason = policy == ReplyPolicy.Everyone ? null : why;
        await events.RaiseAsync(db, new Events.AccountUpdated(org.Id), ct);
        await db.SaveChangesAsync(ct);
        return Outcome<Account>.Ok(org);
    }

    public Task<bool> IsAdminAsync(long accountId, long organisationId, CancellationToken ct) =>
        db.OrganisationMembers.AnyAsync(m => m.OrganisationId == organisationId && m.AccountId == accountId && m.Role == OrganisationRole.Admin, ct);

    public async Task<Outcome<OrganisationMemberView>> AddMemberAsync(long adminId, long organisationId, string memberHandle, OrganisationRole role, CancellationToken ct)
    {
        if (!await IsAdminAsync(adminId, organisationId, ct))
        {
            return Outcome<OrganisationMemberView>.Forbidden("Only the organisation's admins can add staff");
        }
        var key = AccountService.HandleKey(memberHandle ?? "");
        var member = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
        if (member is null)
        {
            return Outcome<OrganisationMemberView>.Invalid("handle", $"No account @{memberHandle?.TrimStart('@')}");
        }
        if (member.Kind != AccountKind.Professional)
        {
            return Outcome<OrganisationMemberView>.Invalid("handle", "Staff must have professional accounts");
        }
        var existing = await db.OrganisationMembers.FirstOrDefaultAsync(m => m.OrganisationId == organisationId && m.AccountId == member.Id, ct);
        if (existing is null)
        {
            db.OrganisationMembers.Add(new OrganisationMember { OrganisationId = organisationId, AccountId = member.Id, Role = role });
        }
        else
        {
            if (existing.Role == OrganisationRole.Admin && role != OrganisationRole.Admin &&
                await db.OrganisationMembers.CountAsync(m => m.OrganisationId == organisationId && m.Role == OrganisationRole.Admin, ct) == 1)
            {
                return Outcome<OrganisationMemberView>.Invalid("role", "An organisation needs at least one admin: make someone else an admin first");
            }
            existing.Role = role;
        }
        await db.SaveChangesAsync(ct);
        return Outcome<OrganisationMemberView>.Ok(new OrganisationMemberView(member, role));
    }

    public async Task<Outcome<bool>> RemoveMemberAsync(long adminId, long organisationId, long memberId, CancellationToken ct)
    {
        if (!await IsAdminAsync(adminId, organisationId, ct))
        {
            return Outcome<bool>.Forbidden("Only the organisation's admins can remove staff");
        }
        var admins = await db.OrganisationMembers.CountAsync(m => m.OrganisationId == organisationId && m.Role == OrganisationRole.Admin, ct);
        var target = await db.OrganisationMembers.FirstOrDefaultAsync(m => m.OrganisationId == organisationId && m.AccountId == memberId, ct);
        if (target is null)
        {
            return Outcome<bool>.NotFound("Not a member of this organisation");
        }
        if (target.Role == OrganisationRole.Admin && admins == 1)
        {
            return Outcome<bool>.Invalid("handle", "An organisation needs at least one admin: add another admin first");
        }
        db.OrganisationMembers.Remove(target);
        await db.SaveChangesAsync(ct);
        return Outcome<bool>.Ok(true);
    }
}
