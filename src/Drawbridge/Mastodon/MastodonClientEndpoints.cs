using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Search;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Drawbridge.Mastodon.MastodonEndpoints;

namespace Drawbridge.Mastodon;

/// <summary>
/// The rest of Mastodon's client API that apps use after start-up: media, editing and marking statuses, the reader's
/// collections (bookmarks, favourites, blocks, mutes, follow requests, lists, followed tags, filters), profile
/// changes and search. Each endpoint states who may use it, as in <see cref="MastodonEndpoints"/>.
/// </summary>
public static class MastodonClientEndpoints
{
    private static IResult Empty() => MastodonResults.Json(new EmptyObject(), MastodonJson.Default.EmptyObject);

    private static IResult EmptyList() => MastodonResults.Json(new List<System.Text.Json.JsonElement>(), MastodonJson.Default.ListJsonElement);

    public static void MapMastodonClientApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithTags("Mastodon").RequireCors(MastodonOAuth.Cors).DisableAntiforgery();
        var v2 = app.MapGroup("/api/v2").WithTags("Mastodon").RequireCors(MastodonOAuth.Cors).DisableAntiforgery();

        // Media: v1 answers when the file is stored; v2 answers 202 for audio and video, which apps then fetch by id.
        v1.MapPost("/media", (HttpContext http, MediaService media, IOptions<DrawbridgeOptions> o, CancellationToken ct) => Upload(http, media, o, false, ct))
            .RequireScope("write:media").RequireRateLimiting("posting");
        v2.MapPost("/media", (HttpContext http, MediaService media, IOptions<DrawbridgeOptions> o, CancellationToken ct) => Upload(http, media, o, true, ct))
            .RequireScope("write:media").RequireRateLimiting("posting");
        v1.MapGet("/media/{id}", ShowMedia).RequireScope("write:media");
        v1.MapPut("/media/{id}", UpdateMedia).RequireScope("write:media");

        // Statuses.
        v1.MapPut("/statuses/{id}", EditStatus).RequireScope("write:statuses");
        v1.MapGet("/statuses/{id}/history", History).OptionalScope("read:statuses");
        v1.MapGet("/statuses/{id}/source", Source).RequireScope("read:statuses");
        v1.MapPost("/statuses/{id}/bookmark", (string id, HttpContext http, PostMarkService marks, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => marks.BookmarkAsync(me, Parse(id) ?? 0, true, ct), ct)).RequireScope("write:bookmarks");
        v1.MapPost("/statuses/{id}/unbookmark", (string id, HttpContext http, PostMarkService marks, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => marks.BookmarkAsync(me, Parse(id) ?? 0, false, ct), ct)).RequireScope("write:bookmarks");
        v1.MapPost("/statuses/{id}/pin", (string id, HttpContext http, PostMarkService marks, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => marks.PinAsync(me, Parse(id) ?? 0, true, ct), ct)).RequireScope("write:accounts");
        v1.MapPost("/statuses/{id}/unpin", (string id, HttpContext http, PostMarkService marks, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => marks.PinAsync(me, Parse(id) ?? 0, false, ct), ct)).RequireScope("write:accounts");
        v1.MapGet("/statuses/{id}/favourited_by", (string id, HttpContext http, DrawbridgeDb db, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            WhoMarked(id, http, db, t, o, pid => db.Likes.Where(l => l.PostId == pid).Select(l => l.AccountId), ct)).OptionalScope("read:accounts");
        v1.MapGet("/statuses/{id}/reblogged_by", (string id, HttpContext http, DrawbridgeDb db, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            WhoMarked(id, http, db, t, o, pid => db.Posts.Where(p => p.RepostOfId == pid && p.DeletedAt == null && p.Status == PostStatus.Published).Select(p => p.AuthorId), ct))
            .OptionalScope("read:accounts");
        // Drawbridge has no polls: every poll id is unknown.
        v1.MapGet("/polls/{id}", () => MastodonResults.NotFound()).OptionalScope("read:statuses");
        v1.MapPost("/polls/{id}/votes", () => MastodonResults.NotFound()).RequireScope("write:statuses");

        // Accounts.
        v1.MapPatch("/accounts/update_credentials", UpdateCredentials).RequireScope("write:accounts");
        v1.MapGet("/accounts/{id}/followers", (string id, HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Connections(id, http, db, o, aid => db.Follows.Where(f => f.FolloweeId == aid && f.State == FollowState.Accepted).Select(f => f.FollowerId), ct))
            .OptionalScope("read:accounts");
        v1.MapGet("/accounts/{id}/following", (string id, HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Connections(id, http, db, o, aid => db.Follows.Where(f => f.FollowerId == aid && f.State == FollowState.Accepted).Select(f => f.FolloweeId), ct))
            .OptionalScope("read:accounts");
        v1.MapPost("/accounts/{id}/block", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.BlockAsync(me, Parse(id) ?? 0, true, ct))).RequireScope("write:blocks");
        v1.MapPost("/accounts/{id}/unblock", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.BlockAsync(me, Parse(id) ?? 0, false, ct))).RequireScope("write:blocks");
        v1.MapPost("/accounts/{id}/mute", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.MuteAsync(me, Parse(id) ?? 0, true, ct))).RequireScope("write:mutes");
        v1.MapPost("/accounts/{id}/unmute", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.MuteAsync(me, Parse(id) ?? 0, false, ct))).RequireScope("write:mutes");
        v1.MapPost("/accounts/{id}/note", Note).RequireScope("write:accounts");
        v1.MapGet("/accounts/{id}/lists", AccountLists).RequireScope("read:lists");

