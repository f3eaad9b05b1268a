using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Listening;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// "You said, we did" in the fediverse: a published change record is an <c>Article</c> of its organisation's actor at
/// <c>/users/handle/changes/id</c> (name: the title; summary: planned or made, and the service; content: what people
/// said and what was done; url: its place on the organisation's public page). Withdrawn or never published: 404.
/// </summary>
public static class ChangeObjects
{
    public static void MapChangeObjects(this IEndpointRouteBuilder app) =>
        app.MapGet("/users/{handle}/changes/{id:long}", async (string handle, long id, ActorUrls urls, DrawbridgeDb db, CancellationToken ct) =>
        {
            var key = AccountService.HandleKey(handle);
            var organisation = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
            var change = organisation is null ? null : await db.Set<ChangeRecord>().AsNoTracking()
                .FirstOrDefaultAsync(c => c.Id == id && c.OrganisationId == organisation.Id && c.Review == ChangeReview.Published, ct);
            if (organisation is null || change is null)
            {
                return Results.Problem(title: "Not found", detail: "There is no such published change.", statusCode: (int)HttpStatusCode.NotFound);
            }
            return Results.Text(Article(change, organisation, urls).ToJsonString(), ActorEndpoints.ContentType);
        }).AddEndpointFilter(AuthorizedFetch.Filter);

    public static string Id(ActorUrls urls, Account organisation, long changeId) =>
        $"{urls.Actor(organisation)}/changes/{changeId.ToString(CultureInfo.InvariantCulture)}";

    public static string Page(ActorUrls urls, Account organisation, long changeId) =>
        $"{urls.Base}/organisations/{Uri.EscapeDataString(organisation.Handle)}/you-said-we-did#change-{changeId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The record as an Article, with the context (as served; delivery removes it from the embedded object).</summary>
    public static JsonObject Article(ChangeRecord change, Account organisation, ActorUrls urls)
    {
        var summary = ChangeService.StatusName(change.Status) + (change.Service is { Length: > 0 } s ? " · " + s : "");
        var o = new JsonObject
        {
            ["@context"] = ActivityJson.Context(),
            ["id"] = Id(urls, organisation, change.Id),
            ["type"] = "Article",
            ["attributedTo"] = urls.Actor(organisation),
            ["name"] = change.Title,
            ["summary"] = summary,
            ["content"] = $"<h2>You said</h2>{Paragraphs(change.YouSaid)}<h2>We did</h2>{Paragraphs(change.WeDid)}",
            ["url"] = Page(urls, organisation, change.Id),
            ["published"] = Stamp(change.PublishedAt ?? change.CreatedAt),
            ["to"] = new JsonArray(ActorEndpoints.PublicCollection),
            ["cc"] = new JsonArray(urls.Followers(organisation)),
        };
        if (change.UpdatedAt > (change.PublishedAt ?? change.CreatedAt))
        {
            o["updated"] = Stamp(change.UpdatedAt);
        }
        return o;
    }

    /// <summary>Plain text as HTML paragraphs: every character encoded, blank lines between paragraphs, line breaks kept.</summary>
    private static string Paragraphs(string text) => string.Concat(
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => "<p>" + WebUtility.HtmlEncode(p).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>"));

    private static string Stamp(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
