using System.Globalization;
using System.Text.Json.Nodes;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// An actor's outbox, as Mastodon serves it: the collection with its count and a link to the first page; pages of 20
/// activities, newest first: a Create for each public or unlisted post, an Announce for each repost. Followers-only
/// posts are not listed (they are delivered, never served). Public, like the profile page.
/// </summary>
public static class Outbox
{
    public const int PageSize = 20;

    public static async Task<IResult> GetAsync(string handle, bool? page, long? max_id, long? min_id, ActorUrls urls, DrawbridgeDb db, CancellationToken ct)
    {
        var key = AccountService.HandleKey(handle);
        var author = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
        if (author is null)
        {
            return Results.Problem(title: "Not found", detail: $"There is no account @{handle} here.", statusCode: StatusCodes.Status404NotFound);
        }
        var listed = db.Posts.AsNoTracking().Where(p => p.AuthorId == author.Id && p.Local && p.Status == PostStatus.Published
            && p.DeletedAt == null && p.Visibility != Visibility.Followers);
        var outbox = urls.Outbox(author);
        if (page != true)
        {
            return Json(new JsonObject
            {
                ["@context"] = "https://www.w3.org/ns/activitystreams",
                ["id"] = outbox,
                ["type"] = "OrderedCollection",
                ["totalItems"] = await listed.CountAsync(ct),
                ["first"] = $"{outbox}?page=true",
                ["last"] = $"{outbox}?min_id=0&page=true",
            });
        }
        if (max_id is { } before)
        {
            listed = listed.Where(p => p.Id < before);
        }
        // min_id pages back towards the newest: the 20 just after it, still listed newest first.
        var posts = min_id is { } after
            ? (await listed.Where(p => p.Id > after).OrderBy(p => p.Id).Take(PageSize).ToListAsync(ct)).AsEnumerable().Reverse().ToList()
            : await listed.OrderByDescending(p => p.Id).Take(PageSize).ToListAsync(ct);
        var postIds = posts.Select(p => p.Id).ToList();
        var tags = (await db.PostTags.AsNoTracking().Where(t => postIds.Contains(t.PostId)).ToListAsync(ct))
            .ToLookup(t => t.PostId, t => t.Tag);
        var originalIds = posts.Where(p => p.RepostOfId is not null).Select(p => p.RepostOfId!.Value).ToList();
        var originals = await db.Posts.AsNoTracking().Where(p => originalIds.Contains(p.Id) && p.Status == PostStatus.Published && p.DeletedAt == null && p.Visibility != Visibility.Followers)
            .Join(db.Accounts, p => p.AuthorId, a => a.Id, (p, a) => new { p.Id, p.Local, p.Uri, Author = a }).ToDictionaryAsync(x => x.Id, ct);
        var items = new JsonArray();
        foreach (var post in posts)
        {
            var published = (post.PublishAt ?? post.CreatedAt).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            if (post.RepostOfId is { } originalId)
            {
                if (originals.GetValueOrDefault(originalId) is not { } original || (original.Local ? urls.Post(original.Author, original.Id) : original.Uri) is not { } uri)
                {
                    continue;
                }
                items.Add(new JsonObject
                {
                    ["id"] = urls.Activity(author, post.Id, "announce"),
                    ["type"] = "Announce",
                    ["actor"] = urls.Actor(author),
                    ["published"] = published,
                    ["to"] = new JsonArray(ActorEndpoints.PublicCollection),
                    ["cc"] = new JsonArray(urls.Followers(author), original.Author.IsLocal ? urls.Actor(original.Author) : original.Author.Uri),
                    ["object"] = uri,
                });
                continue;
            }
            var o = ActivityJson.Object(post, author, urls, tags[post.Id].ToList(), await ActivityJson.InReplyToAsync(db, urls, post, ct));
            o.Remove("@context");
            items.Add(new JsonObject
            {
                ["id"] = urls.Activity(author, post.Id, "create"),
                ["type"] = "Create",
                ["actor"] = urls.Actor(author),
                ["published"] = published,
                ["to"] = o["to"]!.DeepClone(),
                ["cc"] = o["cc"]!.DeepClone(),
                ["object"] = o,
            });
        }
        var self = max_id is { } m ? $"{outbox}?max_id={m.ToString(CultureInfo.InvariantCulture)}&page=true"
            : min_id is { } n ? $"{outbox}?min_id={n.ToString(CultureInfo.InvariantCulture)}&page=true"
            : $"{outbox}?page=true";
        var result = new JsonObject
        {
            ["@context"] = ActivityJson.Context(),
            ["id"] = self,
            ["type"] = "OrderedCollectionPage",
            ["partOf"] = outbox,
            ["orderedItems"] = items,
        };
        if (posts.Count == PageSize)
        {
            result["next"] = $"{outbox}?max_id={posts[^1].Id.ToString(CultureInfo.InvariantCulture)}&page=true";
        }
        if (posts.Count > 0)
        {
            result["prev"] = $"{outbox}?min_id={posts[0].Id.ToString(CultureInfo.InvariantCulture)}&page=true";
        }
        return Json(result);
    }

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), ActorEndpoints.ContentType);
}
