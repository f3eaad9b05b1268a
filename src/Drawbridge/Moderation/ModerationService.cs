using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Moderation;

/// <summary>What someone reports: an account, optionally one of its posts, the rule broken and what they saw.</summary>
public sealed record ReportInput(long AccountId, long? PostId, string? Rule, string? Comment);

/// <summary>What a moderator does about an account or a post, and why.</summary>
public sealed record ModerationInput(string? Action, long AccountId, long? PostId, long? ReportId, string? Rule, string? Reason);

/// <summary>A report with what moderators need beside it.</summary>
public sealed record ReportView(Report Report, Account Account, Post? Post, Account? Reporter);

/// <summary>One line of the public moderation log: what was done, under which rule, when; nothing about who.</summary>
public sealed record PublicLogEntry(long Id, ModerationActionKind Kind, int? RuleId, DateTime At, DateTime? ReversedAt);

/// <summary>A decision about someone's account or post, as they see it, with their appeal if they made one.</summary>
public sealed record DecisionView(ModerationAction Action, Appeal? Appeal);

public sealed record AppealView(Appeal Appeal, ModerationAction Action, Account? Account);

public sealed record RoleHolder(string Role, Account Account);

/// <summary>
/// Reports, decisions, appeals and roles. Every decision is written to <see cref="ModerationAction"/> (who, what,
/// when, why) in the same transaction as the change it makes, so nothing is done that the audit trail doesn't show.
/// </summary>
public sealed class ModerationService(
    DrawbridgeDb db, Snowflake ids, TimeProvider clock, PostEditing posts, AccessTokenService tokens, AccountStanding standing,
    UserManager<User> users, RoleManager<IdentityRole<long>> roles, Mailer mailer, Events.DomainEvents events,
    Microsoft.Extensions.Options.IOptions<DrawbridgeOptions> options)
{
    public const int CommentMax = 1000;
    public const int ReasonMax = 1000;

    public static readonly IReadOnlyList<ModerationActionKind> Appealable =
        [ModerationActionKind.HidePost, ModerationActionKind.Warn, ModerationActionKind.Limit, ModerationActionKind.Suspend];

    /// <summary>
    /// Files a report. <paramref name="reporterId"/> is an account of this server, or null when another server
    /// forwards a report (ActivityPub's Flag), when <paramref name="originDomain"/> names that server and the rule may
    /// be unknown.
    /// </summary>
    public async Task<Outcome<Report>> FileAsync(long? reporterId, string? originDomain, ReportInput input, CancellationToken ct)
    {
        var errors = new ErrorBag();
        if (reporterId is null && string.IsNullOrWhiteSpace(originDomain))
        {
            throw new ArgumentException("A report comes from an account or from another server");
        }
        var rule = ServerRules.Parse(input.Rule);
        if (rule is null && (reporterId is not null || !string.IsNullOrWhiteSpace(input.Rule)))
        {
            errors.Add("rule", "Choose the rule that was broken");
        }
        var comment = (input.Comment ?? "").Trim();
        if (comment.Length > CommentMax)
        {
            errors.Add("comment", $"Say what's wrong in {CommentMax} characters or fewer");
        }
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == input.AccountId && a.DeletionRequestedAt == null, ct);
        if (account is null)
        {
            return Outcome<Report>.NotFound("Account not found");
        }
        if (account.Id == reporterId)
        {
            errors.Add("", "You can't report yourself");
        }
        if (input.PostId is { } postId)
        {
            var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId, ct);
            // A reporter can report only what they can see; a post someone can't see is "not found", as everywhere.
            if (post is null || post.AuthorId != account.Id || (reporterId is { } r ? !await PostAccess.CanSeeAsync(db, r, post, ct) : post.DeletedAt is not null))
            {
                return Outcome<Report>.NotFound("Post not found");
            }
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Report>();
        }
        var report = new Report
        {
            Id = ids.Next(),
            ReporterId = reporterId,
            OriginDomain = reporterId is null ? originDomain!.Trim().ToLowerInvariant() : null,
            AccountId = account.Id,
            PostId = input.PostId,
            RuleId = rule?.Id ?? 0,
            Comment = comment,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Add(report);
        await db.SaveChangesAsync(ct);
        return Outcome<Report>.Ok(report);
    }

    public async Task<IReadOnlyList<ReportView>> QueueAsync(ReportStatus status, int take, CancellationToken ct)
    {
        var reports = await db.Set<Report>().AsNoTracking().Where(r => r.Status == status)
            .OrderBy(r => r.Id).Take(take).ToListAsync(ct);
        return await ViewsAsync(reports, ct);
    }

    public async Task<ReportView?> ReportAsync(long id, CancellationToken ct)
    {
        var report = await db.Set<Report>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return report is null ? null : (await ViewsAsync([report], ct)).FirstOrDefault();
    }

    /// <summary>Other reports about the same account, so a moderator sees a pattern.</summary>
    public Task<int> ReportCountAsync(long accountId, CancellationToken ct) => db.Set<Report>().CountAsync(r => r.AccountId == accountId, ct);

    private async Task<IReadOnlyList<ReportView>> ViewsAsync(List<Report> reports, CancellationToken ct)
    {
        var accountIds = reports.Select(r => r.AccountId).Concat(reports.Where(r => r.ReporterId is not null).Select(r => r.ReporterId!.Value)).Distinct().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var postIds = reports.Where(r => r.PostId is not null).Select(r => r.PostId!.Value).Distinct().ToList();
        var reported = await db.Posts.AsNoTracking().Where(p => postIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return reports.Where(r => accounts.ContainsKey(r.AccountId))
            .Select(r => new ReportView(r, accounts[r.AccountId], r.PostId is { } p ? reported.GetValueOrDefault(p) : null, r.ReporterId is { } rep ? accounts.GetValueOrDefault(rep) : null))
            .ToList();
    }

    /// <summary>Acts on an account or a post: hide (a post), warn, limit, suspend, lift a limit or suspension, or dismiss a report.</summary>
    public async Task<Outcome<ModerationAction>> ActAsync(long moderatorId, ModerationInput input, CancellationToken ct)
    {
        var errors = new ErrorBag();
        ModerationActionKind? kind = input.Action?.Trim().ToLowerInvariant() switch
        {
            "hide" => ModerationActionKind.HidePost,
            "warn" => ModerationActionKind.Warn,
            "limit" => ModerationActionKind.Limit,
            "suspend" => ModerationActionKind.Suspend,
            "unlimit" => ModerationActionKind.Unlimit,
            "unsuspend" => ModerationActionKind.Unsuspend,
            "dismiss" => ModerationActionKind.DismissReport,
            _ => null,
        };
        if (kind is null)
        {
            errors.Add("action", "Choose what to do: hide, warn, limit, suspend, unlimit, unsuspend or dismiss");
        }
        var rule = ServerRules.Parse(input.Rule);
        var needsRule = kind is ModerationActionKind.HidePost or ModerationActionKind.Warn or ModerationActionKind.Limit or ModerationActionKind.Suspend;
        if (needsRule && rule is null)
        {
            errors.Add("rule", "Choose the rule that was broken");
        }
        var reason = (input.Reason ?? "").Trim();
        if (reason.Length == 0)
        {
            errors.Add("reason", "Say why: the person will read it, and so will the moderators after you");
        }
        else if (reason.Length > ReasonMax)
        {
            errors.Add("reason", $"Say why in {ReasonMax} characters or fewer");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<ModerationAction>();
        }
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == input.AccountId, ct);
        if (account is null)
        {
            return Outcome<ModerationAction>.NotFound("Account not found");
        }
        Report? report = null;
        if (input.ReportId is { } reportId)
        {
            report = await db.Set<Report>().FirstOrDefaultAsync(r => r.Id == reportId && r.AccountId == account.Id, ct);
            if (report is null)
            {
                return Outcome<ModerationAction>.NotFound("Report not found");
            }
        }
        else if (kind == ModerationActionKind.DismissReport)
        {
            return Outcome<ModerationAction>.Invalid("reportId", "Only a report can be dismissed");
        }
        if (account.Id == moderatorId && kind != ModerationActionKind.DismissReport)
        {
            return Outcome<ModerationAction>.Forbidden("Another moderator must decide about your own account");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var action = new ModerationAction
        {
            Id = ids.Next(),
            ModeratorId = moderatorId,
            Kind = kind!.Value,
            AccountId = account.Id,
            PostId = input.PostId,
            ReportId = report?.Id,
            RuleId = rule?.Id ?? (report is { RuleId: > 0 } ? report.RuleId : null),
            Reason = reason,
            Public = kind != ModerationActionKind.DismissReport,
            CreatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        switch (kind)
        {
            case ModerationActionKind.HidePost:
                var post = input.PostId is { } postId ? await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId && p.AuthorId == account.Id && p.DeletedAt == null, ct) : null;
                if (post is null)
                {
                    return Outcome<ModerationAction>.NotFound("Post not found");
                }
                action.HiddenContent = post.Content;
                action.HiddenTitle = post.Title;
                action.HiddenSummary = post.Summary;
                var removed = await posts.RemoveAsModeratorAsync(moderatorId, post.Id, rule!.Id, ct);
                if (!removed.Succeeded)
                {
                    return removed.As<ModerationAction>();
                }
                break;
            case ModerationActionKind.Limit:
                account.LimitedAt ??= now;
                break;
            case ModerationActionKind.Unlimit:
                if (account.LimitedAt is null)
                {
                    return Outcome<ModerationAction>.Invalid("action", "The account isn't limited");
                }
                account.LimitedAt = null;
                break;
            case ModerationActionKind.Suspend:
                account.SuspendedAt ??= now;
                break;
            case ModerationActionKind.Unsuspend:
                if (account.SuspendedAt is null)
                {
                    return Outcome<ModerationAction>.Invalid("action", "The account isn't suspended");
                }
                account.SuspendedAt = null;
                break;
        }
        if (kind is ModerationActionKind.Limit or ModerationActionKind.Unlimit or ModerationActionKind.Suspend or ModerationActionKind.Unsuspend)
        {
            // The profile (and its cached page) shows the account's standing.
            await events.RaiseAsync(db, new Events.AccountUpdated(account.Id), ct);
        }
        if (report is not null)
        {
            report.Status = kind == ModerationActionKind.DismissReport ? ReportStatus.Dismissed : ReportStatus.Actioned;
            report.ResolvedAt = now;
            report.ResolvedById = moderatorId;
        }
        db.Add(action);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (kind == ModerationActionKind.Suspend)
        {
            // A suspended account keeps its sign-in (to read the decision and appeal) but no app acts for it.
            await tokens.RevokeAllAsync(account.Id, ct);
        }
        standing.Forget(account.Id);
        if (Appealable.Contains(action.Kind))
        {
            await TellAsync(account.Id, Describe(action.Kind), $"{reason}\n\nRule: {ServerRules.TitleOf(action.RuleId)}.\n\nYou can read this decision and appeal against it on the Moderation decisions page (/appeals) when you sign in.", ct);
        }
        return Outcome<ModerationAction>.Ok(action);
    }

    /// <summary>Decisions about an account, newest first, with its appeals: what the person sees on /appeals.</summary>
    public async Task<IReadOnlyList<DecisionView>> DecisionsAboutAsync(long accountId, CancellationToken ct)
    {
        var actions = await db.Set<ModerationAction>().AsNoTracking()
            .Where(a => a.AccountId == accountId && Appealable.Contains(a.Kind))
            .OrderByDescending(a => a.Id).Take(100).ToListAsync(ct);
        var actionIds = actions.Select(a => a.Id).ToList();
        var appeals = await db.Set<Appeal>().AsNoTracking().Where(a => actionIds.Contains(a.ActionId)).ToDictionaryAsync(a => a.ActionId, ct);
        return actions.Select(a => new DecisionView(a, appeals.GetValueOrDefault(a.Id))).ToList();
    }

    public async Task<Outcome<Appeal>> AppealAsync(long accountId, long actionId, string? text, CancellationToken ct)
    {
        var body = (text ?? "").Trim();
        if (body.Length == 0)
        {
            return Outcome<Appeal>.Invalid("text", "Say why the decision should change");
        }
        if (body.Length > CommentMax)
        {
            return Outcome<Appeal>.Invalid("text", $"Say why in {CommentMax} characters or fewer");
        }
        var action = await db.Set<ModerationAction>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == actionId && a.AccountId == accountId, ct);
        if (action is null || !Appealable.Contains(action.Kind))
        {
            return Outcome<Appeal>.NotFound("Decision not found");
        }
        if (action.ReversedAt is not null || await db.Set<Appeal>().AnyAsync(a => a.ActionId == actionId, ct))
        {
            return Outcome<Appeal>.Conflict("text", "This decision has already been appealed");
        }
        if (action.CreatedAt.AddDays(options.Value.AppealDays) < clock.GetUtcNow().UtcDateTime)
        {
            return Outcome<Appeal>.Conflict("text", $"A decision can be appealed for {options.Value.AppealDays} days; this one can no longer be");
        }
        var appeal = new Appeal { Id = ids.Next(), ActionId = actionId, AccountId = accountId, Text = body, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Add(appeal);
        await db.SaveChangesAsync(ct);
        return Outcome<Appeal>.Ok(appeal);
    }

    public async Task<IReadOnlyList<AppealView>> PendingAppealsAsync(int take, CancellationToken ct)
    {
        var appeals = await db.Set<Appeal>().AsNoTracking().Where(a => a.Status == AppealStatus.Pending).OrderBy(a => a.Id).Take(take).ToListAsync(ct);
        var actionIds = appeals.Select(a => a.ActionId).ToList();
        var actions = await db.Set<ModerationAction>().AsNoTracking().Where(a => actionIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var accountIds = appeals.Select(a => a.AccountId).ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        return appeals.Where(a => actions.ContainsKey(a.ActionId)).Select(a => new AppealView(a, actions[a.ActionId], accounts.GetValueOrDefault(a.AccountId))).ToList();
    }

    /// <summary>A moderator decides an appeal: the decision stands, or it is reversed (the post comes back, the limit or suspension ends).</summary>
    public async Task<Outcome<Appeal>> DecideAppealAsync(long moderatorId, long appealId, bool reverse, string? response, CancellationToken ct)
    {
        var answer = (response ?? "").Trim();
        if (answer.Length == 0)
        {
            return Outcome<Appeal>.Invalid("response", "Say why: the person who appealed will read it");
        }
        if (answer.Length > ReasonMax)
        {
            return Outcome<Appeal>.Invalid("response", $"Say why in {ReasonMax} characters or fewer");
        }
        var appeal = await db.Set<Appeal>().FirstOrDefaultAsync(a => a.Id == appealId, ct);
        if (appeal is null)
        {
            return Outcome<Appeal>.NotFound("Appeal not found");
        }
        if (appeal.Status != AppealStatus.Pending)
        {
            return Outcome<Appeal>.Conflict("", "This appeal has already been decided");
        }
        if (appeal.AccountId == moderatorId)
        {
            return Outcome<Appeal>.Forbidden("Another moderator must decide your own appeal");
        }
        var action = await db.Set<ModerationAction>().FirstAsync(a => a.Id == appeal.ActionId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (reverse)
        {
            switch (action.Kind)
            {
                case ModerationActionKind.HidePost when action.PostId is { } postId:
                    await posts.RestoreAsync(postId, action.HiddenContent ?? "", action.HiddenTitle, action.HiddenSummary, ct);
                    break;
                case ModerationActionKind.Limit:
                    await db.Accounts.Where(a => a.Id == appeal.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LimitedAt, (DateTime?)null), ct);
                    break;
                case ModerationActionKind.Suspend:
                    await db.Accounts.Where(a => a.Id == appeal.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.SuspendedAt, (DateTime?)null), ct);
                    break;
            }
            await events.RaiseAsync(db, new Events.AccountUpdated(appeal.AccountId), ct);
            action.ReversedAt = now;
        }
        // The hidden words were kept only for this decision.
        action.HiddenContent = null;
        action.HiddenTitle = null;
        action.HiddenSummary = null;
        appeal.Status = reverse ? AppealStatus.Reversed : AppealStatus.Upheld;
        appeal.DecidedAt = now;
        appeal.DecidedById = moderatorId;
        appeal.Response = answer;
        db.Add(new ModerationAction
        {
            Id = ids.Next(),
            ModeratorId = moderatorId,
            Kind = reverse ? ModerationActionKind.ReverseOnAppeal : ModerationActionKind.UpholdOnAppeal,
            AccountId = appeal.AccountId,
            PostId = action.PostId,
            AppealedActionId = action.Id,
            RuleId = action.RuleId,
            Reason = answer,
            Public = true,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        standing.Forget(appeal.AccountId);
        if (!reverse && action.Kind == ModerationActionKind.HidePost && action.PostId is { } removedPostId)
        {
            // The decision stands: the files kept for the appeal go now.
            await posts.PurgeKeptFilesAsync(removedPostId, ct);
        }
        await TellAsync(appeal.AccountId, reverse ? "Your appeal succeeded" : "Your appeal was turned down", answer, ct);
        return Outcome<Appeal>.Ok(appeal);
    }

    /// <summary>The public log: newest first, a page at a time (before an id).</summary>
    public async Task<IReadOnlyList<PublicLogEntry>> PublicLogAsync(long? before, int take, CancellationToken ct)
    {
        var q = db.Set<ModerationAction>().AsNoTracking().Where(a => a.Public);
        if (before is { } b)
        {
            q = q.Where(a => a.Id < b);
        }
        return await q.OrderByDescending(a => a.Id).Take(Math.Clamp(take, 1, 100))
            .Select(a => new PublicLogEntry(a.Id, a.Kind, a.RuleId, a.CreatedAt, a.ReversedAt)).ToListAsync(ct);
    }

    /// <summary>Everything done, with who did it and why: for moderators.</summary>
    public Task<List<ModerationAction>> AuditAsync(int take, CancellationToken ct) =>
        db.Set<ModerationAction>().AsNoTracking().OrderByDescending(a => a.Id).Take(take).ToListAsync(ct);

    public async Task<IReadOnlyList<RoleHolder>> RoleHoldersAsync(CancellationToken ct)
    {
        var rows = await (from ur in db.UserRoles
                          join r in db.Roles on ur.RoleId equals r.Id
                          join u in db.Users on ur.UserId equals u.Id
                          join a in db.Accounts on u.AccountId equals a.Id
                          orderby r.Name, a.HandleKey
                          select new { Role = r.Name!, Account = a }).AsNoTracking().ToListAsync(ct);
        return rows.Select(r => new RoleHolder(r.Role, r.Account)).ToList();
    }

    /// <summary>An admin grants or removes the moderator or admin role; the last admin can't remove their own.</summary>
    public async Task<Outcome<ModerationAction>> SetRoleAsync(long adminId, string? handle, string? role, bool grant, CancellationToken ct)
    {
        if (role is null || !Moderators.Roles.Contains(role))
        {
            return Outcome<ModerationAction>.Invalid("role", "Choose moderator or admin");
        }
        var key = (handle ?? "").Trim().TrimStart('@').ToLowerInvariant();
        var account = key.Length == 0 ? null : await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
        var user = account is null ? null : await users.Users.FirstOrDefaultAsync(u => u.AccountId == account.Id, ct);
        if (account is null || user is null)
        {
            return Outcome<ModerationAction>.Invalid("handle", "No account of a person has that handle");
        }
        if (!await roles.RoleExistsAsync(role))
        {
            await roles.CreateAsync(new IdentityRole<long>(role));
        }
        var has = await users.IsInRoleAsync(user, role);
        if (has == grant)
        {
            return Outcome<ModerationAction>.Invalid("handle", grant ? $"@{account.Handle} is already {role}" : $"@{account.Handle} isn't {role}");
        }
        if (!grant && role == Moderators.AdminRole && (await users.GetUsersInRoleAsync(Moderators.AdminRole)).Count <= 1)
        {
            return Outcome<ModerationAction>.Invalid("handle", "The server needs at least one admin: grant the role to someone else first");
        }
        var result = grant ? await users.AddToRoleAsync(user, role) : await users.RemoveFromRoleAsync(user, role);
        if (!result.Succeeded)
        {
            return Outcome<ModerationAction>.Invalid("handle", string.Join(" ", result.Errors.Select(e => e.Description)));
        }
        // The role takes effect at the person's next request: their sign-in cookie is reissued with it.
        await users.UpdateSecurityStampAsync(user);
        var action = new ModerationAction
        {
            Id = ids.Next(),
            ModeratorId = adminId,
            Kind = grant ? ModerationActionKind.GrantRole : ModerationActionKind.RemoveRole,
            AccountId = account.Id,
            Reason = role,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Add(action);
        await db.SaveChangesAsync(ct);
        return Outcome<ModerationAction>.Ok(action);
    }

    /// <summary>Held posts and guest comments released or removed from the moderation page are audited too.</summary>
    public async Task RecordHeldDecisionAsync(long moderatorId, bool released, long? accountId, long? postId, string what, CancellationToken ct)
    {
        db.Add(new ModerationAction
        {
            Id = ids.Next(),
            ModeratorId = moderatorId,
            Kind = released ? ModerationActionKind.ReleaseHeld : ModerationActionKind.RemoveHeld,
            AccountId = accountId,
            PostId = postId,
            Reason = what,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }

    public static string Describe(ModerationActionKind kind) => kind switch
    {
        ModerationActionKind.HidePost => "A post was removed by a moderator",
        ModerationActionKind.Warn => "An account was warned",
        ModerationActionKind.Limit => "An account was limited",
        ModerationActionKind.Suspend => "An account was suspended",
        ModerationActionKind.Unlimit => "A limit on an account was lifted",
        ModerationActionKind.Unsuspend => "A suspension was lifted",
        ModerationActionKind.DismissReport => "A report was dismissed",
        ModerationActionKind.ReleaseHeld => "A held post or comment was released",
        ModerationActionKind.RemoveHeld => "A held post or comment was removed",
        ModerationActionKind.UpholdOnAppeal => "An appeal was turned down: the decision stands",
        ModerationActionKind.ReverseOnAppeal => "An appeal succeeded: the decision was reversed",
        ModerationActionKind.GrantRole => "A role was granted",
        ModerationActionKind.RemoveRole => "A role was removed",
        _ => kind.ToString(),
    };

    private async Task TellAsync(long accountId, string subject, string body, CancellationToken ct)
    {
        var email = await db.Users.Where(u => u.AccountId == accountId).Select(u => u.Email).FirstOrDefaultAsync(ct);
        if (email is not null)
        {
            await mailer.SendAsync(email, subject, body, ct);
        }
    }
}

/// <summary>The hourly purge of files kept for appeals that can no longer be made (on the media queue).</summary>
public sealed record PurgeAppealFiles : Jobs.IJobPayload<PurgeAppealFiles>
{
    public static string Kind => "purge-appeal-files";
    public static string Queue => Jobs.JobQueues.Media;
}

/// <summary>
/// Removes the files of posts a moderator removed once the decision can no longer change: it was not appealed within
/// <see cref="DrawbridgeOptions.AppealDays"/>, or its appeal was decided and the decision stood. A pending appeal keeps them.
/// </summary>
public sealed class PurgeAppealFilesJob(PostEditing posts, TimeProvider clock, Microsoft.Extensions.Options.IOptions<DrawbridgeOptions> options) : Jobs.JobHandler<PurgeAppealFiles>
{
    protected override PurgeAppealFiles FromUntyped(string payload) => new();

    protected override async Task HandleAsync(DrawbridgeDb db, PurgeAppealFiles job, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.AppealDays);
        var due = await db.Posts.AsNoTracking()
            .Where(p => p.DeletedAt != null && p.RemovedByModerator && (p.EnclosureMediaId != null || db.Media.Any(m => m.PostId == p.Id)))
            .Where(p => !db.Set<ModerationAction>().Any(a => a.PostId == p.Id && a.Kind == ModerationActionKind.HidePost && a.ReversedAt == null
                && (db.Set<Appeal>().Any(x => x.ActionId == a.Id && x.Status == AppealStatus.Pending)
                    || (a.CreatedAt >= cutoff && !db.Set<Appeal>().Any(x => x.ActionId == a.Id)))))
            .OrderBy(p => p.Id).Select(p => p.Id).Take(100).ToListAsync(ct);
        foreach (var postId in due)
        {
            await posts.PurgeKeptFilesAsync(postId, ct);
        }
    }
}
