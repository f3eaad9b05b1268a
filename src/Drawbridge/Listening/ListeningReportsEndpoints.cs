using System.Globalization;
using System.Security.Claims;
using Drawbridge.Accounts;
using Drawbridge.Api;
using Drawbridge.Data;
using Drawbridge.Feeds;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Drawbridge.Listening;

public sealed record ListeningSettingsDto(string Nation, string Opens, string Closes, IReadOnlyList<string> OpenDays, int ResponseTargetHours, bool WeeklyDigest, bool ScorePublic)
{
    public static ListeningSettingsDto From(OrganisationListeningSettings s, bool scorePublic) => new(
        ListeningSettingsService.NationKey(s.Nation), ListeningSettingsService.Clock(s.OpensAtMinute), ListeningSettingsService.Clock(s.ClosesAtMinute),
        ListeningSettingsService.Days.Where(d => (s.OpenDays & BusinessCalendar.DayBit(d.Day)) != 0).Select(d => d.Key).ToList(), s.ResponseTargetHours, s.WeeklyDigest, scorePublic);
}

public sealed record ListeningSettingsRequest(string? Nation, string? Opens, string? Closes, IReadOnlyList<string>? OpenDays, int? ResponseTargetHours, bool? WeeklyDigest, bool? ScorePublic);

public sealed record ResponseBucketDto(string Label, int Count);

public sealed record ResponseTimesDto(
    DateTime From, DateTime To, int TargetHours, int Received, int Responded, int Closed, int Overdue,
    double? MedianFirstResponseHours, double? MedianToCloseHours, int WithinTarget, int Due, double? WithinTargetShare, IReadOnlyList<ResponseBucketDto> Distribution)
{
    public static ResponseTimesDto Of(ResponseSummary s, int target) => new(s.From, s.To, target, s.Received, s.Responded, s.Closed, s.Overdue,
        Round(s.MedianFirstResponseHours), Round(s.MedianToCloseHours), s.WithinTarget, s.Due, Round(s.WithinTargetShare), s.Distribution.Select(b => new ResponseBucketDto(b.Label, b.Count)).ToList());

    internal static double? Round(double? v) => v is { } x ? Math.Round(x, 3) : null;
}

public sealed record TwoWayScoreDto(
    int Days, DateTime From, DateTime To, int ConversationPosts, int BroadcastPosts, double? ConversationShare,
    double? MedianHoursToAnswer, int AnswersToThePublic, int PeopleEngaged, int InboxWithinTarget, int InboxDue, double? InboxWithinTargetShare)
{
    public static TwoWayScoreDto Of(TwoWayScore s) => new(s.Days, s.From, s.To, s.ConversationPosts, s.BroadcastPosts, ResponseTimesDto.Round(s.ConversationShare),
        ResponseTimesDto.Round(s.MedianHoursToAnswer), s.AnswersToThePublic, s.PeopleEngaged, s.InboxWithinTarget, s.InboxDue, ResponseTimesDto.Round(s.InboxWithinTargetShare));
}

public sealed record TwoWayScoresDto(AccountDto Account, bool Public, IReadOnlyList<TwoWayScoreDto> Windows);

public sealed record ChartSeriesDto(string Name, IReadOnlyList<int> Values);

public sealed record ChartDto(string Title, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeriesDto> Series)
{
    public static ChartDto From(ChartData c) => new(c.Title, c.Categories, c.Series.Select(s => new ChartSeriesDto(s.Name, s.Values)).ToList());
}

public sealed record ThemeTrendDto(string Theme, int Recent, int Before);

public sealed record DashboardDto(DateTime From, DateTime To, string? Service, ChartDto Sentiment, ChartDto Themes, ChartDto ResponseTimes, IReadOnlyList<ThemeTrendDto> Rising, ResponseTimesDto Summary);

/// <summary>A published change as anyone may read it.</summary>
public sealed record PublicChangeDto(string Id, string Title, string YouSaid, string WeDid, string? Service, string Status, int FeedbackCount, DateTime PublishedAt, DateTime? MadeAt)
{
    public static PublicChangeDto From(PublicChange c) => new(InboxItemDto.S(c.Id), c.Title, c.YouSaid, c.WeDid, c.Service, ChangeService.StatusKey(c.Status), c.FeedbackCount, c.PublishedAt, c.MadeAt);
}

