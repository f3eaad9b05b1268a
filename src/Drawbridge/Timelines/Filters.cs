using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Timelines;

/// <summary>Where a filter applies, as flags so one column holds them.</summary>
[Flags]
public enum FilterContexts { None = 0, Home = 1, Notifications = 2, Public = 4, Thread = 8, Account = 16 }

/// <summary>What a match does: the post shows behind a warning, or is left out.</summary>
public enum FilterAction { Warn = 0, Hide = 1 }

/// <summary>A reader's own filter: posts matching any of its keywords are hidden or shown behind a warning.</summary>
public sealed class ContentFilter
{
    public long Id { get; set; }
    public long OwnerId { get; set; }
    public required string Title { get; set; }
    public FilterContexts Contexts { get; set; }
    public FilterAction Action { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class FilterKeyword
{
    public long Id { get; set; }
    public long FilterId { get; set; }
    public required string Keyword { get; set; }
    public bool WholeWord { get; set; }
}

internal sealed class FilterConfiguration : IEntityTypeConfiguration<ContentFilter>, IEntityTypeConfiguration<FilterKeyword>
{
    public void Configure(EntityTypeBuilder<ContentFilter> b)
    {
        b.ToTable("filters");
        b.Property(f => f.Id).ValueGeneratedNever();
        b.Property(f => f.Title).HasMaxLength(FilterService.TitleMax);
        b.HasIndex(f => f.OwnerId);
        b.HasOne<Account>().WithMany().HasForeignKey(f => f.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<FilterKeyword> b)
    {
        b.ToTable("filter_keywords");
        b.Property(k => k.Id).ValueGeneratedNever();
        b.Property(k => k.Keyword).HasMaxLength(FilterService.KeywordMax);
        b.HasIndex(k => k.FilterId);
        b.HasOne<ContentFilter>().WithMany().HasForeignKey(k => k.FilterId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>A filter with its keywords, and what it matched in one post.</summary>
public sealed record FilterView(ContentFilter Filter, IReadOnlyList<FilterKeyword> Keywords);

public sealed record FilterMatch(FilterView Filter, IReadOnlyList<string> Keywords);

public sealed record FilterKeywordInput(long? Id, string? Keyword, bool WholeWord, bool Destroy);

public sealed record FilterInput(string? Title, FilterContexts? Contexts, FilterAction? Action, DateTime? ExpiresAt, bool ClearExpiry, IReadOnlyList<FilterKeywordInput> Keywords);

/// <summary>
/// Filters are private to their owner. A reader's active filters are kept in this node's memory for a few minutes
/// (every timeline page asks for them) and forgotten at once when the owner changes them here.
/// </summary>
public sealed class FilterService(DrawbridgeDb db, Snowflake ids, TimeProvider clock, IMemoryCache cache, Events.DomainEvents events)
{
    public const int TitleMax = 100;
    public const int KeywordMax = 100;
    public const int MaxFilters = 100;
    public const int MaxKeywords = 100;

    private static string Key(long ownerId) => $"filters:{ownerId}";

    public async Task<List<FilterView>> ListAsync(long ownerId, CancellationToken ct)
    {
        var filters = await db.Filters.AsNoTracking().Where(f => f.OwnerId == ownerId).OrderBy(f => f.Id).ToListAsync(ct);
        var fids = filters.Select(f => f.Id).ToList();
        var keywords = (await db.FilterKeywords.AsNoTracking().Where(k => fids.Contains(k.FilterId)).OrderBy(k => k.Id).ToListAsync(ct)).ToLookup(k => k.FilterId);
        return filters.Select(f => new FilterView(f, keywords[f.Id].ToList())).ToList();
    }

    public async Task<FilterView?> FindAsync(long ownerId, long filterId, CancellationToken ct) =>
        (await ListAsync(ownerId, ct)).FirstOrDefault(f => f.Filter.Id == filterId);

    /// <summary>The owner's filters that haven't expired, from this node's memory when it has them.</summary>
    public async Task<IReadOnlyList<FilterView>> ActiveAsync(long ownerId, CancellationToken ct)
    {
        if (!cache.TryGetValue(Key(ownerId), out IReadOnlyList<FilterView>? all) || all is null)
        {
            all = await ListAsync(ownerId, ct);
            cache.Set(Key(ownerId), all, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5), Size = 1 + all.Count });
        }
        var now = clock.GetUtcNow().UtcDateTime;
        return all.Count == 0 ? all : all.Where(f => f.Filter.ExpiresAt is null || f.Filter.ExpiresAt > now).ToList();
    }

    /// <summary>Creates (no id) or changes a filter and its keywords in one step.</summary>
    public async Task<Outcome<FilterView>> SaveAsync(long ownerId, long? filterId, FilterInput input, CancellationToken ct)
    {
        ContentFilter? filter = null;
        if (filterId is { } id)
        {
            filter = await db.Filters.FirstOrDefaultAsync(f => f.Id == id && f.OwnerId == ownerId, ct);
            if (filter is null)
            {
                return Outcome<FilterView>.NotFound("Record not found");
            }
        }
        var errors = new ErrorBag();
        var title = (input.Title ?? filter?.Title ?? "").Trim();
        if (title.Length is 0 or > TitleMax)
        {
            errors.Add("title", $"Title must be 1 to {TitleMax} characters");
        }
        var contexts = input.Contexts ?? filter?.Contexts ?? FilterContexts.None;
        if (contexts == FilterContexts.None)
        {
            errors.Add("context", "Context must name at least one of home, notifications, public, thread, account");
        }
        foreach (var k in input.Keywords.Where(k => !k.Destroy))
        {
            if (string.IsNullOrWhiteSpace(k.Keyword) || k.Keyword.Trim().Length > KeywordMax)
            {
                errors.Add("keywords_attributes", $"Each keyword must be 1 to {KeywordMax} characters");
                break;
            }
        }
        if (filter is null && await db.Filters.CountAsync(f => f.OwnerId == ownerId, ct) >= MaxFilters)
        {
            errors.Add("title", $"You can have up to {MaxFilters} filters");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<FilterView>();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (filter is null)
        {
            filter = new ContentFilter { Id = ids.Next(), OwnerId = ownerId, Title = title, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Filters.Add(filter);
        }
        filter.Title = title;
        filter.Contexts = contexts;
        filter.Action = input.Action ?? filter.Action;
        filter.ExpiresAt = input.ClearExpiry ? null : input.ExpiresAt ?? filter.ExpiresAt;
        var existing = await db.FilterKeywords.Where(k => k.FilterId == filter.Id).ToListAsync(ct);
        foreach (var k in input.Keywords)
        {
            var current = k.Id is { } kid ? existing.FirstOrDefault(e => e.Id == kid) : null;
            if (k.Id is not null && current is null)
            {
                return Outcome<FilterView>.Invalid("keywords_attributes", $"Keyword {k.Id} is not part of this filter");
            }
            if (k.Destroy)
            {
                if (current is not null)
                {
                    db.FilterKeywords.Remove(current);
                    existing.Remove(current);
                }
                continue;
            }
            if (current is null)
            {
                current = new FilterKeyword { Id = ids.Next(), FilterId = filter.Id, Keyword = "" };
                db.FilterKeywords.Add(current);
                existing.Add(current);
            }
            current.Keyword = k.Keyword!.Trim();
            current.WholeWord = k.WholeWord;
        }
        if (existing.Count > MaxKeywords)
        {
            return Outcome<FilterView>.Invalid("keywords_attributes", $"A filter can have up to {MaxKeywords} keywords");
        }
        await events.RaiseAsync(db, new Events.FiltersChanged(ownerId), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        cache.Remove(Key(ownerId));
        return Outcome<FilterView>.Ok(new FilterView(filter, existing.OrderBy(k => k.Id).ToList()));
    }

    public async Task<bool> DeleteAsync(long ownerId, long filterId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var removed = await db.Filters.Where(f => f.Id == filterId && f.OwnerId == ownerId).ExecuteDeleteAsync(ct) > 0;
        if (removed)
        {
            await events.RaiseAsync(db, new Events.FiltersChanged(ownerId), ct);
        }
        await tx.CommitAsync(ct);
        cache.Remove(Key(ownerId));
        return removed;
    }

    /// <summary>The keyword's filter, when it belongs to this owner.</summary>
    public async Task<(FilterView Filter, FilterKeyword Keyword)?> FindKeywordAsync(long ownerId, long keywordId, CancellationToken ct)
    {
        var keyword = await db.FilterKeywords.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keywordId, ct);
        return keyword is not null && await FindAsync(ownerId, keyword.FilterId, ct) is { } filter ? (filter, keyword) : null;
    }

    /// <summary>Which of the filters match this post in this context, and by which keywords.</summary>
    public static List<FilterMatch> Match(IReadOnlyList<FilterView> filters, FilterContexts context, Post post)
    {
        var result = new List<FilterMatch>();
        if (filters.Count == 0)
        {
            return result;
        }
        var text = $"{post.Title} {post.Summary} {post.Content}";
        foreach (var f in filters)
        {
            if ((f.Filter.Contexts & context) == 0)
            {
                continue;
            }
            var hits = f.Keywords.Where(k => Matches(text, k)).Select(k => k.Keyword).ToList();
            if (hits.Count > 0)
            {
                result.Add(new FilterMatch(f, hits));
            }
        }
        return result;
    }

    private static bool Matches(string text, FilterKeyword k) => k.WholeWord
        ? Regex.IsMatch(text, @"(?<![\p{L}\p{N}_])" + Regex.Escape(k.Keyword) + @"(?![\p{L}\p{N}_])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))
        : text.Contains(k.Keyword, StringComparison.OrdinalIgnoreCase);
}