        // The reader's collections.
        v1.MapGet("/bookmarks", (HttpContext http, DrawbridgeDb db, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Collected(http, t, o, db.Bookmarks.Where(b => b.AccountId == MastodonAuth.Me(http)).Select(b => b.PostId), ct)).RequireScope("read:bookmarks");
        v1.MapGet("/favourites", (HttpContext http, DrawbridgeDb db, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Collected(http, t, o, db.Likes.Where(l => l.AccountId == MastodonAuth.Me(http)).Select(l => l.PostId), ct)).RequireScope("read:favourites");
        v1.MapGet("/blocks", (HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            AccountPage(http, db, o, db.Blocks.Where(b => b.BlockerId == MastodonAuth.Me(http)).Select(b => b.BlockedId), ct)).RequireScope("read:blocks");
        v1.MapGet("/mutes", (HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            AccountPage(http, db, o, db.Mutes.Where(m => m.MuterId == MastodonAuth.Me(http)).Select(m => m.MutedId), ct)).RequireScope("read:mutes");
        v1.MapGet("/follow_requests", (HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            AccountPage(http, db, o, db.Follows.Where(f => f.FolloweeId == MastodonAuth.Me(http) && f.State == FollowState.Requested).Select(f => f.FollowerId), ct))
            .RequireScope("read:follows");
        v1.MapPost("/follow_requests/{id}/authorize", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.AcceptFollowRequestAsync(me, Parse(id) ?? 0, ct))).RequireScope("write:follows");
        v1.MapPost("/follow_requests/{id}/reject", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.RejectFollowRequestAsync(me, Parse(id) ?? 0, ct))).RequireScope("write:follows");

        // Lists.
        v1.MapGet("/lists", async (HttpContext http, ListService lists, CancellationToken ct) =>
            MastodonResults.Json((await lists.ListsAsync(MastodonAuth.Me(http), ct)).Select(MastodonProjection.List).ToList(), MastodonJson.Default.ListMastodonList))
            .RequireScope("read:lists");
        v1.MapGet("/lists/{id}", async (string id, HttpContext http, ListService lists, CancellationToken ct) =>
            Parse(id) is { } lid && await lists.FindAsync(MastodonAuth.Me(http), lid, ct) is { } l
                ? MastodonResults.Json(MastodonProjection.List(l), MastodonJson.Default.MastodonList)
                : MastodonResults.NotFound()).RequireScope("read:lists");
        v1.MapPost("/lists", (HttpContext http, ListService lists, CancellationToken ct) => SaveList(null, http, lists, ct)).RequireScope("write:lists");
        v1.MapPut("/lists/{id}", (string id, HttpContext http, ListService lists, CancellationToken ct) =>
            Parse(id) is { } lid ? SaveList(lid, http, lists, ct) : Task.FromResult(MastodonResults.NotFound())).RequireScope("write:lists");
        v1.MapDelete("/lists/{id}", async (string id, HttpContext http, ListService lists, CancellationToken ct) =>
            Parse(id) is { } lid && await lists.DeleteAsync(MastodonAuth.Me(http), lid, ct) ? Empty() : MastodonResults.NotFound()).RequireScope("write:lists");
        v1.MapGet("/lists/{id}/accounts", ListAccounts).RequireScope("read:lists");
        v1.MapPost("/lists/{id}/accounts", (string id, HttpContext http, ListService lists, CancellationToken ct) => ChangeMembers(id, http, lists, true, ct))
            .RequireScope("write:lists");
        v1.MapDelete("/lists/{id}/accounts", (string id, HttpContext http, ListService lists, CancellationToken ct) => ChangeMembers(id, http, lists, false, ct))
            .RequireScope("write:lists");
        v1.MapGet("/timelines/list/{id}", ListTimeline).RequireScope("read:lists");

        // Hashtags.
        v1.MapGet("/followed_tags", async (HttpContext http, TagFollowService tags, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
        {
            var project = Projection(http, o);
            var followed = await tags.FollowedAsync(MastodonAuth.Me(http), ct);
            return MastodonResults.Json(followed.Select(t => project.Tag(t.Tag, true)).ToList(), MastodonJson.Default.ListMastodonFullTag);
        }).RequireScope("read:follows");
        v1.MapGet("/tags/{id}", async (string id, HttpContext http, TagFollowService tags, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
        {
            if (TagFollowService.Normalise(id) is not { } tag)
            {
                return MastodonResults.NotFound();
            }
            bool? following = MastodonAuth.Viewer(http) is { } me ? await tags.FollowsAsync(me, tag, ct) : null;
            return MastodonResults.Json(Projection(http, o).Tag(tag, following), MastodonJson.Default.MastodonFullTag);
        }).OptionalScope("read:follows", "read:statuses");
        v1.MapPost("/tags/{id}/follow", (string id, HttpContext http, TagFollowService tags, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            FollowTag(id, http, tags, o, true, ct)).RequireScope("write:follows");
        v1.MapPost("/tags/{id}/unfollow", (string id, HttpContext http, TagFollowService tags, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            FollowTag(id, http, tags, o, false, ct)).RequireScope("write:follows");

        // Filters (v2).
        v2.MapGet("/filters", async (HttpContext http, FilterService filters, CancellationToken ct) =>
            MastodonResults.Json((await filters.ListAsync(MastodonAuth.Me(http), ct)).Select(MastodonProjection.Filter).ToList(), MastodonJson.Default.ListMastodonFilter))
            .RequireScope("read:filters");
        v2.MapGet("/filters/{id}", async (string id, HttpContext http, FilterService filters, CancellationToken ct) =>
            Parse(id) is { } fid && await filters.FindAsync(MastodonAuth.Me(http), fid, ct) is { } f
                ? MastodonResults.Json(MastodonProjection.Filter(f), MastodonJson.Default.MastodonFilter)
                : MastodonResults.NotFound()).RequireScope("read:filters");
        v2.MapPost("/filters", (HttpContext http, FilterService filters, TimeProvider clock, CancellationToken ct) => SaveFilter(null, http, filters, clock, ct))
            .RequireScope("write:filters");
        v2.MapPut("/filters/{id}", (string id, HttpContext http, FilterService filters, TimeProvider clock, CancellationToken ct) =>
            Parse(id) is { } fid ? SaveFilter(fid, http, filters, clock, ct) : Task.FromResult(MastodonResults.NotFound())).RequireScope("write:filters");
        v2.MapDelete("/filters/{id}", async (string id, HttpContext http, FilterService filters, CancellationToken ct) =>
            Parse(id) is { } fid && await filters.DeleteAsync(MastodonAuth.Me(http), fid, ct) ? Empty() : MastodonResults.NotFound()).RequireScope("write:filters");
        v2.MapGet("/filters/{id}/keywords", async (string id, HttpContext http, FilterService filters, CancellationToken ct) =>
            Parse(id) is { } fid && await filters.FindAsync(MastodonAuth.Me(http), fid, ct) is { } f
                ? MastodonResults.Json(f.Keywords.Select(MastodonProjection.Keyword).ToList(), MastodonJson.Default.ListMastodonFilterKeyword)
                : MastodonResults.NotFound()).RequireScope("read:filters");
        v2.MapPost("/filters/{id}/keywords", AddKeyword).RequireScope("write:filters");
        v2.MapGet("/filters/keywords/{id}", async (string id, HttpContext http, FilterService filters, CancellationToken ct) =>
            Parse(id) is { } kid && await filters.FindKeywordAsync(MastodonAuth.Me(http), kid, ct) is { } found
                ? MastodonResults.Json(MastodonProjection.Keyword(found.Keyword), MastodonJson.Default.MastodonFilterKeyword)
                : MastodonResults.NotFound()).RequireScope("read:filters");
        v2.MapDelete("/filters/keywords/{id}", async (string id, HttpContext http, FilterService filters, CancellationToken ct) =>
        {
            var me = MastodonAuth.Me(http);
            if (Parse(id) is not { } kid || await filters.FindKeywordAsync(me, kid, ct) is not { } found)
            {
                return MastodonResults.NotFound();
            }
            var outcome = await filters.SaveAsync(me, found.Filter.Filter.Id, new FilterInput(null, null, null, null, false, [new FilterKeywordInput(kid, null, false, true)]), ct);
            return outcome.Succeeded ? Empty() : MastodonResults.Refused(outcome);
        }).RequireScope("write:filters");

        // What Drawbridge has no such thing for: empty, but the shape apps expect.
        v1.MapGet("/conversations", Conversations).RequireScope("read:statuses");
        v1.MapGet("/announcements", EmptyList).RequireScope("read");
        v1.MapGet("/trends/links", EmptyList).OptionalScope();
        v2.MapGet("/suggestions", EmptyList).RequireScope("read");
        v1.MapGet("/suggestions", EmptyList).RequireScope("read");
        v1.MapGet("/endorsements", EmptyList).RequireScope("read:accounts");
        v1.MapGet("/featured_tags", EmptyList).RequireScope("read:accounts");
        v1.MapGet("/scheduled_statuses", EmptyList).RequireScope("read:statuses");
        v1.MapGet("/push/subscription", () => MastodonResults.NotFound()).RequireScope("push");

        v2.MapGet("/search", Search).OptionalScope("read:search");

        // Anything else under Mastodon's paths is unknown, said in Mastodon's words.
        app.MapFallback("/api/v1/{**rest}", () => MastodonResults.NotFound()).RequireCors(MastodonOAuth.Cors);
        app.MapFallback("/api/v2/{**rest}", () => MastodonResults.NotFound()).RequireCors(MastodonOAuth.Cors);
    }

    // ---- media ----

    private static async Task<IResult> Upload(HttpContext http, MediaService media, IOptions<DrawbridgeOptions> options, bool v2, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input?.File("file") is not { } file)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: File can't be blank (send it as the multipart field 'file')");
        }
        var description = input.String("description");
        if (description is { Length: > 1500 })
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: Description is too long (maximum is 1500 characters)");
        }
        if (input.String("focus") is { Length: > 0 } focus && !ValidFocus(focus))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: focus must be two numbers from -1.0 to 1.0, as \"x,y\"");
        }
        await using var stream = file.OpenReadStream();
        var outcome = await media.UploadAsync(MastodonAuth.Me(http), stream, file.Length, description, ct, describeLater: true);
        if (!outcome.Succeeded)
        {
            return MastodonResults.Refused(outcome);
        }
        var m = Projection(http, options).Media(outcome.Value!);
        // Audio and video go the way Mastodon's apps know for files that take time: 202, then fetched by id until there is a URL.
        return v2 && outcome.Value!.Kind != MediaKind.Image
            ? MastodonResults.Json(m with { Url = null }, MastodonJson.Default.MastodonMedia, StatusCodes.Status202Accepted)
            : MastodonResults.Json(m, MastodonJson.Default.MastodonMedia);
    }

    private static bool ValidFocus(string focus) =>
        focus.Split(',') is [var x, var y]
        && double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var fx) && fx is >= -1 and <= 1
        && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var fy) && fy is >= -1 and <= 1;

    private static async Task<IResult> ShowMedia(string id, HttpContext http, MediaService media, IOptions<DrawbridgeOptions> options, CancellationToken ct) =>
        Parse(id) is { } mid && await media.FindAsync(mid, ct) is { } m && m.OwnerId == MastodonAuth.Me(http)
            ? MastodonResults.Json(Projection(http, options).Media(m), MastodonJson.Default.MastodonMedia)
            : MastodonResults.NotFound();

    private static async Task<IResult> UpdateMedia(string id, HttpContext http, MediaService media, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (Parse(id) is not { } mid || await media.FindAsync(mid, ct) is not { } m || m.OwnerId != me)
        {
            return MastodonResults.NotFound();
        }
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        if (input.String("focus") is { Length: > 0 } focus && !ValidFocus(focus))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: focus must be two numbers from -1.0 to 1.0, as \"x,y\"");
        }
        if (input.String("description") is { } description)
        {
            var outcome = await media.DescribeAsync(me, mid, description, ct);
            if (!outcome.Succeeded)
            {
                return MastodonResults.Refused(outcome);
            }
            m = outcome.Value!;
        }
        return MastodonResults.Json(Projection(http, options).Media(m), MastodonJson.Default.MastodonMedia);
    }

    // ---- statuses ----

    private static async Task<IResult> EditStatus(string id, HttpContext http, PostEditing posts, TimelineService timelines, DrawbridgeDb db,
        IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (Parse(id) is not { } pid || await timelines.PostAsync(pid, me, ct) is not { Post.IsDeleted: false } view || view.Post.RepostOfId is not null)
        {
            return MastodonResults.NotFound();
        }
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var post = view.Post;
        if (input.Has("media_ids") || input.Has("media_ids[]"))
        {
            var asked = input.Strings("media_ids").Select(Parse).ToList();
            var current = view.Media.Select(m => m.Id).ToHashSet();
            if (asked.Any(a => a is null) || !current.SetEquals(asked.Select(a => a!.Value)))
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: the media of a published status can't be changed, only its text");
            }
        }
        var text = input.String("status") ?? post.Content;
        // An article keeps its title and summary unless the extension's fields change them.
        var title = input.Nested("drawbridge", "title") ?? post.Title;
        var summary = input.Nested("drawbridge", "summary") ?? post.Summary;
        var outcome = await posts.EditAsync(me, pid, new PostInput(text, post.Kind, title, summary, null, post.Visibility, ConfirmWarnings: true), ct);
        if (!outcome.Succeeded)
        {
            return MastodonResults.Refused(outcome);
        }
        return await timelines.PostAsync(pid, me, ct) is { } edited ? await MastodonViews.StatusAsync(http, options, edited, ct) : MastodonResults.NotFound();
    }

    private static async Task<IResult> History(string id, HttpContext http, PostEditing posts, TimelineService timelines, ContentRenderer renderer,
        IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (Parse(id) is not { } pid || await timelines.PostAsync(pid, MastodonAuth.Viewer(http), ct) is not { Post.IsDeleted: false } view)
        {
            return MastodonResults.NotFound();
        }
        var project = Projection(http, options);
        var account = project.Account(view.Author);
        var media = view.Media.Select(project.Media).ToList();
        var post = view.Post;
        string Html(string content) => post.Kind == PostKind.Article ? renderer.RenderMarkdown(content) : renderer.RenderNote(content, h => "/@" + h);
        DrawbridgeStatusExtension? Ext(string? title, string? summary) => post.Kind == PostKind.Article ? new DrawbridgeStatusExtension("article", title, summary) : null;
        // Oldest first, the current version last, as Mastodon lists them.
        var result = (await posts.HistoryAsync(pid, ct))
            .Select(e => new MastodonStatusEdit(Html(e.Content), "", false, e.EditedAt, account, null, media, [], Ext(e.Title, e.Summary)))
            .ToList();
        result.Add(new MastodonStatusEdit(post.ContentHtml, "", false, post.EditedAt ?? post.CreatedAt, account, null, media, [], MastodonProjection.Extension(post)));
        return MastodonResults.Json(result, MastodonJson.Default.ListMastodonStatusEdit);
    }

    private static async Task<IResult> Source(string id, HttpContext http, TimelineService timelines, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (Parse(id) is not { } pid || await timelines.PostAsync(pid, me, ct) is not { Post.IsDeleted: false } view)
        {
            return MastodonResults.NotFound();
        }
        if (view.Post.AuthorId != me)
        {
            return MastodonResults.Error(StatusCodes.Status403Forbidden, "This action is not allowed");
        }
        return MastodonResults.Json(new MastodonStatusSource(MastodonViews.Str(pid), view.Post.Content, "", MastodonProjection.Extension(view.Post)),
            MastodonJson.Default.MastodonStatusSource);
    }

    private static async Task<IResult> WhoMarked(string id, HttpContext http, DrawbridgeDb db, TimelineService timelines, IOptions<DrawbridgeOptions> options,
        Func<long, IQueryable<long>> who, CancellationToken ct)
    {
        if (Parse(id) is not { } pid || await timelines.PostAsync(pid, MastodonAuth.Viewer(http), ct) is not { Post.IsDeleted: false })
        {
            return MastodonResults.NotFound();
        }
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var ids = who(pid);
        var accounts = await MastodonViews.PageAsync(db.Accounts.Where(a => ids.Contains(a.Id)), page, ct);
        return MastodonViews.Accounts(http, Projection(http, options), accounts);
    }

    // ---- accounts ----

    private static async Task<IResult> Connections(string id, HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> options,
        Func<long, IQueryable<long>> who, CancellationToken ct)
    {
        if (Parse(id) is not { } aid || !await db.Accounts.AnyAsync(a => a.Id == aid && a.DeletionRequestedAt == null, ct))
        {
            return MastodonResults.NotFound();
        }
        return await AccountPage(http, db, options, who(aid), ct);
    }

    private static async Task<IResult> AccountPage(HttpContext http, DrawbridgeDb db, IOptions<DrawbridgeOptions> options, IQueryable<long> ids, CancellationToken ct)
    {
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var accounts = await MastodonViews.PageAsync(db.Accounts.Where(a => ids.Contains(a.Id)), page, ct);
        return MastodonViews.Accounts(http, Projection(http, options), accounts);
    }

    private static async Task<IResult> Note(string id, HttpContext http, AccountNoteService notes, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (Parse(id) is not { } other)
        {
            return MastodonResults.NotFound();
        }
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var outcome = await notes.SetAsync(me, other, input.String("comment"), ct);
        return outcome.Succeeded
            ? MastodonResults.Json(await MastodonViews.RelationshipAsync(http, Projection(http, options), me, other, null, ct), MastodonJson.Default.MastodonRelationship)
            : MastodonResults.Refused(outcome);
    }

    private static async Task<IResult> AccountLists(string id, HttpContext http, ListService lists, CancellationToken ct) =>
        Parse(id) is { } aid
            ? MastodonResults.Json((await lists.ListsWithAsync(MastodonAuth.Me(http), aid, ct)).Select(MastodonProjection.List).ToList(), MastodonJson.Default.ListMastodonList)
            : MastodonResults.NotFound();

    /// <summary>
    /// PATCH /api/v1/accounts/update_credentials. The pictures are stored first, then the profile is checked and saved;
    /// only when that succeeds do the pictures and the lock change, so a refusal leaves the profile as it was.
    /// Mastodon's profile fields are Drawbridge's profile links: each value must be a web address.
    /// </summary>
    private static async Task<IResult> UpdateCredentials(HttpContext http, AccountService accounts, MediaService media, DrawbridgeDb db,
        IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        if (await accounts.FindAsync(me, ct) is not { } account)
        {
            return MastodonResults.NotFound();
        }
        var pictures = new Dictionary<bool, long>();
        foreach (var (field, header) in new[] { ("avatar", false), ("header", true) })
        {
            if (input.File(field) is not { Length: > 0 } file)
            {
                continue;
            }
            await using var stream = file.OpenReadStream();
            var uploaded = await media.UploadAsync(me, stream, file.Length, header ? "Profile header" : "Profile picture", ct, imagesOnly: true);
            if (!uploaded.Succeeded)
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: {field}: {uploaded.FirstError}");
            }
            pictures[header] = uploaded.Value!.Id;
        }
        var links = account.ParsedLinks();
        if (input.Records("fields_attributes") is { Count: > 0 } fields)
        {
            links = fields.Select(f => new ProfileLink(f.GetValueOrDefault("name") ?? "", f.GetValueOrDefault("value") ?? ""))
                .Where(l => l.Label.Length > 0 || l.Url.Length > 0).ToList();
        }
        var profile = new ProfileInput(input.String("display_name") ?? account.DisplayName, input.String("note") ?? account.Bio, account.Profession, account.Employer, links);
        var saved = await accounts.UpdateProfileAsync(me, profile, ct);
        if (!saved.Succeeded)
        {
            return MastodonResults.Refused(saved);
        }
        foreach (var (header, mediaId) in pictures)
        {
            await accounts.SetPictureAsync(me, mediaId, header, ct);
        }
        if (input.Bool("locked") is { } locked && locked != account.Locked)
        {
            await accounts.SetLockedAsync(me, locked, ct);
        }
        var requests = await db.Follows.CountAsync(f => f.FolloweeId == me && f.State == FollowState.Requested, ct);
        return MastodonResults.Json(Projection(http, options).Account((await accounts.FindAsync(me, ct))!, withSource: true, requests), MastodonJson.Default.MastodonAccount);
    }

    // ---- the reader's collections ----

    private static async Task<IResult> Collected(HttpContext http, TimelineService timelines, IOptions<DrawbridgeOptions> options, IQueryable<long> postIds, CancellationToken ct)
    {
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var me = MastodonAuth.Me(http);
        var ids = await MastodonViews.PageIdsAsync(postIds, page, ct);
        var views = await timelines.ByIdsAsync(ids, me, ct);
        // The Link header pages by what was collected, even where some of it can no longer be seen.
        if (ids.Count > 0)
        {
            MastodonResults.Link(http, Projection(http, options).BaseUrl, MastodonViews.Str(ids[^1]), MastodonViews.Str(ids[0]));
        }
        var project = await MastodonViews.ForAsync(http, options, views, FilterContexts.None, ct);
        return MastodonResults.Json(views.Select(project.Status).ToList(), MastodonJson.Default.ListMastodonStatus);
    }

    private static async Task<IResult> SaveList(long? id, HttpContext http, ListService lists, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        ListReplies? replies = input.String("replies_policy") switch
        {
            null or "" => null,
            "followed" => ListReplies.Followed,
            "list" => ListReplies.List,
            "none" => ListReplies.None,
            _ => (ListReplies)(-1),
        };
        if (replies == (ListReplies)(-1))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: replies_policy must be followed, list or none");
        }
        var outcome = await lists.SaveAsync(MastodonAuth.Me(http), id, input.String("title"), replies, input.Bool("exclusive"), ct);
        return outcome.Succeeded ? MastodonResults.Json(MastodonProjection.List(outcome.Value!), MastodonJson.Default.MastodonList) : MastodonResults.Refused(outcome);
    }

    private static async Task<IResult> ListAccounts(string id, HttpContext http, ListService lists, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (Parse(id) is not { } lid || await lists.FindAsync(MastodonAuth.Me(http), lid, ct) is null)
        {
            return MastodonResults.NotFound();
        }
        // limit=0 asks for every member (Mastodon's own convention here).
        var all = http.Request.Query["limit"].ToString() == "0";
        PageRequest page = default;
        if (!all && !TryPage(http, out page, out var error))
        {
            return error!;
        }
        var members = await lists.MembersAsync(lid, all ? null : page.MaxId, all ? 10_000 : page.Take, ct);
        return MastodonViews.Accounts(http, Projection(http, options), members);
    }

    private static async Task<IResult> ChangeMembers(string id, HttpContext http, ListService lists, bool add, CancellationToken ct)
    {
        if (Parse(id) is not { } lid)
        {
            return MastodonResults.NotFound();
        }
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var ids = input.Strings("account_ids").Select(Parse).ToList();
        if (ids.Count == 0 || ids.Any(i => i is null))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: account_ids must name one or more accounts by id");
        }
        var me = MastodonAuth.Me(http);
        var accountIds = ids.Select(i => i!.Value).ToList();
        var outcome = add ? await lists.AddAsync(me, lid, accountIds, ct) : await lists.RemoveAsync(me, lid, accountIds, ct);
        return outcome.Succeeded ? Empty() : MastodonResults.Refused(outcome);
    }

    private static async Task<IResult> ListTimeline(string id, HttpContext http, ListService lists, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (Parse(id) is not { } lid || await lists.FindAsync(MastodonAuth.Me(http), lid, ct) is not { } list)
        {
            return MastodonResults.NotFound();
        }
        return TryPage(http, out var page, out var error)
            ? await MastodonViews.StatusesAsync(http, options, await timelines.ListAsync(list, page, ct), FilterContexts.Home, ct)
            : error!;
    }

    private static async Task<IResult> FollowTag(string id, HttpContext http, TagFollowService tags, IOptions<DrawbridgeOptions> options, bool follow, CancellationToken ct)
    {
        if (TagFollowService.Normalise(id) is not { } tag)
        {
            return MastodonResults.NotFound();
        }
        await tags.SetAsync(MastodonAuth.Me(http), tag, follow, ct);
        return MastodonResults.Json(Projection(http, options).Tag(tag, follow), MastodonJson.Default.MastodonFullTag);
    }

    // ---- filters ----

    private static async Task<IResult> SaveFilter(long? id, HttpContext http, FilterService filters, TimeProvider clock, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        FilterContexts? contexts = null;
        var named = input.Strings("context");
        if (named.Count > 0)
        {
            contexts = FilterContexts.None;
            foreach (var c in named)
            {
                var flag = MastodonProjection.FilterContextNames.FirstOrDefault(n => n.Name == c).Flag;
                if (flag == FilterContexts.None)
                {
                    return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: '{c}' is not a filter context (home, notifications, public, thread, account)");
                }
                contexts |= flag;
            }
        }
        FilterAction? action = input.String("filter_action") switch
        {
            null or "" => null,
            "warn" or "blur" => FilterAction.Warn,
            "hide" => FilterAction.Hide,
            _ => (FilterAction)(-1),
        };
        if (action == (FilterAction)(-1))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: filter_action must be warn or hide");
        }
        DateTime? expires = null;
        var clear = false;
        if (input.Has("expires_in"))
        {
            var raw = input.String("expires_in");
            if (string.IsNullOrEmpty(raw))
            {
                clear = true;
            }
            else if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 10L * 365 * 86400)
            {
                expires = clock.GetUtcNow().UtcDateTime.AddSeconds(seconds);
            }
            else
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: expires_in must be a number of seconds, or empty for never");
            }
        }
        var keywords = new List<FilterKeywordInput>();
        foreach (var k in input.Records("keywords_attributes"))
        {
            long? kid = null;
            if (k.GetValueOrDefault("id") is { Length: > 0 } rawId)
            {
                kid = Parse(rawId);
                if (kid is null)
                {
                    return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: '{rawId}' is not a keyword id");
                }
            }
            static bool Flag(string? v) => v is "true" or "1" or "on";
            keywords.Add(new FilterKeywordInput(kid, k.GetValueOrDefault("keyword"), Flag(k.GetValueOrDefault("whole_word")), Flag(k.GetValueOrDefault("_destroy"))));
        }
        if (id is null && contexts is null)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: context must name at least one of home, notifications, public, thread, account");
        }
        var outcome = await filters.SaveAsync(MastodonAuth.Me(http), id, new FilterInput(input.String("title"), contexts, action, expires, clear, keywords), ct);
        return outcome.Succeeded ? MastodonResults.Json(MastodonProjection.Filter(outcome.Value!), MastodonJson.Default.MastodonFilter) : MastodonResults.Refused(outcome);
    }

    private static async Task<IResult> AddKeyword(string id, HttpContext http, FilterService filters, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (Parse(id) is not { } fid || await filters.FindAsync(me, fid, ct) is null)
        {
            return MastodonResults.NotFound();
        }
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var outcome = await filters.SaveAsync(me, fid, new FilterInput(null, null, null, null, false,
            [new FilterKeywordInput(null, input.String("keyword"), input.Bool("whole_word") ?? false, false)]), ct);
        return outcome.Succeeded
            ? MastodonResults.Json(MastodonProjection.Keyword(outcome.Value!.Keywords[^1]), MastodonJson.Default.MastodonFilterKeyword)
            : MastodonResults.Refused(outcome);
    }

    /// <summary>
    /// Direct messages (which only come from other servers) grouped by conversation, the latest first: each with the
    /// other people in it and its last status the reader may see. Paged by that status's id; unread is not tracked.
    /// </summary>
    private static async Task<IResult> Conversations(HttpContext http, DrawbridgeDb db, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var me = MastodonAuth.Me(http);
        var lastIds = db.Posts.Where(p => p.Visibility == Visibility.Direct && p.Status == PostStatus.Published && p.DeletedAt == null
                                          && (p.AuthorId == me || db.PostMentions.Any(m => m.PostId == p.Id && m.AccountId == me)))
            .GroupBy(p => p.ConversationId).Select(g => g.Max(p => p.Id));
        var ids = await MastodonViews.PageIdsAsync(lastIds, page, ct);
        var views = await timelines.ByIdsAsync(ids, me, ct);
        var postIds = views.Select(v => v.Post.Id).ToList();
        var mentioned = (await db.PostMentions.AsNoTracking().Where(m => postIds.Contains(m.PostId)).ToListAsync(ct)).ToLookup(m => m.PostId, m => m.AccountId);
        var others = mentioned.SelectMany(g => g).Concat(views.Select(v => v.Post.AuthorId)).Where(a => a != me).Distinct().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => others.Contains(a.Id) && a.DeletionRequestedAt == null).ToDictionaryAsync(a => a.Id, ct);
        var project = await MastodonViews.ForAsync(http, options, views, FilterContexts.None, ct);
        var result = views.Select(v => new MastodonConversation(MastodonViews.Str(v.Post.ConversationId), false,
            mentioned[v.Post.Id].Append(v.Post.AuthorId).Where(a => a != me).Distinct().Where(accounts.ContainsKey).Select(a => project.Account(accounts[a])).ToList(),
            project.Status(v))).ToList();
        if (ids.Count > 0)
        {
            MastodonResults.Link(http, project.BaseUrl, MastodonViews.Str(ids[^1]), MastodonViews.Str(ids[0]));
        }
        return MastodonResults.Json(result, MastodonJson.Default.ListMastodonConversation);
    }

    // ---- search ----

    /// <summary>
    /// GET /api/v2/search over Drawbridge's own search, which looks up an address of another server there (through
    /// <c>FederatedLookup</c>: <c>@user@domain</c> by WebFinger, an actor's or a post's URL by fetching it). With
    /// <c>resolve=true</c> and a token, an address of this server (a profile or post URL, <c>user@this-domain</c>) is
    /// looked up directly.
    /// </summary>
    private static async Task<IResult> Search(HttpContext http, SearchService search, AccountService accounts, TimelineService timelines, TagFollowService tags,
        IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var q = http.Request.Query;
        var text = q["q"].ToString().Trim();
        var type = q["type"].ToString();
        if (type is not ("" or "accounts" or "statuses" or "hashtags"))
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "type must be accounts, statuses or hashtags");
        }
        var limit = 20;
        var offset = 0;
        if ((q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            || (q["offset"].ToString() is { Length: > 0 } o && !int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "limit and offset must be whole numbers");
        }
        limit = Math.Min(limit, 40);
        var viewer = MastodonAuth.Viewer(http);
        var project = Projection(http, options);
        var resolve = q["resolve"].ToString() is "true" or "1";
        var found = new List<MastodonAccount>();
        var statuses = new List<PostView>();
        var hashtags = new List<MastodonFullTag>();
        if (text.Length > 0 && resolve && viewer is not null)
        {
            switch (await ResolveLocalAsync(text, project.BaseUrl, accounts, timelines, viewer, ct))
            {
                case Account a:
                    found.Add(project.Account(a));
                    break;
                case PostView v:
                    statuses.Add(v);
                    break;
            }
        }
        if (text.Length > 0 && found.Count == 0 && statuses.Count == 0)
        {
            var results = await search.SearchAsync(text, SearchOrder.Relevance, viewer, limit, offset, ct);
            found.AddRange(results.Accounts.Take(limit).Select(a => project.Account(a)));
            statuses.AddRange(results.Posts);
            var followed = viewer is { } me ? (await tags.FollowedAsync(me, ct)).Select(t => t.Tag).ToHashSet() : null;
            hashtags.AddRange(results.Tags.Take(limit).Select(t => project.Tag(t.Tag, followed?.Contains(t.Tag))));
        }
        var marks = await MastodonViews.ForAsync(http, options, statuses, FilterContexts.None, ct);
        return MastodonResults.Json(new MastodonSearch(
            type is "" or "accounts" ? found : [],
            type is "" or "statuses" ? statuses.Select(marks.Status).ToList() : [],
            type is "" or "hashtags" ? hashtags : []), MastodonJson.Default.MastodonSearch);
    }

    /// <summary>An account or post of this server named by its address: <c>@user@domain</c>, a profile URL or a post URL.</summary>
    private static async Task<object?> ResolveLocalAsync(string text, string baseUrl, AccountService accounts, TimelineService timelines, long? viewer, CancellationToken ct)
    {
        var host = new Uri(baseUrl).Authority;
        if (text.TrimStart('@').Split('@') is [var user, var domain] && string.Equals(domain, host, StringComparison.OrdinalIgnoreCase))
        {
            return await accounts.FindByHandleAsync(user, ct);
        }
        if (!text.StartsWith(baseUrl + "/@", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var parts = text[(baseUrl.Length + 2)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && Parse(parts[1]) is { } pid)
        {
            return await timelines.PostAsync(pid, viewer, ct) is { Post.IsDeleted: false } view ? view : null;
        }
        return parts.Length == 1 ? await accounts.FindByHandleAsync(parts[0], ct) : null;
    }
}
