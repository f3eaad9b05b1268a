using System.Security.Claims;
using Drawbridge.Accounts;
using Drawbridge.Api;
using Drawbridge.Data;
using Drawbridge.Insights;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Listening;

public sealed record ThemeQualityDto(string Id, string Name, bool Critical, int Examples, bool Learned, int Support, double Precision, double Recall, double F1);

public sealed record InsightsModelDto(
    string Id, string Framework, string Version, string DataFile, string? ReadAs, int Rows, int Corrections, string State, string? Stage,
    int Percent, string? Error, bool Active, int Folds, double? MicroF1, double? MacroF1, double? SentimentAccuracy, IReadOnlyList<ThemeQualityDto> Themes,
    DateTime CreatedAt, DateTime? TrainedAt, DateTime? ActivatedAt)
{
    public static InsightsModelDto From(InsightsModelSummary m) => new(
        InboxItemDto.S(m.Id), m.FrameworkName, m.FrameworkVersion, m.DataFileName, m.DataReadAs, m.Rows, m.Corrections, StateKey(m.State), m.Stage,
        m.State == InsightsModelState.Ready ? 100 : m.Percent, m.Error, m.IsActive, m.Quality?.Folds ?? 0, m.Quality?.MicroF1, m.Quality?.MacroF1Learned,
        m.Quality?.SentimentAccuracy,
        (m.Quality?.Themes ?? []).Select(t => new ThemeQualityDto(t.Id, t.Name, t.Critical, t.Examples, t.Learned, t.Support, t.Precision, t.Recall, t.F1)).ToList(),
        m.CreatedAt, m.TrainedAt, m.ActivatedAt);

    public static string StateKey(InsightsModelState state) => state.ToString().ToLowerInvariant();
}

public sealed record ThemeChoiceDto(string Id, string Name, bool Critical);

public sealed record FrameworkInUseDto(string Name, string Version, bool IsDefault, string? ModelId, IReadOnlyList<ThemeChoiceDto> Themes);

public sealed record ThemeCorrectionRequest(IReadOnlyList<string>? Themes);

public sealed record ThemeCorrectedDto(string Id, string? Theme, IReadOnlyList<string> Themes, string? Sentiment, bool Critical, bool Corrected);

public sealed record EmergingTopicDto(string Name, IReadOnlyList<string> Keywords, int Count, IReadOnlyList<string> Examples, double Novelty, string? NearestTheme);

public sealed record TopicsDto(int Comments, int Unclaimed, DateTime Since, string Framework, IReadOnlyList<EmergingTopicDto> Topics);

