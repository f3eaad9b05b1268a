using System.Globalization;
using System.Security.Claims;
using Drawbridge.Accounts;
using Drawbridge.Api;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Listening;

public sealed record FeedbackRequest(string? Name, string? Email, string? Service, string? Text, string? Website);

public sealed record FeedbackReceivedDto(string Id, bool Held, string Message);

public sealed record InboxItemDto(
    string Id, string Source, string State, bool Critical, string? Theme, string? Sentiment, string? Service, string Text,
    AccountDto? Author, string? AuthorName, string? ContactEmail, AccountDto AddressedTo, AccountDto? Assignee, string? PostId, string? GuestCommentId,
    string? HeldReason, string? Response, string? ResponsePostId, bool RespondedAsOrganisation, DateTime? RespondedAt, DateTime ReceivedAt, DateTime? ClosedAt,
    IReadOnlyList<string> Themes, DateTime? ClassifiedAt, bool ThemeCorrected, bool? Overdue = null)
{
    public static InboxItemDto From(InboxItemView v, Account organisation, ResponseClock? clock = null) =>
        From(v, organisation) with { Overdue = clock?.IsOverdue(v.Item) };

    public static InboxItemDto From(InboxItemView v, Account organisation)
    {
        var i = v.Item;
        return new InboxItemDto(S(i.Id), InboxService.SourceKey(i.Source), InboxService.StateKey(i.State), i.Critical, i.Theme, i.Sentiment, i.Service, i.Text,
            v.Author is null ? null : AccountDto.From(v.Author), i.AuthorName, i.ContactEmail, AccountDto.From(v.AddressedTo ?? organisation),
            v.Assignee is null ? null : AccountDto.From(v.Assignee), O(i.PostId), O(i.GuestCommentId), i.HeldReason, i.ResponseText, O(i.ResponsePostId),
            i.RespondedAsOrganisation, i.RespondedAt, i.ReceivedAt, i.ClosedAt, InsightsEndpoints.ThemesOf(i), i.ClassifiedAt, i.ThemeCorrected);
    }

    internal static string S(long id) => id.ToString(CultureInfo.InvariantCulture);

    internal static string? O(long? id) => id is { } v ? S(v) : null;
}

public sealed record InboxPageDto(IReadOnlyList<InboxItemDto> Items, int Total, int Page, int Pages);

public sealed record InboxNoteDto(string Id, AccountDto? Author, string Text, DateTime CreatedAt);

public sealed record InboxHistoryDto(AccountDto? Actor, string What, DateTime At);

public sealed record InboxItemDetailDto(InboxItemDto Item, IReadOnlyList<InboxNoteDto> Notes, IReadOnlyList<InboxHistoryDto> History, AccountDto? RespondedBy);

public sealed record NoteRequest(string? Text);

public sealed record AssignRequest(string? AssigneeId);

public sealed record StateRequest(string? State);

public sealed record ResponseRequest(string? Text, bool? AsOrganisation);

public sealed record BulkRequest(IReadOnlyList<string>? Ids, string? Action);

public sealed record BulkResultDto(int Changed);

public sealed record OrganisationPostRequest(string? Text, string? InReplyToId, bool? ConfirmWarnings);

public sealed record PostAuthorDto(string PostId, AccountDto? WrittenBy);

