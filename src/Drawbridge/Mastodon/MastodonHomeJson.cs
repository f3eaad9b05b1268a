using System.Globalization;
using System.Text.Json;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Mastodon;

/// <summary>
/// Mastodon's home timeline on the same hot path as Drawbridge's own (<see cref="HomeTimelineJson"/>): the page's
/// entries from the reader's cached head or one query, each status's JSON from the shared post cache when the reader
/// hasn't marked it (liked, reblogged, bookmarked, pinned), and one batch load for the rest. A reader with a filter for
/// the home timeline takes the general path, which applies it.
/// </summary>
public sealed class MastodonHomeJson(IServiceProvider services, HomeTimelineJson home, PostJsonCache cache, PostMarkService marks, FilterService filters)
{
    private DrawbridgeDb Db => services.GetRequiredService<DrawbridgeDb>();
    private TimelineService Timelines => services.GetRequiredService<TimelineService>();

    /// <summary>The page, with its Link header set; null when the general path must answer.</summary>
    public async Task<IResult?> PageAsync(HttpContext http, long me, PageRequest page, string baseUrl, CancellationToken ct)
    {
        if (await home.EntriesAsync(me, page, ct) is not { } entries)
        {
            return null;
        }
        var active = await filters.ActiveAsync(me, ct);
        if (active.Any(f => (f.Filter.Contexts & FilterContexts.Home) != 0))
        {
            return null;
        }
        var (bookmarked, pinned) = await marks.MarksAsync(me, entries.Select(e => e.PostId).ToList(), ct);
        var parts = new byte[]?[entries.Count];
        var missing = new List<long>();
        List<(int Index, long Original)>? reposts = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!e.Liked && !e.Reposted && !bookmarked.Contains(e.PostId) && !pinned.Contains(e.PostId) && cache.TryGetMastodon(e.PostId, baseUrl, out var hit))
            {
                parts[i] = hit.Json;
                if (hit.RepostOfId is { } original)
                {
                    (reposts ??= []).Add((i, original));
                }
            }
            else
            {
                missing.Add(e.PostId);
            }
        }
        if (reposts is not null)
        {
            // A reblog's JSON embeds the original as a reader who hadn't marked it saw it.
            var originals = reposts.Select(r => r.Original).Distinct().ToList();
            var (liked, reposted) = await Timelines.MarksAsync(me, originals, ct);
            var (kept, _) = await marks.MarksAsync(me, originals, ct);
            foreach (var (index, original) in reposts)
            {
                if (liked.Contains(original) || reposted.Contains(original) || kept.Contains(original))
                {
                    parts[index] = null;
                    missing.Add(entries[index].PostId);
                }
            }
        }
        if (missing.Count > 0)
        {
            var posts = await Db.Posts.AsNoTracking().Where(p => missing.Contains(p.Id) && p.Status == PostStatus.Published && p.DeletedAt == null).ToListAsync(ct);
            var views = await Timelines.HydrateAsync(posts, me, ct);
            var ids = views.SelectMany(v => v.RepostOf is { } o ? new[] { v.Post.Id, o.Post.Id } : [v.Post.Id]).ToList();
            var (b, p) = await marks.MarksAsync(me, ids, ct);
            var project = new MastodonProjection(baseUrl) { Bookmarked = b, Pinned = p, Context = FilterContexts.Home };
            var byId = views.ToDictionary(v => v.Post.Id);
            for (var i = 0; i < entries.Count; i++)
            {
                if (parts[i] is null && byId.TryGetValue(entries[i].PostId, out var view))
                {
                    var json = JsonSerializer.SerializeToUtf8Bytes(project.Status(view), MastodonJson.Default.MastodonStatus);
                    parts[i] = json;
                    if (Unmarked(view, b, p) && (view.RepostOf is not { } o || Unmarked(o, b, p)))
                    {
                        cache.SetMastodon(view.Post.Id, baseUrl, json, view.Post.RepostOfId);
                    }
                }
            }
        }
        if (entries.Count > 0)
        {
            MastodonResults.Link(http, baseUrl, entries[^1].PostId.ToString(CultureInfo.InvariantCulture), entries[0].PostId.ToString(CultureInfo.InvariantCulture));
        }
        return new JsonArrayResult(parts);
    }

    private static bool Unmarked(PostView v, HashSet<long> bookmarked, HashSet<long> pinned) =>
        !v.Liked && !v.Reposted && !bookmarked.Contains(v.Post.Id) && !pinned.Contains(v.Post.Id);
}
