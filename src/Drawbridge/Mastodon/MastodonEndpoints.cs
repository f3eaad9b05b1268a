using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Drawbridge.Mastodon;

/// <summary>
/// Mastodon's client API (/api/v1, /api/v2) as an adapter over Drawbridge's services. Each endpoint states who may use
/// it: a person's token with a scope (RequireScope), or anyone, with a good token if one is sent (OptionalScope).
/// </summary>
public static class MastodonEndpoints
{
    public const string Version = "4.2.0 (compatible; Drawbridge 0.1.0)";

    public static void MapMastodonApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithTags("Mastodon").RequireCors(MastodonOAuth.Cors).DisableAntiforgery();
        var v2 = app.MapGroup("/api/v2").WithTags("Mastodon").RequireCors(MastodonOAuth.Cors).DisableAntiforgery();

        v2.MapGet("/instance", InstanceV2).OptionalScope();
        v1.MapGet("/instance", InstanceV1).OptionalScope();
        v1.MapGet("/custom_emojis", () => MastodonResults.Json(new List<System.Text.Json.JsonElement>(), MastodonJson.Default.ListJsonElement)).OptionalScope();
        v1.MapGet("/trends", () => MastodonResults.Json(new List<System.Text.Json.JsonElement>(), MastodonJson.Default.ListJsonElement)).OptionalScope();
        v1.MapGet("/trends/tags", () => MastodonResults.Json(new List<System.Text.Json.JsonElement>(), MastodonJson.Default.ListJsonElement)).OptionalScope();
        v1.MapGet("/trends/statuses", () => MastodonResults.Json(new List<System.Text.Json.JsonElement>(), MastodonJson.Default.ListJsonElement)).OptionalScope();

