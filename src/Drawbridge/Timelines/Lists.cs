using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Timelines;

/// <summary>Which replies a list shows: to anyone followed, to the list's members, or none.</summary>
public enum ListReplies { Followed = 0, List = 1, None = 2 }

/// <summary>A reader's own named list of accounts they follow, read as its own timeline.</summary>
public sealed class AccountList
{
    public long Id { get; set; }
    public long OwnerId { get; set; }
    public required string Title { get; set; }
    public ListReplies RepliesPolicy { get; set; }
    /// <summary>Members' posts show in this list only, not in the home timeline too.</summary>
    public bool Exclusive { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class ListMember
{
    public long ListId { get; set; }
    public long AccountId { get; set; }
}

internal sealed class ListConfiguration : IEntityTypeConfiguration<AccountList>, IEntityTypeConfiguration<ListMember>
{
    public void Configure(EntityTypeBuilder<AccountList> b)
    {
        b.ToTable("lists");
        b.Property(l => l.Id).ValueGeneratedNever();
        b.Property(l => l.Title).HasMaxLength(ListService.TitleMax);
        b.HasIndex(l => l.OwnerId);
        b.HasOne<Account>().WithMany().HasForeignKey(l => l.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ListMember> b)
    {
        b.ToTable("list_members");
        b.HasKey(m => new { m.ListId, m.AccountId });
        b.HasIndex(m => m.AccountId);
        b.HasOne<AccountList>().WithMany().HasForeignKey(m => m.ListId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Lists belong to their owner alone: anyone else's list is "not found".</summary>
public sealed class ListService(DrawbridgeDb db, Snowflake ids, TimeProvider clock)
{
    public const int TitleMax = 100;
    public const int MaxLists = 50;

    public Task<List<AccountList>> ListsAsync(long ownerId, CancellationToken ct) =>
        db.Lists.AsNoTracking().Where(l => l.OwnerId == ownerId).OrderBy(l => l.Title).ToListAsync(ct);

    /// <summary>The owner's lists that hold this account.</summary>
    public Task<List<AccountList>> ListsWithAsync(long ownerId, long accountId, CancellationToken ct) =>
        db.Lists.AsNoTracking().Where(l => l.OwnerId == ownerId && db.ListMembers.Any(m => m.ListId == l.Id && m.AccountId == accountId))
            .OrderBy(l => l.Title).ToListAsync(ct);

    public Task<AccountList?> FindAsync(long ownerId, long listId, CancellationToken ct) =>
        db.Lists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == listId && l.OwnerId == ownerId, ct);

    public async Task<Outcome<AccountList>> SaveAsync(long ownerId, long? listId, string? title, ListReplies? replies, bool? exclusive, CancellationToken ct)
    {
        AccountList? list = null;
        if (listId is { } id)
        {
            list = await db.Lists.FirstOrDefaultAsync(l => l.Id == id && l.OwnerId == ownerId, ct);
            if (list is null)
            {
                return Outcome<AccountList>.NotFound("Record not found");
            }
        }
        var name = (title ?? list?.Title ?? "").Trim();
        if (name.Length is 0 or > TitleMax)
        {
            return Outcome<AccountList>.Invalid("title", $"Title must be 1 to {TitleMax} characters");
        }
        if (list is null)
        {
            if (await db.Lists.CountAsync(l => l.OwnerId == ownerId, ct) >= MaxLists)
            {
                return Outcome<AccountList>.Invalid("title", $"You can have up to {MaxLists} lists");
            }
            list = new AccountList { Id = ids.Next(), OwnerId = ownerId, Title = name, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Lists.Add(list);
        }
        list.Title = name;
        list.RepliesPolicy = replies ?? list.RepliesPolicy;
        list.Exclusive = exclusive ?? list.Exclusive;
        await db.SaveChangesAsync(ct);
        return Outcome<AccountList>.Ok(list);
    }

    public async Task<bool> DeleteAsync(long ownerId, long listId, CancellationToken ct) =>
        await db.Lists.Where(l => l.Id == listId && l.OwnerId == ownerId).ExecuteDeleteAsync(ct) > 0;

    public async Task<List<Account>> MembersAsync(long listId, long? maxId, int take, CancellationToken ct) =>
        await db.ListMembers.Where(m => m.ListId == listId && (maxId == null || m.AccountId < maxId))
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => a).Where(a => a.DeletionRequestedAt == null)
            .OrderByDescending(a => a.Id).Take(take).AsNoTracking().ToListAsync(ct);

    /// <summary>Adds accounts the owner follows (as Mastodon requires); any other account is refused by id.</summary>
    public async Task<Outcome<AccountList>> AddAsync(long ownerId, long listId, IReadOnlyList<long> accountIds, CancellationToken ct)
    {
        var list = await FindAsync(ownerId, listId, ct);
        if (list is null)
        {
            return Outcome<AccountList>.NotFound("Record not found");
        }
        var followed = await db.Follows.Where(f => f.FollowerId == ownerId && accountIds.Contains(f.FolloweeId) && f.State == FollowState.Accepted)
            .Select(f => f.FolloweeId).ToListAsync(ct);
        if (accountIds.Except(followed).FirstOrDefault() is var missing and not 0)
        {
            return Outcome<AccountList>.Invalid("account_ids", $"You must follow account {missing} before adding it to a list");
        }
        var present = await db.ListMembers.Where(m => m.ListId == listId && accountIds.Contains(m.AccountId)).Select(m => m.AccountId).ToListAsync(ct);
        foreach (var id in accountIds.Distinct().Except(present))
        {
            db.ListMembers.Add(new ListMember { ListId = listId, AccountId = id });
        }
        await db.SaveChangesAsync(ct);
        return Outcome<AccountList>.Ok(list);
    }

    public async Task<Outcome<AccountList>> RemoveAsync(long ownerId, long listId, IReadOnlyList<long> accountIds, CancellationToken ct)
    {
        var list = await FindAsync(ownerId, listId, ct);
        if (list is null)
        {
            return Outcome<AccountList>.NotFound("Record not found");
        }
        await db.ListMembers.Where(m => m.ListId == listId && accountIds.Contains(m.AccountId)).ExecuteDeleteAsync(ct);
        return Outcome<AccountList>.Ok(list);
    }
}
