using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Drawbridge.Mastodon;

/// <summary>
/// What every answer with statuses or accounts shares: the reader's bookmarks, pins and filters on the statuses,
/// pagination links, and relationships with the private parts (notes, requests) filled in.
/// </summary>
internal static class MastodonViews
{
    public static MastodonProjection Projection(HttpContext http, IOptions<DrawbridgeOptions> options) => new(options.Value.BaseUrl(http.Request));

    /// <summary>A projection that knows the reader's marks on these posts and their filters for this context.</summary>
    public static async Task<MastodonProjection> ForAsync(HttpContext http, IOptions<DrawbridgeOptions> options, IReadOnlyCollection<PostView> views,
        FilterContexts context, CancellationToken ct)
    {
        var baseUrl = options.Value.BaseUrl(http.Request);
        if (MastodonAuth.Viewer(http) is not { } me)
        {
            return new MastodonProjection(baseUrl);
        }
        var ids = views.SelectMany(v => v.RepostOf is { } o ? new[] { v.Post.Id, o.Post.Id } : [v.Post.Id]).ToList();
        var (bookmarked, pinned) = await http.RequestServices.GetRequiredService<PostMarkService>().MarksAsync(me, ids, ct);
        var filters = context == FilterContexts.None ? [] : await http.RequestServices.GetRequiredService<FilterService>().ActiveAsync(me, ct);
        return new MastodonProjection(baseUrl) { Bookmarked = bookmarked, Pinned = pinned, Filters = filters, Context = context };
    }

    /// <summary>One status with the reader's marks (no filter context: a status asked for by id is always shown).</summary>
    public static async Task<IResult> StatusAsync(HttpContext http, IOptions<DrawbridgeOptions> options, PostView view, CancellationToken ct)
    {
        var project = await ForAsync(http, options, [view], FilterContexts.None, ct);
        return MastodonResults.Json(project.Status(view), MastodonJson.Default.MastodonStatus);
    }

    /// <summary>
    /// A page of statuses: those a "hide" filter matches are left out, the rest carry <c>filtered</c>; the Link header
    /// pages by the posts' ids (or by <paramref name="cursor"/> where the list is ordered by something else).
    /// </summary>
    public static async Task<IResult> StatusesAsync(HttpContext http, IOptions<DrawbridgeOptions> options, List<PostView> views, FilterContexts context,
        CancellationToken ct, Func<PostView, long>? cursor = null)
    {
        var project = await ForAsync(http, options, views, context, ct);
        if (views.Count > 0)
        {
            cursor ??= v => v.Post.Id;
            MastodonResults.Link(http, project.BaseUrl, Str(cursor(views[^1])), Str(cursor(views[0])));
        }
        var result = new List<MastodonStatus>(views.Count);
        foreach (var v in views)
        {
            if (!project.Hidden(v))
            {
                result.Add(project.Status(v));
            }
        }
        return MastodonResults.Json(result, MastodonJson.Default.ListMastodonStatus);
    }

    /// <summary>A page of accounts, paged by the accounts' ids (newest first).</summary>
    public static IResult Accounts(HttpContext http, MastodonProjection project, List<Account> accounts, Func<Account, long>? cursor = null)
    {
        if (accounts.Count > 0)
        {
            cursor ??= a => a.Id;
            MastodonResults.Link(http, project.BaseUrl, Str(cursor(accounts[^1])), Str(cursor(accounts[0])));
        }
        return MastodonResults.Json(accounts.Select(a => project.Account(a)).ToList(), MastodonJson.Default.ListMastodonAccount);
    }

    /// <summary>How the reader and another account stand, with the reader's note and whether the other asked to follow.</summary>
    public static async Task<MastodonRelationship> RelationshipAsync(HttpContext http, MastodonProjection project, long me, long other, Relationship? known, CancellationToken ct)
    {
        var services = http.RequestServices;
        var r = known ?? await services.GetRequiredService<FollowService>().RelationshipAsync(me, other, ct);
        var note = await services.GetRequiredService<AccountNoteService>().NoteAsync(me, other, ct);
        var db = services.GetRequiredService<DrawbridgeDb>();
        var requestedBy = await db.Follows.AnyAsync(f => f.FollowerId == other && f.FolloweeId == me && f.State == FollowState.Requested, ct);
        return project.Relationship(other, r, note, requestedBy);
    }

    /// <summary>Accounts in the order of their ids, newest first, within Mastodon's paging parameters.</summary>
    public static async Task<List<Account>> PageAsync(IQueryable<Account> accounts, PageRequest page, CancellationToken ct)
    {
        accounts = accounts.Where(a => a.DeletionRequestedAt == null);
        if (page.MaxId is { } max)
        {
            accounts = accounts.Where(a => a.Id < max);
        }
        if (page.SinceId is { } since)
        {
            accounts = accounts.Where(a => a.Id > since);
        }
        if (page.MinId is { } min)
        {
            var up = await accounts.Where(a => a.Id > min).OrderBy(a => a.Id).Take(page.Take).AsNoTracking().ToListAsync(ct);
            up.Reverse();
            return up;
        }
        return await accounts.OrderByDescending(a => a.Id).Take(page.Take).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>Post ids newest first within the paging parameters (for lists kept by post id: bookmarks, favourites).</summary>
    public static async Task<List<long>> PageIdsAsync(IQueryable<long> ids, PageRequest page, CancellationToken ct)
    {
        if (page.MaxId is { } max)
        {
            ids = ids.Where(id => id < max);
        }
        if (page.SinceId is { } since)
        {
            ids = ids.Where(id => id > since);
        }
        if (page.MinId is { } min)
        {
            var up = await ids.Where(id => id > min).OrderBy(id => id).Take(page.Take).ToListAsync(ct);
            up.Reverse();
            return up;
        }
        return await ids.OrderByDescending(id => id).Take(page.Take).ToListAsync(ct);
    }

    public static string Str(long id) => id.ToString(CultureInfo.InvariantCulture);
}
