using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Social;

/// <summary>A hashtag a reader follows.</summary>
public sealed class FollowedTag
{
    public long AccountId { get; set; }
    public required string Tag { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A private note a reader keeps about another account; only its writer sees it.</summary>
public sealed class AccountNote
{
    public long AccountId { get; set; }
    public long TargetId { get; set; }
    public required string Text { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class FollowedTagConfiguration : IEntityTypeConfiguration<FollowedTag>, IEntityTypeConfiguration<AccountNote>
{
    public void Configure(EntityTypeBuilder<FollowedTag> b)
    {
        b.ToTable("followed_tags");
        b.HasKey(t => new { t.AccountId, t.Tag });
        b.Property(t => t.Tag).HasMaxLength(100);
        b.HasOne<Account>().WithMany().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<AccountNote> b)
    {
        b.ToTable("account_notes");
        b.HasKey(n => new { n.AccountId, n.TargetId });
        b.Property(n => n.Text).HasMaxLength(AccountNoteService.MaxLength);
        b.HasOne<Account>().WithMany().HasForeignKey(n => n.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(n => n.TargetId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class TagFollowService(DrawbridgeDb db, TimeProvider clock)
{
    /// <summary>A tag's canonical form: no leading '#', lower case; null when it isn't a hashtag's name.</summary>
    public static string? Normalise(string? tag)
    {
        var t = (tag ?? "").Trim().TrimStart('#').ToLowerInvariant();
        return t.Length is > 0 and <= 100 && t.All(c => char.IsLetterOrDigit(c) || c == '_') ? t : null;
    }

    public Task<List<FollowedTag>> FollowedAsync(long accountId, CancellationToken ct) =>
        db.FollowedTags.AsNoTracking().Where(t => t.AccountId == accountId).OrderBy(t => t.Tag).ToListAsync(ct);

    public Task<bool> FollowsAsync(long accountId, string tag, CancellationToken ct) =>
        db.FollowedTags.AnyAsync(t => t.AccountId == accountId && t.Tag == tag, ct);

    public async Task SetAsync(long accountId, string tag, bool follow, CancellationToken ct)
    {
        var exists = await FollowsAsync(accountId, tag, ct);
        if (follow && !exists)
        {
            db.FollowedTags.Add(new FollowedTag { AccountId = accountId, Tag = tag, CreatedAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
        }
        else if (!follow && exists)
        {
            await db.FollowedTags.Where(t => t.AccountId == accountId && t.Tag == tag).ExecuteDeleteAsync(ct);
        }
    }
}

public sealed class AccountNoteService(DrawbridgeDb db, TimeProvider clock)
{
    public const int MaxLength = 2000;

    public async Task<string> NoteAsync(long accountId, long targetId, CancellationToken ct) =>
        await db.AccountNotes.Where(n => n.AccountId == accountId && n.TargetId == targetId).Select(n => n.Text).FirstOrDefaultAsync(ct) ?? "";

    /// <summary>Keeps the note (an empty one removes it).</summary>
    public async Task<Outcome<string>> SetAsync(long accountId, long targetId, string? text, CancellationToken ct)
    {
        text = (text ?? "").Trim();
        if (text.Length > MaxLength)
        {
            return Outcome<string>.Invalid("comment", $"A note can be up to {MaxLength} characters");
        }
        if (!await db.Accounts.AnyAsync(a => a.Id == targetId && a.DeletionRequestedAt == null, ct))
        {
            return Outcome<string>.NotFound("Record not found");
        }
        await db.AccountNotes.Where(n => n.AccountId == accountId && n.TargetId == targetId).ExecuteDeleteAsync(ct);
        if (text.Length > 0)
        {
            db.AccountNotes.Add(new AccountNote { AccountId = accountId, TargetId = targetId, Text = text, UpdatedAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
        }
        return Outcome<string>.Ok(text);
    }
}
