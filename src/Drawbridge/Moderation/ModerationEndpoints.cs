using System.Globalization;
using System.Security.Claims;
using Drawbridge.Accounts;
using Drawbridge.Api;
using Drawbridge.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Moderation;

public sealed record ReportRequest(string? AccountId, string? PostId, string? Rule, string? Comment);

public sealed record ReportDto(string Id, string AccountId, string? PostId, int Rule, string Status, DateTime CreatedAt);

public sealed record RuleDto(int Id, string Key, string Title, string Text);

public sealed record LogEntryDto(string Id, string Action, string Description, int? Rule, string? RuleTitle, DateTime At, bool Reversed);

/// <summary>Drawbridge's own API for reports, the server's rules and the public moderation log.</summary>
public static class ModerationEndpoints
{
    public static void MapModerationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/drawbridge/v1").WithTags("Moderation").DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(BodyLimits.Json));
        api.MapGet("/rules", () => TypedResults.Ok(ServerRules.All.Select(r => new RuleDto(r.Id, r.Key, r.Title, r.Text)).ToList()));
        api.MapGet("/moderation/log", async (long? before, int? limit, ModerationService moderation, CancellationToken ct) =>
            TypedResults.Ok((await moderation.PublicLogAsync(before, limit ?? 40, ct)).Select(ToDto).ToList()));
        api.MapPost("/reports", FileReport).RequireAuthorization(ApiEndpoints.Policy);
    }

    private static async Task<Results<Created<ReportDto>, NotFound<ProblemDetails>, ValidationProblem>> FileReport(
        ReportRequest body, ClaimsPrincipal user, ModerationService moderation, CancellationToken ct)
    {
        if (!long.TryParse(body.AccountId, NumberStyles.None, CultureInfo.InvariantCulture, out var accountId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["accountId"] = ["Give the id of the account you report"] });
        }
        long? postId = null;
        if (!string.IsNullOrEmpty(body.PostId))
        {
            if (!long.TryParse(body.PostId, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["postId"] = ["A post id is a number"] });
            }
            postId = p;
        }
        var outcome = await moderation.FileAsync(user.AccountIdOf(), null, new ReportInput(accountId, postId, body.Rule, body.Comment), ct);
        if (outcome.Failure == OutcomeFailure.NotFound)
        {
            return TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = outcome.FirstError });
        }
        if (!outcome.Succeeded)
        {
            return TypedResults.ValidationProblem(outcome.Errors);
        }
        var r = outcome.Value!;
        return TypedResults.Created($"/api/drawbridge/v1/reports/{r.Id}", new ReportDto(Id(r.Id), Id(r.AccountId), r.PostId is { } pid ? Id(pid) : null, r.RuleId, "open", r.CreatedAt));
    }

    public static LogEntryDto ToDto(PublicLogEntry e) => new(Id(e.Id), e.Kind switch
    {
        ModerationActionKind.HidePost => "hide_post",
        ModerationActionKind.Warn => "warn",
        ModerationActionKind.Limit => "limit",
        ModerationActionKind.Suspend => "suspend",
        ModerationActionKind.Unlimit => "unlimit",
        ModerationActionKind.Unsuspend => "unsuspend",
        ModerationActionKind.ReleaseHeld => "release_held",
        ModerationActionKind.RemoveHeld => "remove_held",
        ModerationActionKind.UpholdOnAppeal => "appeal_turned_down",
        ModerationActionKind.ReverseOnAppeal => "appeal_succeeded",
        _ => e.Kind.ToString().ToLowerInvariant(),
    }, ModerationService.Describe(e.Kind), e.RuleId, e.RuleId is { } r ? ServerRules.TitleOf(r) : null, e.At, e.ReversedAt is not null);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
