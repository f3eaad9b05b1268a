using System.Globalization;
using System.Text.Json.Serialization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Moderation;
using Microsoft.Extensions.Options;

namespace Drawbridge.Mastodon;

public sealed record MastodonReport(string Id, bool ActionTaken, DateTime? ActionTakenAt, string Category, string Comment, bool Forwarded,
    DateTime CreatedAt, IReadOnlyList<string>? StatusIds, IReadOnlyList<string>? RuleIds, MastodonAccount TargetAccount);

/// <summary>Mastodon's POST /api/v1/reports and GET /api/v1/instance/rules over the moderation service.</summary>
public static class MastodonReports
{
    public static void MapMastodonReports(this RouteGroupBuilder v1)
    {
        v1.MapGet("/instance/rules", () => MastodonResults.Json(Rules(), MastodonReportJson.Default.ListInstanceRule)).OptionalScope();
        v1.MapPost("/reports", Report).RequireScope("write:reports");
    }

    public static List<InstanceRule> Rules() =>
        ServerRules.All.Select(r => new InstanceRule(r.Id.ToString(CultureInfo.InvariantCulture), r.Title, r.Text)).ToList();

    /// <summary>
    /// Mastodon's report names several posts; Drawbridge files one report per post (or one about the account), each
    /// needing the rule broken: a report without rule_ids is refused by name rather than filed under a guessed rule.
    /// </summary>
    private static async Task<IResult> Report(HttpContext http, ModerationService moderation, AccountService accounts, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        if (!long.TryParse(input.String("account_id"), NumberStyles.None, CultureInfo.InvariantCulture, out var accountId))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: account_id must be the id of the reported account");
        }
        var ruleIds = input.Strings("rule_ids");
        if (ruleIds.Count == 0)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: rule_ids must name the server rule that was broken (GET /api/v1/instance/rules)");
        }
        var statusIds = new List<long?>();
        foreach (var s in input.Strings("status_ids").Take(20))
        {
            if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var sid))
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: status_ids holds '{s}', which is not a status id");
            }
            statusIds.Add(sid);
        }
        if (statusIds.Count == 0)
        {
            statusIds.Add(null);
        }
        var me = MastodonAuth.Me(http);
        Report? first = null;
        foreach (var postId in statusIds)
        {
            var outcome = await moderation.FileAsync(me, null, new ReportInput(accountId, postId, ruleIds[0], input.String("comment")), ct);
            if (!outcome.Succeeded)
            {
                return outcome.Failure == OutcomeFailure.NotFound
                    ? MastodonResults.NotFound()
                    : MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: " + outcome.FirstError);
            }
            first ??= outcome.Value;
        }
        var target = await accounts.FindAsync(accountId, ct);
        var projection = new MastodonProjection(options.Value.BaseUrl(http.Request));
        return MastodonResults.Json(new MastodonReport(first!.Id.ToString(CultureInfo.InvariantCulture), false, null, "violation", first.Comment, false, first.CreatedAt,
            statusIds.Where(s => s is not null).Select(s => s!.Value.ToString(CultureInfo.InvariantCulture)).ToList(), [first.RuleId.ToString(CultureInfo.InvariantCulture)],
            projection.Account(target!)), MastodonReportJson.Default.MastodonReport);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(MastodonTimeConverter)])]
[JsonSerializable(typeof(MastodonReport))]
[JsonSerializable(typeof(List<InstanceRule>))]
public sealed partial class MastodonReportJson : JsonSerializerContext;
