using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Search;

public enum SearchOrder { Newest, Relevance }

public sealed record TagCount(string Tag, int Posts);

public sealed record SearchResults(IReadOnlyList<PostView> Posts, IReadOnlyList<Account> Accounts, IReadOnlyList<TagCount> Tags);

/// <summary>Full-text search over public posts, accounts and hashtags: FTS5 on SQLite, tsvector on PostgreSQL, same rules.</summary>
public sealed class SearchService(DrawbridgeDb db, TimelineService timelines, Federation.FederatedLookup federated)
{
    public async Task<SearchResults> SearchAsync(string? text, SearchOrder order, long? viewerId, int limit, int offset, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 40);
        offset = Math.Clamp(offset, 0, 1000);
        // An address of someone or something on another server is looked up there (and kept here) first.
        var (remoteAccount, remotePost) = offset == 0 ? await federated.ResolveAsync(text, ct) : (null, null);
        var query = SearchQuery.Parse(text);
        if (query.IsEmpty || remoteAccount is not null || remotePost is not null)
        {
            var found = remotePost is not null && await PostAccess.CanSeeAsync(db, viewerId, remotePost, ct) ? await timelines.HydrateAsync([remotePost], viewerId, ct) : [];
            return new SearchResults(found, remoteAccount is null ? [] : [remoteAccount], []);
        }
        var ids = await PostIdsAsync(query, order, limit, offset, ct);
        var posts = await db.Posts.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        var rank = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var views = await timelines.HydrateAsync(posts.OrderBy(p => rank[p.Id]).ToList(), viewerId, ct);
        if (viewerId is { } v)
        {
            var hidden = await db.Blocks.Where(b => (b.BlockerId == v) || b.BlockedId == v).Select(b => b.BlockerId == v ? b.BlockedId : b.BlockerId)
                .Union(db.Mutes.Where(m => m.MuterId == v).Select(m => m.MutedId)).ToListAsync(ct);
            views = views.Where(p => !hidden.Contains(p.Post.AuthorId)).ToList();
        }
        var accounts = offset == 0 ? await AccountsAsync(query, 10, ct) : [];
        var tags = offset == 0 ? await TagsAsync(query, 10, ct) : [];
        return new SearchResults(views, accounts, tags);
    }

    // Only constants are spliced into the SQL text; the user's words go in as parameters.
#pragma warning disable EF1003
    private async Task<List<long>> PostIdsAsync(SearchQuery query, SearchOrder order, int limit, int offset, CancellationToken ct)
    {
        const int published = (int)PostStatus.Published;
        const int followers = (int)Visibility.Followers;
        if (db.IsPostgres)
        {
            var orderBy = order == SearchOrder.Relevance
                ? "ts_rank(p.\"SearchVector\", q) DESC, p.\"Id\" DESC"
                : "p.\"Id\" DESC";
            return await db.Database.SqlQueryRaw<long>(
                $"SELECT p.\"Id\" AS \"Value\" FROM posts p, to_tsquery('simple', {{0}}) q " +
                $"WHERE p.\"SearchVector\" @@ q AND p.\"Status\" = {published} AND p.\"Visibility\" < {followers} AND p.\"DeletedAt\" IS NULL " +
                $"ORDER BY {orderBy} LIMIT {{1}} OFFSET {{2}}",
                query.ToTsQuery(), limit, offset).ToListAsync(ct);
        }
        var sqliteOrder = order == SearchOrder.Relevance ? "bm25(post_search), p.Id DESC" : "p.Id DESC";
        return await db.Database.SqlQueryRaw<long>(
            "SELECT p.Id AS Value FROM post_search JOIN posts p ON p.Id = post_search.rowid " +
            $"WHERE post_search MATCH {{0}} AND p.Status = {published} AND p.Visibility < {followers} AND p.DeletedAt IS NULL " +
            $"ORDER BY {sqliteOrder} LIMIT {{1}} OFFSET {{2}}",
            query.ToFts5(), limit, offset).ToListAsync(ct);
    }

#pragma warning restore EF1003

    public async Task<List<Account>> AccountsAsync(SearchQuery query, int limit, CancellationToken ct)
    {
        var words = query.Groups.SelectMany(g => g).Take(5).ToList();
        var q = db.Accounts.AsNoTracking().Where(a => a.DeletionRequestedAt == null);
        foreach (var w in words)
        {
            var pattern = $"%{w}%";
            q = q.Where(a => EF.Functions.Like(a.HandleKey, pattern) || EF.Functions.Like(a.DisplayName.ToLower(), pattern)
                             || (a.Profession != null && EF.Functions.Like(a.Profession.ToLower(), pattern))
                             || (a.Employer != null && EF.Functions.Like(a.Employer.ToLower(), pattern)));
        }
        return await q.OrderByDescending(a => a.FollowersCount).Take(limit).ToListAsync(ct);
    }

    public async Task<List<TagCount>> TagsAsync(SearchQuery query, int limit, CancellationToken ct)
    {
        var word = string.Concat(query.Groups.SelectMany(g => g));
        if (word.Length == 0)
        {
            return [];
        }
        var prefix = word + "%";
        return await db.PostTags.AsNoTracking().Where(t => EF.Functions.Like(t.Tag, prefix))
            .GroupBy(t => t.Tag).Select(g => new { Tag = g.Key, Posts = g.Count() })
            .OrderByDescending(t => t.Posts).Take(limit)
            .Select(t => new TagCount(t.Tag, t.Posts)).ToListAsync(ct);
    }
}