/// <summary>A change as the organisation's staff see it: with its review state, internal note, drafter and the feedback behind it.</summary>
public sealed record ChangeDto(
    string Id, string Title, string YouSaid, string WeDid, string? Service, string Status, string Review, string? InternalNote,
    AccountDto? DraftedBy, AccountDto? PublishedBy, IReadOnlyList<string> ItemIds, DateTime CreatedAt, DateTime UpdatedAt, DateTime? MadeAt, DateTime? PublishedAt)
{
    public static ChangeDto From(ChangeView v)
    {
        var c = v.Change;
        return new ChangeDto(InboxItemDto.S(c.Id), c.Title, c.YouSaid, c.WeDid, c.Service, ChangeService.StatusKey(c.Status), ChangeService.ReviewKey(c.Review), c.InternalNote,
            v.DraftedBy is null ? null : AccountDto.From(v.DraftedBy), v.PublishedBy is null ? null : AccountDto.From(v.PublishedBy),
            v.ItemIds.Select(InboxItemDto.S).ToList(), c.CreatedAt, c.UpdatedAt, c.MadeAt, c.PublishedAt);
    }
}

public sealed record ChangeRequest(string? Title, string? YouSaid, string? WeDid, string? Service, string? Status, string? InternalNote, IReadOnlyList<string>? ItemIds);

public sealed record ReviewRequest(string? Decision);

/// <summary>Whether the signed-in account's two-way score is shown in public.</summary>
public sealed record ScoreConsentRequest(bool? Public);

/// <summary>
/// Response times, "you said, we did", the two-way score, the dashboard and the digest, under
/// /api/drawbridge/v1/organisations/{handle}. Who may use each: the published changes (and their feeds) anyone; the
/// score anyone once the organisation's admins publish it, else its staff; settings, response times, the dashboard, the
/// digest and every change record its staff (viewers read; responders draft; admins change settings, review and publish).
/// </summary>
public static class ListeningReportsEndpoints
{
    public static void MapListeningReports(this IEndpointRouteBuilder app)
    {
        var org = app.MapGroup("/api/drawbridge/v1/organisations/{handle}").WithTags("Listening").DisableAntiforgery();
        var staff = org.MapGroup("").RequireAuthorization(ApiEndpoints.Policy);

        staff.MapGet("/settings", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, ListeningSettingsService settings, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk => TypedResults.Ok(ListeningSettingsDto.From(await settings.GetAsync(desk.Organisation.Id, ct), await settings.IsScorePublicAsync(desk.Organisation.Id, ct)))));