/// <summary>The query string of the inbox, shared by the API, the page and the CSV export.</summary>
public sealed record InboxQuery(
    [property: FromQuery(Name = "state")] string? State,
    [property: FromQuery(Name = "theme")] string? Theme,
    [property: FromQuery(Name = "sentiment")] string? Sentiment,
    [property: FromQuery(Name = "assignee")] string? Assignee,
    [property: FromQuery(Name = "service")] string? Service,
    [property: FromQuery(Name = "source")] string? Source,
    [property: FromQuery(Name = "from")] string? From,
    [property: FromQuery(Name = "to")] string? To,
    [property: FromQuery(Name = "q")] string? Q,
    [property: FromQuery(Name = "page")] int? Page,
    [property: FromQuery(Name = "limit")] int? Limit,
    [property: FromQuery(Name = "overdue")] string? Overdue = null)
{
    /// <summary>The filter, or errors naming each parameter that could not be read.</summary>
    public (InboxFilter Filter, Dictionary<string, string[]> Errors) ToFilter(long me)
    {
        var errors = new Dictionary<string, string[]>();
        InboxState? state = null;
        if (!string.IsNullOrWhiteSpace(State))
        {
            state = InboxService.ParseState(State);
            if (state is null)
            {
                errors["state"] = ["State must be one of " + string.Join(", ", Enum.GetValues<InboxState>().Select(InboxService.StateKey))];
            }
        }
        InboxSource? source = null;
        if (!string.IsNullOrWhiteSpace(Source))
        {
            source = InboxService.ParseSource(Source);
            if (source is null)
            {
                errors["source"] = ["Source must be one of " + string.Join(", ", Enum.GetValues<InboxSource>().Select(InboxService.SourceKey))];
            }
        }
        long? assignee = null;
        var unassigned = false;
        switch (Assignee?.Trim())
        {
            case null or "":
                break;
            case "none":
                unassigned = true;
                break;
            case "me":
                assignee = me;
                break;
            case var a when long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                assignee = id;
                break;
            default:
                errors["assignee"] = ["Assignee must be an account id, me or none"];
                break;
        }
        DateOnly? Date(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }
            if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return d;
            }
            errors[name] = [$"{(name == "from" ? "From" : "To")} must be a date like 2026-03-31"];
            return null;
        }
        var from = Date(From, "from");
        var to = Date(To, "to");
        if (Limit is < 1 or > InboxFilter.MaxPageSize)
        {
            errors["limit"] = [$"Limit must be between 1 and {InboxFilter.MaxPageSize}"];
        }
        var overdue = false;
        switch (Overdue?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "no":
                break;
            case "true" or "yes" or "on":
                overdue = true;
                break;
            default:
                errors["overdue"] = ["Overdue must be true or false"];
                break;
        }
        var filter = new InboxFilter(state, Blank(Theme), Blank(Sentiment), assignee, unassigned, Blank(Service), source, from, to, Blank(Q),
            Math.Max(1, Page ?? 1), Limit ?? 50, overdue);
        return (filter, errors);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>