        v1.MapGet("/accounts/verify_credentials", VerifyCredentials).RequireScope("read:accounts", "profile");
        v1.MapGet("/preferences", () => MastodonResults.Json(new MastodonPreferences(), MastodonJson.Default.MastodonPreferences)).RequireScope("read:accounts");
        v1.MapGet("/accounts/lookup", Lookup).OptionalScope("read:accounts");
        v1.MapGet("/accounts/relationships", Relationships).RequireScope("read:follows");
        v1.MapGet("/accounts/{id}", ShowAccount).OptionalScope("read:accounts");
        v1.MapGet("/accounts/{id}/statuses", AccountStatuses).OptionalScope("read:statuses");
        v1.MapPost("/accounts/{id}/follow", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.FollowAsync(me, Parse(id) ?? 0, ct))).RequireScope("write:follows");
        v1.MapPost("/accounts/{id}/unfollow", (string id, HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Relate(id, http, o, me => follows.UnfollowAsync(me, Parse(id) ?? 0, ct))).RequireScope("write:follows");

        v1.MapGet("/timelines/home", Home).RequireScope("read:statuses");
        v1.MapGet("/timelines/public", Public).OptionalScope("read:statuses");
        v1.MapGet("/timelines/tag/{hashtag}", Tag).OptionalScope("read:statuses");
        v1.MapGet("/notifications", Notifications).RequireScope("read:notifications");
        v1.MapMastodonMarkers();

        v1.MapPost("/statuses", CreateStatus).RequireScope("write:statuses").RequireRateLimiting("posting");
        v1.MapGet("/statuses/{id}", ShowStatus).OptionalScope("read:statuses");
        v1.MapDelete("/statuses/{id}", DeleteStatus).RequireScope("write:statuses");
        v1.MapGet("/statuses/{id}/context", Context).OptionalScope("read:statuses");
        v1.MapPost("/statuses/{id}/favourite", (string id, HttpContext http, PostInteractions posts, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => posts.LikeAsync(me, Parse(id) ?? 0, true, ct), ct)).RequireScope("write:favourites");
        v1.MapPost("/statuses/{id}/unfavourite", (string id, HttpContext http, PostInteractions posts, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => posts.LikeAsync(me, Parse(id) ?? 0, false, ct), ct)).RequireScope("write:favourites");
        v1.MapPost("/statuses/{id}/reblog", (string id, HttpContext http, PostInteractions posts, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => posts.RepostAsync(me, Parse(id) ?? 0, true, ct), ct)).RequireScope("write:statuses");
        v1.MapPost("/statuses/{id}/unreblog", (string id, HttpContext http, PostInteractions posts, TimelineService t, IOptions<DrawbridgeOptions> o, CancellationToken ct) =>
            Mark(id, http, t, o, me => posts.RepostAsync(me, Parse(id) ?? 0, false, ct), ct)).RequireScope("write:statuses");
        v1.MapMastodonReports();

        app.MapMastodonClientApi();
    }

    internal static MastodonProjection Projection(HttpContext http, IOptions<DrawbridgeOptions> options) => MastodonViews.Projection(http, options);

    internal static long? Parse(string? id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Mastodon's paging parameters; ids that aren't numbers are refused by name.</summary>
    internal static bool TryPage(HttpContext http, out PageRequest page, out IResult? error)
    {
        var q = http.Request.Query;
        long? Id(string key, ref IResult? err)
        {
            if (q[key].ToString() is not { Length: > 0 } s)
            {
                return null;
            }
            if (Parse(s) is { } v)
            {
                return v;
            }
            err ??= MastodonResults.Error(StatusCodes.Status400BadRequest, $"{key} must be a status id");
            return null;
        }
        error = null;
        var limit = 20;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            error = MastodonResults.Error(StatusCodes.Status400BadRequest, "limit must be a positive number");
        }
        page = new PageRequest(Id("max_id", ref error), Id("since_id", ref error), Id("min_id", ref error), Math.Min(limit, PageRequest.MaxLimit));
        return error is null;
    }

    private static async Task<IResult> InstanceV2(HttpContext http, IOptions<DrawbridgeOptions> options, DrawbridgeDb db, CancellationToken ct)
    {
        var o = options.Value;
        var baseUrl = o.BaseUrl(http.Request);
        var domain = new Uri(baseUrl).Authority;
        var users = await db.Accounts.CountAsync(a => a.DeletionRequestedAt == null, ct);
        return MastodonResults.Json(new InstanceV2(domain, o.InstanceName, Version, "https://github.com/drawbridge-social/drawbridge",
            "A Drawbridge server: public professionals and the people they serve.", new InstanceUsage(new InstanceUsers(users)),
            new InstanceThumbnail($"{baseUrl}/img/header.png", null, null), [], ["en"], new InstanceConfiguration(
                new InstanceUrls(Streaming(baseUrl), null, null, null, null), new InstanceVapid(""), new InstanceAccounts(0, 0),
                StatusLimits, Media, Polls, new InstanceTranslation(false)),
            new InstanceRegistrations(true, false, null, $"{baseUrl}/auth/sign-up"), new Dictionary<string, int> { ["mastodon"] = 1, ["drawbridge"] = 1 },
            new InstanceContact("", null), MastodonReports.Rules()), MastodonJson.Default.InstanceV2);
    }

    private static async Task<IResult> InstanceV1(HttpContext http, IOptions<DrawbridgeOptions> options, DrawbridgeDb db, CancellationToken ct)
    {
        var o = options.Value;
        var baseUrl = o.BaseUrl(http.Request);
        var users = await db.Accounts.CountAsync(a => a.DeletionRequestedAt == null, ct);
        var posts = await db.Posts.CountAsync(p => p.Status == PostStatus.Published && p.DeletedAt == null, ct);
        return MastodonResults.Json(new InstanceV1(new Uri(baseUrl).Authority, o.InstanceName, "Public professionals and the people they serve.",
            "A Drawbridge server: public professionals and the people they serve.", "", Version, new InstanceV1Urls(Streaming(baseUrl)),
            new InstanceV1Stats(users, posts, 0), $"{baseUrl}/img/header.png", ["en"], true, false, false,
            new InstanceV1Configuration(new InstanceAccounts(0, 0), StatusLimits, Media, Polls), null, MastodonReports.Rules()), MastodonJson.Default.InstanceV1);
    }

    private static string Streaming(string baseUrl) => baseUrl.StartsWith("https:", StringComparison.Ordinal) ? "wss:" + baseUrl[6..] : "ws:" + baseUrl[5..];

    private static readonly InstanceStatuses StatusLimits = new(PostChecks.NoteLimit, 4, 23);
    private static readonly InstanceMediaAttachments Media = new(["image/jpeg", "image/png", "image/webp", "image/gif", "audio/mpeg", "audio/mp4", "video/mp4"],
        1500, MediaService.MaxImageBytes, 16_777_216, MediaService.MaxEpisodeBytes, 60, 2_304_000);
    private static readonly InstancePolls Polls = new(0, 0, 0, 0);

    private static async Task<IResult> VerifyCredentials(HttpContext http, AccountService accounts, DrawbridgeDb db, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (await accounts.FindAsync(me, ct) is not { } a)
        {
            return MastodonResults.NotFound();
        }
        var requests = a.Locked ? await db.Follows.CountAsync(f => f.FolloweeId == me && f.State == Social.FollowState.Requested, ct) : 0;
        return MastodonResults.Json(Projection(http, options).Account(a, withSource: true, requests), MastodonJson.Default.MastodonAccount);
    }

    private static async Task<IResult> ShowAccount(string id, HttpContext http, AccountService accounts, IOptions<DrawbridgeOptions> options, CancellationToken ct) =>
        Parse(id) is { } aid && await accounts.FindAsync(aid, ct) is { DeletionRequestedAt: null } a
            ? MastodonResults.Json(Projection(http, options).Account(a), MastodonJson.Default.MastodonAccount)
            : MastodonResults.NotFound();

    private static async Task<IResult> Lookup(HttpContext http, AccountService accounts, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var acct = http.Request.Query["acct"].ToString().TrimStart('@');
        var host = new Uri(options.Value.BaseUrl(http.Request)).Authority;
        // A local account may be named with this server's domain; other domains are not known here.
        if (acct.Split('@') is [var user, var domain] && string.Equals(domain, host, StringComparison.OrdinalIgnoreCase))
        {
            acct = user;
        }
        if (acct.Length == 0 || acct.Contains('@', StringComparison.Ordinal))
        {
            return MastodonResults.NotFound();
        }
        return await accounts.FindByHandleAsync(acct, ct) is { DeletionRequestedAt: null } a
            ? MastodonResults.Json(Projection(http, options).Account(a), MastodonJson.Default.MastodonAccount)
            : MastodonResults.NotFound();
    }

    private static async Task<IResult> Relationships(HttpContext http, FollowService follows, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        var project = Projection(http, options);
        var result = new List<MastodonRelationship>();
        foreach (var id in http.Request.Query["id[]"].Concat(http.Request.Query["id"]).Distinct().Take(40))
        {
            if (Parse(id) is { } other)
            {
                result.Add(await MastodonViews.RelationshipAsync(http, project, me, other, null, ct));
            }
        }
        return MastodonResults.Json(result, MastodonJson.Default.ListMastodonRelationship);
    }

    internal static async Task<IResult> Relate(string id, HttpContext http, IOptions<DrawbridgeOptions> options, Func<long, Task<Outcome<Relationship>>> action)
    {
        if (Parse(id) is not { } other)
        {
            return MastodonResults.NotFound();
        }
        var me = MastodonAuth.Me(http);
        var outcome = await action(me);
        return outcome.Succeeded
            ? MastodonResults.Json(await MastodonViews.RelationshipAsync(http, Projection(http, options), me, other, outcome.Value!, http.RequestAborted), MastodonJson.Default.MastodonRelationship)
            : MastodonResults.Refused(outcome);
    }

    private static async Task<IResult> AccountStatuses(string id, HttpContext http, AccountService accounts, TimelineService timelines, DrawbridgeDb db,
        IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (Parse(id) is not { } aid || await accounts.FindAsync(aid, ct) is not { DeletionRequestedAt: null } account)
        {
            return MastodonResults.NotFound();
        }
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var q = http.Request.Query;
        static bool Yes(Microsoft.Extensions.Primitives.StringValues v) => v.ToString() is "true" or "1";
        var viewer = MastodonAuth.Viewer(http);
        List<PostView> views;
        if (Yes(q["pinned"]))
        {
            var pinned = await db.Pins.AsNoTracking().Where(p => p.AccountId == account.Id).Select(p => p.PostId).ToListAsync(ct);
            views = await timelines.ByIdsAsync(pinned, viewer, ct);
            views = views.Where(v => page.MaxId is not { } max || v.Post.Id < max).ToList();
            return await MastodonViews.StatusesAsync(http, options, views, FilterContexts.Account, ct);
        }
        var filter = new ProfileFilter(
            WithReplies: !Yes(q["exclude_replies"]),
            WithReposts: !Yes(q["exclude_reblogs"]),
            OnlyMedia: Yes(q["only_media"]),
            Tag: q["tagged"].ToString() is { Length: > 0 } t ? t.TrimStart('#').ToLowerInvariant() : null);
        views = await timelines.ProfileAsync(account.Id, viewer, filter, page, ct);
        return await MastodonViews.StatusesAsync(http, options, views, FilterContexts.Account, ct);
    }

    private static async Task<IResult> DeleteStatus(string id, HttpContext http, PostEditing posts, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        if (Parse(id) is not { } pid || await timelines.PostAsync(pid, me, ct) is not { Post.IsDeleted: false } view)
        {
            return MastodonResults.NotFound();
        }
        var outcome = await posts.DeleteAsync(me, pid, false, ct);
        if (!outcome.Succeeded)
        {
            return MastodonResults.Refused(outcome);
        }
        // Mastodon answers with the deleted status and its source text, for "delete and redraft".
        var status = (await MastodonViews.ForAsync(http, options, [view], FilterContexts.None, ct)).Status(view) with { Text = view.Post.Content };
        return MastodonResults.Json(status, MastodonJson.Default.MastodonStatus);
    }

    private static async Task<IResult> Context(string id, HttpContext http, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (Parse(id) is not { } pid || await timelines.ThreadAsync(pid, MastodonAuth.Viewer(http), ct) is not { } thread)
        {
            return MastodonResults.NotFound();
        }
        var project = await MastodonViews.ForAsync(http, options, thread.Items.Select(i => i.Post).ToList(), FilterContexts.Thread, ct);
        var byId = thread.Items.Where(i => !i.Post.Post.IsDeleted).ToDictionary(i => i.Post.Post.Id, i => i.Post);
        var ancestors = new List<MastodonStatus>();
        for (var parent = thread.Focus.Post.InReplyToId; parent is { } p && byId.TryGetValue(p, out var view); parent = view.Post.InReplyToId)
        {
            ancestors.Insert(0, project.Status(view));
        }
        bool Below(PostView v)
        {
            for (var parent = v.Post.InReplyToId; parent is { } p; parent = byId.TryGetValue(p, out var up) ? up.Post.InReplyToId : null)
            {
                if (p == pid)
                {
                    return true;
                }
            }
            return false;
        }
        ancestors.RemoveAll(a => thread.Items.Any(i => i.Post.Post.Id.ToString(CultureInfo.InvariantCulture) == a.Id && project.Hidden(i.Post)));
        var descendants = thread.Items.Select(i => i.Post).Where(v => !v.Post.IsDeleted && Below(v) && !project.Hidden(v)).Select(project.Status).ToList();
        return MastodonResults.Json(new MastodonContext(ancestors, descendants), MastodonJson.Default.MastodonContext);
    }

    private static async Task<IResult> Home(HttpContext http, TimelineService timelines, MastodonHomeJson fast, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var me = MastodonAuth.Me(http);
        return await fast.PageAsync(http, me, page, options.Value.BaseUrl(http.Request), ct)
               ?? await MastodonViews.StatusesAsync(http, options, await timelines.HomeAsync(me, page, ct), FilterContexts.Home, ct);
    }

    private static async Task<IResult> Public(HttpContext http, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        // Every post here is local: remote=true (posts from other servers only) is an empty page.
        if (http.Request.Query["remote"].ToString() is "true" or "1")
        {
            return MastodonResults.Json(new List<MastodonStatus>(), MastodonJson.Default.ListMastodonStatus);
        }
        return await MastodonViews.StatusesAsync(http, options, await timelines.LocalAsync(MastodonAuth.Viewer(http), page, ct), FilterContexts.Public, ct);
    }

    private static async Task<IResult> Tag(string hashtag, HttpContext http, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct) =>
        TryPage(http, out var page, out var error)
            ? await MastodonViews.StatusesAsync(http, options, await timelines.HashtagAsync(hashtag.TrimStart('#'), MastodonAuth.Viewer(http), page, ct), FilterContexts.Public, ct)
            : error!;

    private static async Task<IResult> Notifications(HttpContext http, NotificationService notifications, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (!TryPage(http, out var page, out var error))
        {
            return error!;
        }
        var me = MastodonAuth.Me(http);
        var q = http.Request.Query;
        var types = q["types[]"].Concat(q["types"]).Where(t => !string.IsNullOrEmpty(t)).ToHashSet();
        var excluded = q["exclude_types[]"].Concat(q["exclude_types"]).Where(t => !string.IsNullOrEmpty(t)).ToHashSet();
        var items = await notifications.ListAsync(me, page, ct);
        var posts = await timelines.HydrateAsync(items.Where(n => n.Post is not null).Select(n => n.Post!).DistinctBy(p => p.Id).ToList(), me, ct);
        var byId = posts.ToDictionary(p => p.Post.Id);
        var project = await MastodonViews.ForAsync(http, options, posts, FilterContexts.Notifications, ct);
        var result = new List<MastodonNotification>(items.Count);
        foreach (var n in items)
        {
            var type = MastodonProjection.NotificationType(n.Notification.Kind);
            if (type is null || n.Actor is null || (types.Count > 0 && !types.Contains(type)) || excluded.Contains(type))
            {
                continue;
            }
            if (n.Notification.PostId is { } hid && byId.TryGetValue(hid, out var hv) && project.Hidden(hv))
            {
                continue;
            }
            var status = n.Notification.PostId is { } pid && byId.TryGetValue(pid, out var view) ? project.Status(view) : null;
            if (type != "follow" && status is null)
            {
                continue; // the post is gone or can't be seen
            }
            var id = n.Notification.Id.ToString(CultureInfo.InvariantCulture);
            result.Add(new MastodonNotification(id, type, "ungrouped-" + id, n.Notification.CreatedAt, project.Account(n.Actor), status));
        }
        if (items.Count > 0)
        {
            MastodonResults.Link(http, project.BaseUrl, items[^1].Notification.Id.ToString(CultureInfo.InvariantCulture), items[0].Notification.Id.ToString(CultureInfo.InvariantCulture));
        }
        return MastodonResults.Json(result, MastodonJson.Default.ListMastodonNotification);
    }

    private static async Task<IResult> ShowStatus(string id, HttpContext http, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct) =>
        Parse(id) is { } pid && await timelines.PostAsync(pid, MastodonAuth.Viewer(http), ct) is { Post.IsDeleted: false } view
            ? await MastodonViews.StatusAsync(http, options, view, ct)
            : MastodonResults.NotFound();

    internal static async Task<IResult> Mark(string id, HttpContext http, TimelineService timelines, IOptions<DrawbridgeOptions> options, Func<long, Task<Outcome<Post>>> action, CancellationToken ct)
    {
        if (Parse(id) is not { } pid)
        {
            return MastodonResults.NotFound();
        }
        var me = MastodonAuth.Me(http);
        var outcome = await action(me);
        if (!outcome.Succeeded)
        {
            return MastodonResults.Refused(outcome);
        }
        return await timelines.PostAsync(pid, me, ct) is { } view
            ? await MastodonViews.StatusAsync(http, options, view, ct)
            : MastodonResults.NotFound();
    }

    /// <summary>
    /// POST /api/v1/statuses. A repeated Idempotency-Key from the same account within an hour gets the first answer back,
    /// and the post is made once: the key is held while the first request runs (this node's memory).
    /// </summary>
    private static async Task<IResult> CreateStatus(HttpContext http, PostPublishing posts, TimelineService timelines, IMemoryCache cache,
        IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var me = MastodonAuth.Me(http);
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length is 0 or > 200)
        {
            return await PostStatusAsync(http, me, posts, timelines, options, ct);
        }
        var entry = cache.GetOrCreate($"idempotency:{me}:{key}", e =>
        {
            e.AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1);
            e.Size = 1;
            return new IdempotentPost();
        })!;
        await entry.Gate.WaitAsync(ct);
        try
        {
            if (entry.StatusId is { } done && await timelines.PostAsync(done, me, ct) is { } earlier)
            {
                return await MastodonViews.StatusAsync(http, options, earlier, ct);
            }
            var result = await PostStatusAsync(http, me, posts, timelines, options, ct);
            entry.StatusId = (result as IStatusIdResult)?.StatusId;
            return result;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private sealed class IdempotentPost
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long? StatusId;
    }

    private interface IStatusIdResult
    {
        long StatusId { get; }
    }

    private sealed class StatusResult(IResult inner, long id) : IResult, IStatusIdResult
    {
        public long StatusId => id;
        public Task ExecuteAsync(HttpContext httpContext) => inner.ExecuteAsync(httpContext);
    }

    private static async Task<IResult> PostStatusAsync(HttpContext http, long me, PostPublishing posts, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var text = input.String("status") ?? "";
        var visibility = input.String("visibility") switch
        {
            null or "" or "public" => Visibility.Public,
            "unlisted" => Visibility.Unlisted,
            "private" => Visibility.Followers,
            "direct" => (Visibility?)null,
            _ => (Visibility?)null,
        };
        if (visibility is null)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: Visibility must be public, unlisted or private (direct messages are not supported)");
        }
        long? replyTo = null;
        if (input.String("in_reply_to_id") is { Length: > 0 } r)
        {
            replyTo = Parse(r);
            if (replyTo is null)
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: in_reply_to_id must be a status id");
            }
        }
        var media = new List<long>();
        foreach (var m in input.Strings("media_ids"))
        {
            if (Parse(m) is not { } mid)
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: '{m}' is not a media id");
            }
            media.Add(mid);
        }
        if (string.IsNullOrWhiteSpace(text) && media.Count == 0)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: Text can't be blank");
        }
        // Apps upload first and describe after; an image goes public only with its description, as on Drawbridge's pages.
        if (media.Count > 0)
        {
            var db = http.RequestServices.GetRequiredService<DrawbridgeDb>();
            var undescribed = await db.Media.AsNoTracking()
                .Where(m => media.Contains(m.Id) && m.OwnerId == me && m.Kind == MediaKind.Image && m.AltText == "").Select(m => m.Id).FirstOrDefaultAsync(ct);
            if (undescribed != 0)
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity,
                    $"Validation failed: image {undescribed} needs a description for people who can't see it (PUT /api/v1/media/{undescribed} with description)");
            }
        }
        // Apps have no step for confirming the safety check's warnings: a post it would block is refused with the reason.
        var outcome = await posts.CreateAsync(me, new PostInput(text, PostKind.Note, null, null, replyTo, visibility.Value, media, ConfirmWarnings: true), ct);
        if (!outcome.Succeeded)
        {
            return MastodonResults.Refused(outcome);
        }
        var post = outcome.Value!;
        if (await timelines.PostAsync(post.Id, me, ct) is not { } view)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity,
                "Validation failed: the post is held for a moderator to check" + (post.HeldReason is { } why ? ": " + why : ""));
        }
        return new StatusResult(await MastodonViews.StatusAsync(http, options, view, ct), post.Id);
    }
}
