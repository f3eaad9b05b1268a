using Drawbridge.Data;
using Drawbridge.Timelines;
using Microsoft.AspNetCore.WebUtilities;

namespace Drawbridge.Web;

/// <summary>"Newer posts" / "Older posts" links over time-sorted ids (max_id / min_id), as Mastodon pages timelines.</summary>
public sealed record Pager(string? NewerHref, string? OlderHref)
{
    public static Pager For(string path, IReadOnlyDictionary<string, string?> query, IReadOnlyList<long> ids, PageRequest request)
    {
        string Href(string key, long id)
        {
            var q = query.Where(kv => kv.Value is not null && kv.Key is not ("max_id" or "min_id" or "since_id"))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            q[key] = Links.Id(id);
            return QueryHelpers.AddQueryString(path, q);
        }
        var paged = request.MaxId is not null || request.MinId is not null;
        var newer = ids.Count > 0 && paged ? Href("min_id", ids[0]) : null;
        var older = ids.Count > 0 && (ids.Count >= request.Take || request.MinId is not null) ? Href("max_id", ids[^1]) : null;
        return new Pager(newer, older);
    }

    public static Pager For(string path, IReadOnlyDictionary<string, string?> query, IReadOnlyList<PostView> posts, PageRequest request) =>
        For(path, query, posts.Select(p => p.Post.Id).ToList(), request);
}