/// The listening API under /api/drawbridge/v1/organisations/{handle}: the public feedback form (anyone, rate-limited
/// per address), and for the organisation's staff only, the inbox, its items, notes, assignment, state, responses,
/// bulk actions and CSV export (viewers read; responders and admins act), and posting as the organisation.
/// </summary>
public static class ListeningEndpoints
{
    public static void MapListeningApi(this IEndpointRouteBuilder app)
    {
        var org = app.MapGroup("/api/drawbridge/v1/organisations/{handle}").WithTags("Listening").DisableAntiforgery();
        var staff = org.MapGroup("").RequireAuthorization(ApiEndpoints.Policy);

        org.MapPost("/feedback", async Task<IResult> (string handle, FeedbackRequest body, InboxIntake intake, FeedbackLimiter limiter, HttpContext http, CancellationToken ct) =>
        {
            if (!limiter.TryAcquire(http, out var retryAfter))
            {
                http.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(FeedbackLimiter.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
            }
            var outcome = await intake.SubmitFeedbackAsync(handle, new FeedbackInput(body.Name, body.Email, body.Service, body.Text ?? "", body.Website), ct);
            return ApiEndpoints.ToResult(outcome, item => TypedResults.Created((string?)null, new FeedbackReceivedDto(
                InboxItemDto.S(item.Id), item.HeldReason is not null, item.HeldReason ?? "Thank you: your feedback has reached the team.")));
        });

        staff.MapGet("/inbox", async Task<IResult> (string handle, [AsParameters] InboxQuery query, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
        {
            if (await Desk(desks, u, handle, false, ct) is not { } desk)
            {
                return await Refusal(desks, u, handle, false, ct);
            }
            var (filter, errors) = query.ToFilter(desk.StaffId);
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors);
            }
            var page = await inbox.ListAsync(desk, filter, ct);
            return TypedResults.Ok(new InboxPageDto(page.Items.Select(v => InboxItemDto.From(v, desk.Organisation, page.Clock)).ToList(), page.Total, page.Page, page.Pages));
        });

        staff.MapGet("/inbox/export", async Task<IResult> (string handle, [AsParameters] InboxQuery query, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, HttpContext http, CancellationToken ct) =>
        {
            if (await Desk(desks, u, handle, false, ct) is not { } desk)
            {
                return await Refusal(desks, u, handle, false, ct);
            }
            var (filter, errors) = query.ToFilter(desk.StaffId);
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors);
            }
            await InboxCsv.WriteAsync(http.Response, desk, inbox.AllAsync(desk, filter, ct), ct);
            return TypedResults.Empty;
        });

        staff.MapGet("/inbox/{id:long}", async Task<IResult> (string handle, long id, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk => ApiEndpoints.ToResult(await inbox.GetAsync(desk, id, ct), d => TypedResults.Ok(Detail(d, desk)))));

        staff.MapPost("/inbox/{id:long}/notes", async Task<IResult> (string handle, long id, NoteRequest body, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk => ApiEndpoints.ToResult(await inbox.AddNoteAsync(desk, id, body.Text ?? "", ct),
                n => TypedResults.Created((string?)null, new InboxNoteDto(InboxItemDto.S(n.Id), null, n.Text, n.CreatedAt)))));

        staff.MapPost("/inbox/{id:long}/assign", async Task<IResult> (string handle, long id, AssignRequest body, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                long? assignee = null;
                if (!string.IsNullOrWhiteSpace(body.AssigneeId))
                {
                    if (!long.TryParse(body.AssigneeId, NumberStyles.None, CultureInfo.InvariantCulture, out var a))
                    {
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["assigneeId"] = ["AssigneeId must be an account id, or null to unassign"] });
                    }
                    assignee = a;
                }
                return await ItemResult(inbox, desk, id, await inbox.AssignAsync(desk, id, assignee, ct), ct);
            }));

        staff.MapPost("/inbox/{id:long}/state", async Task<IResult> (string handle, long id, StateRequest body, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk => InboxService.ParseState(body.State) is { } state
                ? await ItemResult(inbox, desk, id, await inbox.SetStateAsync(desk, id, state, ct), ct)
                : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = ["State must be one of " + string.Join(", ", Enum.GetValues<InboxState>().Select(InboxService.StateKey))] })));

        staff.MapPost("/inbox/{id:long}/response", async Task<IResult> (string handle, long id, ResponseRequest body, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
                await ItemResult(inbox, desk, id, await inbox.RespondAsync(desk, id, body.Text ?? "", body.AsOrganisation != false, ct), ct)));

        staff.MapPost("/inbox/bulk", async Task<IResult> (string handle, BulkRequest body, ClaimsPrincipal u, OrganisationDesks desks, InboxService inbox, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                var ids = new List<long>();
                foreach (var s in body.Ids ?? [])
                {
                    if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                    {
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [$"'{s}' is not an item id"] });
                    }
                    ids.Add(v);
                }
                if (ParseBulk(body.Action) is not { } action)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["action"] = ["Action must be mark_read, assign_to_me, unassign or close"] });
                }
                return ApiEndpoints.ToResult(await inbox.BulkAsync(desk, ids, action, ct), n => TypedResults.Ok(new BulkResultDto(n)));
            }));

        staff.MapPost("/posts", async Task<IResult> (string handle, OrganisationPostRequest body, ClaimsPrincipal u, OrganisationDesks desks, OrganisationVoice voice, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                long? replyTo = null;
                if (!string.IsNullOrWhiteSpace(body.InReplyToId))
                {
                    if (!long.TryParse(body.InReplyToId, NumberStyles.None, CultureInfo.InvariantCulture, out var r))
                    {
                        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["inReplyToId"] = ["InReplyToId must be a post id"] });
                    }
                    replyTo = r;
                }
                var outcome = await voice.PostAsync(desk, new PostInput(body.Text ?? "", InReplyToId: replyTo, ConfirmWarnings: body.ConfirmWarnings == true), ct);
                return ApiEndpoints.ToResult(outcome, p => TypedResults.Created($"/api/drawbridge/v1/posts/{InboxItemDto.S(p.Id)}",
                    new PostAuthorDto(InboxItemDto.S(p.Id), null)));
            })).RequireRateLimiting("posting");

        staff.MapGet("/posts/{postId:long}/author", async Task<IResult> (string handle, long postId, ClaimsPrincipal u, OrganisationDesks desks, OrganisationVoice voice, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk => ApiEndpoints.ToResult(await voice.WrittenByAsync(desk, postId, ct),
                a => TypedResults.Ok(new PostAuthorDto(InboxItemDto.S(postId), a is null ? null : AccountDto.From(a))))));
    }

    private static InboxBulkAction? ParseBulk(string? action) => action?.Trim().ToLowerInvariant() switch
    {
        "mark_read" => InboxBulkAction.MarkRead,
        "assign_to_me" => InboxBulkAction.AssignToMe,
        "unassign" => InboxBulkAction.Unassign,
        "close" => InboxBulkAction.Close,
        _ => null,
    };

    private static InboxItemDetailDto Detail(InboxItemDetail d, OrganisationDesk desk) => new(
        InboxItemDto.From(d.View, desk.Organisation),
        d.Notes.Select(n => new InboxNoteDto(InboxItemDto.S(n.Note.Id), n.Author is null ? null : AccountDto.From(n.Author), n.Note.Text, n.Note.CreatedAt)).ToList(),
        d.History.Select(h => new InboxHistoryDto(h.Actor is null ? null : AccountDto.From(h.Actor), h.Entry.What, h.Entry.At)).ToList(),
        d.RespondedBy is null ? null : AccountDto.From(d.RespondedBy));

    private static async Task<IResult> ItemResult(InboxService inbox, OrganisationDesk desk, long id, Outcome<InboxItem> outcome, CancellationToken ct)
    {
        if (!outcome.Succeeded)
        {
            return ApiEndpoints.ToResult(outcome, _ => TypedResults.NoContent());
        }
        return ApiEndpoints.ToResult(await inbox.GetAsync(desk, id, ct), d => TypedResults.Ok(Detail(d, desk)));
    }

    private static async Task<OrganisationDesk?> Desk(OrganisationDesks desks, ClaimsPrincipal u, string handle, bool toRespond, CancellationToken ct) =>
        (await desks.OpenAsync(u.AccountIdOf(), handle, toRespond, ct)).Value;

    private static async Task<IResult> Refusal(OrganisationDesks desks, ClaimsPrincipal u, string handle, bool toRespond, CancellationToken ct) =>
        ApiEndpoints.ToResult(await desks.OpenAsync(u.AccountIdOf(), handle, toRespond, ct), _ => TypedResults.NoContent());

    private static async Task<IResult> Act(OrganisationDesks desks, ClaimsPrincipal u, string handle, bool toRespond, CancellationToken ct, Func<OrganisationDesk, Task<IResult>> action)
    {
        var desk = await desks.OpenAsync(u.AccountIdOf(), handle, toRespond, ct);
        return desk.Succeeded ? await action(desk.Value!) : ApiEndpoints.ToResult(desk, _ => TypedResults.NoContent());
    }
}
