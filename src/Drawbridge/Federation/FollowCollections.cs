using System.Globalization;
using System.Text.Json.Nodes;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// A local actor's <c>followers</c> and <c>following</c> as Mastodon serves them: an <c>OrderedCollection</c> with
/// <c>totalItems</c> and <c>first</c>, and <c>?page=N</c> pages of actor ids, newest follow first, accepted follows only.
/// </summary>
public static class FollowCollections
{
    /// <summary>Pages beyond this are refused: 10,000 accounts is more than any client walks.</summary>
    public const int MaxPage = 500;

    public static async Task<IResult> GetAsync(string handle, bool followers, HttpContext http, ActorUrls urls, DrawbridgeDb db, FollowService follows, CancellationToken ct)
    {
        var key = AccountService.HandleKey(handle);
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
        if (account is null)
        {
            return Results.Problem(title: "Not found", detail: $"There is no account @{handle} here.", statusCode: StatusCodes.Status404NotFound);
        }
        var id = followers ? urls.Followers(account) : urls.Following(account);
        var total = followers ? account.FollowersCount : account.FollowingCount;
        var pageText = http.Request.Query["page"].ToString();
        if (pageText.Length == 0)
        {
            return Json(new JsonObject
            {
                ["@context"] = "https://www.w3.org/ns/activitystreams",
                ["id"] = id,
                ["type"] = "OrderedCollection",
                ["totalItems"] = total,
                ["first"] = $"{id}?page=1",
            });
        }
        if (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var page) || page < 1 || page > MaxPage)
        {
            return Results.Problem(title: "Bad page", detail: $"page must be a whole number from 1 to {MaxPage}.", statusCode: StatusCodes.Status400BadRequest);
        }
        var (accounts, more) = await follows.ListPageAsync(account.Id, followers, page, ct);
        var collectionPage = new JsonObject
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = $"{id}?page={page.ToString(CultureInfo.InvariantCulture)}",
            ["type"] = "OrderedCollectionPage",
            ["totalItems"] = total,
            ["partOf"] = id,
            ["orderedItems"] = new JsonArray(accounts.Select(a => (JsonNode)JsonValue.Create(a.IsLocal ? urls.Actor(a) : a.Uri ?? "")!)
                .Where(n => n.GetValue<string>().Length > 0).ToArray()),
        };
        if (more && page < MaxPage)
        {
            collectionPage["next"] = $"{id}?page={(page + 1).ToString(CultureInfo.InvariantCulture)}";
        }
        if (page > 1)
        {
            collectionPage["prev"] = $"{id}?page={(page - 1).ToString(CultureInfo.InvariantCulture)}";
        }
        return Json(collectionPage);
    }

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), ActorEndpoints.ContentType);
}
