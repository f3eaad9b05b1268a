using Drawbridge.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Moderation;

public enum ReportStatus { Open = 0, Actioned = 1, Dismissed = 2 }

/// <summary>
/// Someone tells the moderators that an account or one of its posts breaks a rule. The reporter is an account of this
/// server, or no one known when another server forwards a report (a Flag): then <see cref="OriginDomain"/> says which.
/// </summary>
public sealed class Report
{
    public long Id { get; set; }
    public long? ReporterId { get; set; }
    /// <summary>The server the report came from, lower case; null for a report made here.</summary>
    public string? OriginDomain { get; set; }
    public long AccountId { get; set; }
    public long? PostId { get; set; }
    public int RuleId { get; set; }
    /// <summary>What the reporter wrote: for moderators only, never public.</summary>
    public string Comment { get; set; } = "";
    public ReportStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public long? ResolvedById { get; set; }
}

public enum ModerationActionKind
{
    HidePost = 0,
    Warn = 1,
    Limit = 2,
    Suspend = 3,
    Unlimit = 4,
    Unsuspend = 5,
    DismissReport = 6,
    ReleaseHeld = 7,
    RemoveHeld = 8,
    UpholdOnAppeal = 9,
    ReverseOnAppeal = 10,
    GrantRole = 11,
    RemoveRole = 12,
}

/// <summary>
/// One thing a moderator (or admin) did: the audit trail (who, what, when, why). The public log shows what was done,
/// under which rule and when; never who reported, who was acted on, or the private reason.
/// </summary>
public sealed class ModerationAction
{
    public long Id { get; set; }
    /// <summary>The moderator or admin who acted.</summary>
    public long ModeratorId { get; set; }
    public ModerationActionKind Kind { get; set; }
    /// <summary>The account acted on (null once that account is purged).</summary>
    public long? AccountId { get; set; }
    public long? PostId { get; set; }
    public long? ReportId { get; set; }
    /// <summary>For appeal decisions: the action appealed against.</summary>
    public long? AppealedActionId { get; set; }
    public int? RuleId { get; set; }
    /// <summary>Why, in the moderator's words: shown to the person acted on and to moderators, never in public.</summary>
    public string Reason { get; set; } = "";
    /// <summary>A hidden post's words, kept so an appeal can put it back; cleared when the appeal is decided or the account purged.</summary>
    public string? HiddenContent { get; set; }
    public string? HiddenTitle { get; set; }
    public string? HiddenSummary { get; set; }
    /// <summary>Role changes and dismissals are audited but not part of the public log.</summary>
    public bool Public { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Set when an appeal reversed this decision.</summary>
    public DateTime? ReversedAt { get; set; }
}

public enum AppealStatus { Pending = 0, Upheld = 1, Reversed = 2 }

/// <summary>The person a decision was about asks the moderators to look again; another decision follows.</summary>
public sealed class Appeal
{
    public long Id { get; set; }
    public long ActionId { get; set; }
    public long AccountId { get; set; }
    public string Text { get; set; } = "";
    public AppealStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    public long? DecidedById { get; set; }
    /// <summary>The moderator's answer, shown to the person who appealed.</summary>
    public string? Response { get; set; }
}

internal sealed class ModerationConfiguration :
    IEntityTypeConfiguration<Report>, IEntityTypeConfiguration<ModerationAction>, IEntityTypeConfiguration<Appeal>
{
    public const int TextMax = 2000;

    public void Configure(EntityTypeBuilder<Report> b)
    {
        b.ToTable("reports");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.OriginDomain).HasMaxLength(253);
        b.Property(r => r.Comment).HasMaxLength(TextMax);
        b.HasIndex(r => new { r.Status, r.Id });
        b.HasIndex(r => r.AccountId);
        b.HasIndex(r => r.ReporterId);
        // A report outlives neither side's account: deleting an account removes what it reported and what was
        // reported about it (the decisions stay in the log, without the account).
        b.HasOne<Account>().WithMany().HasForeignKey(r => r.ReporterId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(r => r.AccountId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ModerationAction> b)
    {
        b.ToTable("moderation_actions");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Reason).HasMaxLength(TextMax);
        b.Property(a => a.HiddenContent).HasMaxLength(100_000);
        b.Property(a => a.HiddenTitle).HasMaxLength(200);
        b.Property(a => a.HiddenSummary).HasMaxLength(500);
        b.HasIndex(a => new { a.Public, a.Id });
        b.HasIndex(a => a.AccountId);
        b.HasOne<Account>().WithMany().HasForeignKey(a => a.AccountId).OnDelete(DeleteBehavior.SetNull);
    }

    public void Configure(EntityTypeBuilder<Appeal> b)
    {
        b.ToTable("appeals");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Text).HasMaxLength(TextMax);
        b.Property(a => a.Response).HasMaxLength(TextMax);
        b.HasIndex(a => a.ActionId).IsUnique();
        b.HasIndex(a => new { a.Status, a.Id });
        b.HasOne<ModerationAction>().WithMany().HasForeignKey(a => a.ActionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(a => a.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