/// <summary>
/// The insights API under /api/drawbridge/v1/organisations/{handle}: the framework in use and emerging topics (the
/// organisation's staff), an item's theme correction (responders and admins), and the organisation's models: upload a
/// framework and a labelled file to train one, follow its progress and quality, switch it on (admins only).
/// </summary>
public static class InsightsEndpoints
{
    public static void MapInsightsApi(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/drawbridge/v1/organisations/{handle}").WithTags("Listening").DisableAntiforgery()
            .RequireAuthorization(ApiEndpoints.Policy);

        staff.MapGet("/insights/framework", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                var f = (await insights.FrameworkAsync(desk, ct))!;
                return TypedResults.Ok(new FrameworkInUseDto(f.Name, f.Version, f.IsDefault, f.IsDefault ? null : InboxItemDto.S(f.ModelId),
                    f.Themes.Select(t => new ThemeChoiceDto(t.Id, t.Name, t.Critical)).ToList()));
            }));

        staff.MapGet("/insights/topics", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk => await insights.TopicsAsync(desk, ct) is { } t
                ? TypedResults.Ok(new TopicsDto(t.Comments, t.Uncovered, t.Since, t.FrameworkName, t.Topics.Select(TopicDto).ToList()))
                : TypedResults.Problem("The default model is still being trained: try again in a minute", statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Not ready")));

        staff.MapGet("/insights/models", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
                ApiEndpoints.ToResult(await insights.ModelsAsync(desk, ct), list => TypedResults.Ok(list.Select(InsightsModelDto.From).ToList()))));

        staff.MapGet("/insights/models/{id:long}", async Task<IResult> (string handle, long id, ClaimsPrincipal u, OrganisationDesks desks, InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
                ApiEndpoints.ToResult(await insights.ModelAsync(desk, id, ct), m => TypedResults.Ok(InsightsModelDto.From(m)))));

        staff.MapPost("/insights/models", async Task<IResult> (string handle, IFormFile? framework, IFormFile? data, ClaimsPrincipal u, OrganisationDesks desks,
            InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                var outcome = await insights.UploadAsync(desk, framework?.FileName, await BytesAsync(framework, ct), data?.FileName, await BytesAsync(data, ct), ct);
                return ApiEndpoints.ToResult(outcome, m => TypedResults.Accepted($"/api/drawbridge/v1/organisations/{desk.Organisation.Handle}/insights/models/{InboxItemDto.S(m.Id)}",
                    InsightsModelDto.From(m)));
            }))
            .Accepts<IFormFile>("multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(InsightsTraining.MaxUploadBytes))
            .WithMetadata(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = InsightsTraining.MaxUploadBytes });

        staff.MapPost("/insights/models/retrain", async Task<IResult> (string handle, ClaimsPrincipal u, OrganisationDesks desks, InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
                ApiEndpoints.ToResult(await insights.RetrainAsync(desk, ct), m => TypedResults.Accepted(
                    $"/api/drawbridge/v1/organisations/{desk.Organisation.Handle}/insights/models/{InboxItemDto.S(m.Id)}", InsightsModelDto.From(m)))));

        staff.MapPost("/insights/models/{id:long}/activate", async Task<IResult> (string handle, long id, ClaimsPrincipal u, OrganisationDesks desks, InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, false, ct, async desk =>
            {
                var outcome = await insights.ActivateAsync(desk, id, ct);
                return outcome.Failure == OutcomeFailure.Conflict
                    ? TypedResults.Problem(outcome.FirstError, statusCode: StatusCodes.Status409Conflict, title: "Not ready")
                    : ApiEndpoints.ToResult(outcome, m => TypedResults.Ok(InsightsModelDto.From(m)));
            }));

        staff.MapPost("/inbox/{id:long}/themes", async Task<IResult> (string handle, long id, ThemeCorrectionRequest body, ClaimsPrincipal u, OrganisationDesks desks,
            InsightsTraining insights, CancellationToken ct) =>
            await Act(desks, u, handle, true, ct, async desk =>
            {
                var outcome = await insights.CorrectAsync(desk, id, body.Themes ?? [], ct);
                if (!outcome.Succeeded)
                {
                    return ApiEndpoints.ToResult(outcome, _ => TypedResults.NoContent());
                }
                var item = outcome.Value!;
                return TypedResults.Ok(new ThemeCorrectedDto(InboxItemDto.S(item.Id), item.Theme, ThemesOf(item), item.Sentiment, item.Critical, item.ThemeCorrected));
            }));
    }

    public static IReadOnlyList<string> ThemesOf(InboxItem item) =>
        item.Themes?.Split("; ", StringSplitOptions.RemoveEmptyEntries) ?? (item.Theme is { } t ? [t] : []);

    private static EmergingTopicDto TopicDto(EmergingTopic t) => new(t.Name, t.Keywords, t.Count, t.Examples, Math.Round(t.Novelty, 3), t.NearestTheme);

    private static async Task<byte[]?> BytesAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null)
        {
            return null;
        }
        using var buffer = new MemoryStream((int)Math.Min(file.Length, InsightsTraining.MaxDataBytes + 1));
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static async Task<IResult> Act(OrganisationDesks desks, ClaimsPrincipal u, string handle, bool toRespond, CancellationToken ct, Func<OrganisationDesk, Task<IResult>> action)
    {
        var desk = await desks.OpenAsync(u.AccountIdOf(), handle, toRespond, ct);
        return desk.Succeeded ? await action(desk.Value!) : ApiEndpoints.ToResult(desk, _ => TypedResults.NoContent());
    }
}