        staff.MapPut("/settings", async Task<IResult> (string handle, ListeningSettingsRequest body, ClaimsPrincipal u, OrganisationDesks desks, ListeningSettingsService settings, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                var saved = await settings.SaveAsync(desk, new ListeningSettingsInput(body.Nation, body.Opens, body.Closes, body.OpenDays, body.ResponseTargetHours, body.WeeklyDigest), ct);
                if (!saved.Succeeded)
                {
                    return ApiEndpoints.ToResult(saved, _ => TypedResults.NoContent());
                }
                if (body.ScorePublic is { } scorePublic)
                {
                    await settings.SetOrganisationScorePublicAsync(desk, scorePublic, ct);
                }
                return TypedResults.Ok(ListeningSettingsDto.From(saved.Value!, await settings.IsScorePublicAsync(desk.Organisation.Id, ct)));
            }));

        staff.MapGet("/response-times", async Task<IResult> (string handle, [FromQuery] int? days, [FromQuery] string? service, ClaimsPrincipal u, OrganisationDesks desks, ResponseTimes times, TimeProvider clock, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                if (days is < 1 or > 366)
                {
                    return Invalid("days", "Days must be between 1 and 366");
                }
                var to = clock.GetUtcNow().UtcDateTime;
                var summary = await times.SummaryAsync(desk.Organisation.Id, to.AddDays(-(days ?? 30)), to, ct, string.IsNullOrWhiteSpace(service) ? null : service.Trim());
                var clk = await times.ClockAsync(desk.Organisation.Id, ct);
                return TypedResults.Ok(ResponseTimesDto.Of(summary, clk.Settings.ResponseTargetHours));
            }));

        org.MapGet("/score", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, AccountService accounts, ListeningSettingsService settings, TwoWayScores scores, CancellationToken ct) =>
        {
            if (await accounts.FindByHandleAsync(handle, ct) is not { Kind: AccountKind.Organisation } organisation)
            {
                return TypedResults.Problem($"No organisation @{handle}", statusCode: 404, title: "Not found");
            }
            var isPublic = await settings.IsScorePublicAsync(organisation.Id, ct);
            if (!isPublic)
            {
                var desk = await desks.OpenAsync(u.AccountIdOf(), handle, false, ct);
                if (!desk.Succeeded)
                {
                    return u.AccountIdOf() is null
                        ? TypedResults.Problem("Sign in as a member of the organisation's staff: its two-way score is not public", statusCode: 401, title: "Unauthorized")
                        : ApiEndpoints.ToResult(desk, _ => TypedResults.NoContent());
                }
            }
            return TypedResults.Ok(await ScoresAsync(organisation, isPublic, scores, ct));
        });

        staff.MapGet("/dashboard", async Task<IResult> (string handle, [FromQuery] int? weeks, [FromQuery] string? service, ClaimsPrincipal u, OrganisationDesks desks, DashboardService dashboards, ResponseTimes times, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                if (weeks is < 2 or > DashboardService.MaxWeeks)
                {
                    return Invalid("weeks", $"Weeks must be between 2 and {DashboardService.MaxWeeks}");
                }
                var d = await dashboards.BuildAsync(desk, weeks ?? 12, string.IsNullOrWhiteSpace(service) ? null : service.Trim(), ct);
                var clk = await times.ClockAsync(desk.Organisation.Id, ct);
                return TypedResults.Ok(new DashboardDto(d.From, d.To, d.Service, ChartDto.From(d.Sentiment), ChartDto.From(d.Themes), ChartDto.From(d.ResponseTimes),
                    d.Rising.Select(t => new ThemeTrendDto(t.Theme, t.Recent, t.Before)).ToList(), ResponseTimesDto.Of(d.Summary, clk.Settings.ResponseTargetHours)));
            }));

        staff.MapGet("/digest", async Task<IResult> (string handle, [FromQuery] string? format, [FromQuery] string? week, ClaimsPrincipal u, OrganisationDesks desks, DigestService digests, TimeProvider clock, IOptions<DrawbridgeOptions> options, HttpContext http, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                var (weekStart, error) = ParseWeek(week, clock);
                if (error is not null)
                {
                    return Invalid("week", error);
                }
                var kind = (format ?? "json").Trim().ToLowerInvariant();
                if (kind is not ("json" or "csv" or "pdf" or "html" or "text"))
                {
                    return Invalid("format", "Format must be json, csv, pdf, html or text");
                }
                var report = await digests.BuildAsync(desk.Organisation, weekStart, ct);
                var baseUrl = options.Value.BaseUrl(http.Request);
                return await DigestResultAsync(report, kind, baseUrl, http, ct);
            }));

        org.MapGet("/changes", async Task<IResult> (string handle, AccountService accounts, ChangeService changes, CancellationToken ct) =>
            await accounts.FindByHandleAsync(handle, ct) is { Kind: AccountKind.Organisation } organisation
                ? TypedResults.Ok((await changes.PublishedAsync(organisation.Id, 200, ct)).Select(PublicChangeDto.From).ToList())
                : TypedResults.Problem($"No organisation @{handle}", statusCode: 404, title: "Not found"));

        staff.MapGet("/changes/all", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, ChangeService changes, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk => TypedResults.Ok((await changes.ListAsync(desk, ct)).Select(ChangeDto.From).ToList())));

        staff.MapGet("/changes/{id:long}", async Task<IResult> (string handle, long id, ClaimsPrincipal u, OrganisationDesks desks, ChangeService changes, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk => ApiEndpoints.ToResult(await changes.GetAsync(desk, id, ct), c => TypedResults.Ok(ChangeDto.From(c)))));

        staff.MapPost("/changes", async Task<IResult> (string handle, ChangeRequest body, ClaimsPrincipal u, OrganisationDesks desks, ChangeService changes, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                if (ItemIds(body.ItemIds) is not { } items)
                {
                    return Invalid("itemIds", "ItemIds must be inbox item ids");
                }
                return ApiEndpoints.ToResult(await changes.CreateAsync(desk, ToInput(body, items), ct),
                    c => TypedResults.Created($"/api/drawbridge/v1/organisations/{desk.Organisation.Handle}/changes/{InboxItemDto.S(c.Change.Id)}", ChangeDto.From(c)));
            }));

        staff.MapPut("/changes/{id:long}", async Task<IResult> (string handle, long id, ChangeRequest body, ClaimsPrincipal u, OrganisationDesks desks, ChangeService changes, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                if (ItemIds(body.ItemIds) is not { } items)
                {
                    return Invalid("itemIds", "ItemIds must be inbox item ids");
                }
                return ApiEndpoints.ToResult(await changes.UpdateAsync(desk, id, ToInput(body, items), ct), c => TypedResults.Ok(ChangeDto.From(c)));
            }));

        staff.MapPost("/changes/{id:long}/submit", async Task<IResult> (string handle, long id, ClaimsPrincipal u, OrganisationDesks desks, ChangeService changes, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk => ApiEndpoints.ToResult(await changes.SubmitAsync(desk, id, ct), c => TypedResults.Ok(ChangeDto.From(c)))));

        staff.MapPost("/changes/{id:long}/review", async Task<IResult> (string handle, long id, ReviewRequest body, ClaimsPrincipal u, OrganisationDesks desks, ChangeService changes, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                bool? publish = body.Decision?.Trim().ToLowerInvariant() switch
                {
                    "publish" => true,
                    "return" => false,
                    _ => null,
                };
                return publish is null
                    ? Invalid("decision", "Decision must be publish or return")
                    : ApiEndpoints.ToResult(await changes.ReviewAsync(desk, id, publish.Value, ct), c => TypedResults.Ok(ChangeDto.From(c)));
            }));

        app.MapPut("/api/drawbridge/v1/me/two-way-score", async Task<IResult> (ScoreConsentRequest body, ClaimsPrincipal u, ListeningSettingsService settings, CancellationToken ct) =>
        {
            if (body.Public is not { } isPublic)
            {
                return Invalid("public", "Public must be true or false");
            }
            await settings.SetScorePublicAsync(u.AccountIdOf()!.Value, isPublic, ct);
            return TypedResults.Ok(new ScoreConsentRequest(isPublic));
        }).RequireAuthorization(ApiEndpoints.Policy).DisableAntiforgery().WithTags("Listening");

        app.MapGet("/api/drawbridge/v1/accounts/{handle}/score", async Task<IResult> (string handle, ClaimsPrincipal u, AccountService accounts, ListeningSettingsService settings, TwoWayScores scores, CancellationToken ct) =>
        {
            if (await accounts.FindByHandleAsync(handle, ct) is not { Kind: not AccountKind.Organisation } account)
            {
                return TypedResults.Problem($"No person @{handle} (an organisation's score is under /organisations/{handle}/score)", statusCode: 404, title: "Not found");
            }
            var isPublic = await settings.IsScorePublicAsync(account.Id, ct);
            if (!isPublic && u.AccountIdOf() != account.Id)
            {
                return u.AccountIdOf() is null
                    ? TypedResults.Problem("This two-way score is not public", statusCode: 401, title: "Unauthorized")
                    : TypedResults.Problem("This two-way score is not public: only its owner sees it", statusCode: 403, title: "Forbidden");
            }
            return TypedResults.Ok(await ScoresAsync(account, isPublic, scores, ct));
        }).WithTags("Listening");
    }

    /// <summary>The public changes page's feeds: RSS and Atom, through the feed service's writer and conditional GET.</summary>
    public static void MapChangeFeeds(this IEndpointRouteBuilder app)
    {
        app.MapGet("/organisations/{handle}/you-said-we-did.rss", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => ChangeFeed(handle, ctx, feeds, FeedFormat.Rss, ct));
        app.MapGet("/organisations/{handle}/you-said-we-did.atom", (string handle, HttpContext ctx, FeedService feeds, CancellationToken ct) => ChangeFeed(handle, ctx, feeds, FeedFormat.Atom, ct));
    }

    private static async Task<IResult> ChangeFeed(string handle, HttpContext ctx, FeedService feeds, FeedFormat format, CancellationToken ct)
    {
        var baseUrl = ctx.RequestServices.GetRequiredService<IOptions<DrawbridgeOptions>>().Value.BaseUrl(ctx.Request);
        var feed = await feeds.ChangesFeedAsync(handle, baseUrl, ct);
        return feed is null ? TypedResults.Problem($"No organisation @{handle}", statusCode: 404, title: "Not found") : FeedEndpoints.Xml(ctx, feed, format);
    }

    internal static async Task<IResult> DigestResultAsync(DigestReport report, string kind, string baseUrl, HttpContext http, CancellationToken ct)
    {
        var name = $"{report.Handle}-digest-{report.From:yyyy-MM-dd}";
        switch (kind)
        {
            case "csv":
                http.Response.ContentType = "text/csv; charset=utf-8";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
                await DigestService.WriteCsvAsync(http.Response.Body, report, ct);
                return TypedResults.Empty;
            case "pdf":
                try
                {
                    return TypedResults.File(DigestService.Pdf(report), "application/pdf", name + ".pdf");
                }
                catch (DigestFontMissingException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: 503, title: "PDF unavailable");
                }
            case "html":
                return TypedResults.Text(DigestService.Html(report, baseUrl), "text/html; charset=utf-8");
            case "text":
                return TypedResults.Text(DigestService.Text(report, baseUrl), "text/plain; charset=utf-8");
            default:
                return TypedResults.Ok(new
                {
                    organisation = report.Organisation,
                    from = report.From,
                    to = report.To,
                    targetHours = report.TargetHours,
                    week = ResponseTimesDto.Of(report.Week, report.TargetHours),
                    openOverdue = report.OpenOverdue,
                    critical = report.Critical,
                    themes = report.Themes,
                    sentiment = report.Sentiment,
                    services = report.Services,
                    changes = report.Changes.Select(PublicChangeDto.From).ToList(),
                });
        }
    }

    /// <summary>The week a digest covers: a Monday (yyyy-MM-dd), or by default the last full week.</summary>
    internal static (DateTime Start, string? Error) ParseWeek(string? week, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(week))
        {
            return (DigestService.LastWeekStart(clock.GetUtcNow().UtcDateTime), null);
        }
        if (!DateOnly.TryParseExact(week.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return (default, "Week must be a date like 2026-11-30");
        }
        if (d.DayOfWeek != DayOfWeek.Monday)
        {
            return (default, "Week must be a Monday, the first day of the week");
        }
        return (d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), null);
    }

    private static async Task<TwoWayScoresDto> ScoresAsync(Account account, bool isPublic, TwoWayScores scores, CancellationToken ct)
    {
        var windows = new List<TwoWayScoreDto>();
        foreach (var days in TwoWayScores.Windows)
        {
            windows.Add(TwoWayScoreDto.Of(await scores.ForAccountAsync(account, days, ct)));
        }
        return new TwoWayScoresDto(AccountDto.From(account), isPublic, windows);
    }

    private static List<long>? ItemIds(IReadOnlyList<string>? ids)
    {
        var list = new List<long>();
        foreach (var s in ids ?? [])
        {
            if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return null;
            }
            list.Add(v);
        }
        return list;
    }

    private static ChangeInput ToInput(ChangeRequest b, List<long> items) =>
        new(b.Title, b.YouSaid, b.WeDid, b.Service, b.Status, b.InternalNote, b.ItemIds is null ? null : items);

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static async Task<IResult> Act(OrganisationDesks desks, ClaimsPrincipal u, string handle, bool toRespond, CancellationToken ct, Func<OrganisationDesk, Task<IResult>> action)
    {
        var desk = await desks.OpenAsync(u.AccountIdOf(), handle, toRespond, ct);
        return desk.Succeeded ? await action(desk.Value!) : ApiEndpoints.ToResult(desk, _ => TypedResults.NoContent());
    }
}
