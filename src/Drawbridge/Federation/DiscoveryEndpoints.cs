using System.Reflection;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Drawbridge.Federation;

/// <summary>
/// How other servers find Drawbridge and its accounts: WebFinger (RFC 7033) for <c>acct:handle@domain</c> and actor
/// URLs, host-meta (RFC 6415) for the servers that still start there, and NodeInfo 2.0 and 2.1 for what this server is.
/// All public, read-only, no sign-in: the same facts the profile pages show.
/// </summary>
public static class DiscoveryEndpoints
{
    public const string JrdJson = "application/jrd+json";
    private const string NodeInfo20 = "http://nodeinfo.diaspora.software/ns/schema/2.0";
    private const string NodeInfo21 = "http://nodeinfo.diaspora.software/ns/schema/2.1";

    public static void MapDiscovery(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/webfinger", WebFinger);
        app.MapGet("/.well-known/host-meta", (HttpContext ctx, IOptions<DrawbridgeOptions> o) =>
        {
            var baseUrl = o.Value.BaseUrl(ctx.Request);
            XNamespace xrd = "http://docs.oasis-open.org/ns/xri/xrd-1.0";
            var doc = new XDocument(new XElement(xrd + "XRD",
                new XElement(xrd + "Link", new XAttribute("rel", "lrdd"), new XAttribute("template", $"{baseUrl}/.well-known/webfinger?resource={{uri}}"))));
            ctx.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Text("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doc.ToString(SaveOptions.DisableFormatting), "application/xrd+xml; charset=utf-8");
        });
        app.MapGet("/.well-known/nodeinfo", (HttpContext ctx, IOptions<DrawbridgeOptions> o) =>
        {
            var baseUrl = o.Value.BaseUrl(ctx.Request);
            ctx.Response.Headers.AccessControlAllowOrigin = "*";
            return Json(new JsonObject
            {
                ["links"] = new JsonArray(
                    new JsonObject { ["rel"] = NodeInfo20, ["href"] = $"{baseUrl}/nodeinfo/2.0" },
                    new JsonObject { ["rel"] = NodeInfo21, ["href"] = $"{baseUrl}/nodeinfo/2.1" }),
            }, "application/json");
        });
        app.MapGet("/nodeinfo/{version}", NodeInfo);
    }

    private static IResult Json(JsonNode node, string contentType) =>
        Results.Text(node.ToJsonString(), contentType + (contentType.Contains("charset", StringComparison.Ordinal) ? "" : "; charset=utf-8"));

    /// <summary>
    /// Answers for <c>acct:handle@this-domain</c>, and for this server's actor and profile URLs. Another domain's
    /// account, a malformed resource or none at all is a 400 that says so; an unknown local handle a 404.
    /// </summary>
    private static async Task<IResult> WebFinger(HttpContext ctx, string? resource, ActorUrls urls, AccountService accounts, CancellationToken ct)
    {
        ctx.Response.Headers.AccessControlAllowOrigin = "*";
        if (string.IsNullOrWhiteSpace(resource))
        {
            return Results.Problem(title: "No resource", detail: "Give ?resource=acct:handle@domain or an actor's URL.", statusCode: 400);
        }
        if (urls.HandleOf(resource.Trim()) is not { } handle)
        {
            return Results.Problem(title: "Not an account of this server", detail: $"{resource} names no account at {urls.Domain}.", statusCode: 404);
        }
        if (await accounts.FindByHandleAsync(handle, ct) is not { } account)
        {
            return Results.Problem(title: "No such account", detail: $"There is no account @{handle} at {urls.Domain}.", statusCode: 404);
        }
        var actor = urls.Actor(account);
        return Json(new JsonObject
        {
            ["subject"] = $"acct:{account.Handle}@{urls.Domain}",
            ["aliases"] = new JsonArray(actor, urls.Profile(account)),
            ["links"] = new JsonArray(
                new JsonObject { ["rel"] = "self", ["type"] = FederationHttp.ActivityJson, ["href"] = actor },
                new JsonObject { ["rel"] = "http://webfinger.net/rel/profile-page", ["type"] = "text/html", ["href"] = urls.Profile(account) }),
        }, JrdJson);
    }

    private sealed record Usage(int Users, int ActiveMonth, int ActiveHalfYear, int LocalPosts);

    private static async Task<IResult> NodeInfo(string version, HttpContext ctx, DrawbridgeDb db, IMemoryCache cache, TimeProvider clock, IOptions<DrawbridgeOptions> o, CancellationToken ct)
    {
        if (version is not ("2.0" or "2.1"))
        {
            return Results.Problem(title: "Unknown NodeInfo version", detail: "This server publishes NodeInfo 2.0 and 2.1.", statusCode: 404);
        }
        // Counting every account and post is not free; other servers ask often, the answer may be a few minutes old.
        var usage = await cache.GetOrCreateAsync("nodeinfo-usage", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10);
            entry.Size = 1;
            var now = clock.GetUtcNow().UtcDateTime;
            var month = now.AddDays(-30);
            var halfYear = now.AddDays(-180);
            var users = await db.Accounts.CountAsync(a => a.Domain == null && a.DeletionRequestedAt == null, ct);
            var activeMonth = await db.Posts.Where(p => p.Local && p.CreatedAt >= month).Select(p => p.AuthorId).Distinct().CountAsync(ct);
            var activeHalfYear = await db.Posts.Where(p => p.Local && p.CreatedAt >= halfYear).Select(p => p.AuthorId).Distinct().CountAsync(ct);
            var posts = await db.Posts.CountAsync(p => p.Local && p.Status == Posts.PostStatus.Published && p.DeletedAt == null && p.RepostOfId == null, ct);
            return new Usage(users, activeMonth, activeHalfYear, posts);
        });
        var software = new JsonObject { ["name"] = "drawbridge", ["version"] = SoftwareVersion };
        if (version == "2.1")
        {
            software["homepage"] = o.Value.BaseUrl(ctx.Request);
        }
        ctx.Response.Headers.AccessControlAllowOrigin = "*";
        return Json(new JsonObject
        {
            ["version"] = version,
            ["software"] = software,
            ["protocols"] = new JsonArray("activitypub"),
            ["services"] = new JsonObject { ["inbound"] = new JsonArray(), ["outbound"] = new JsonArray("atom1.0", "rss2.0") },
            ["openRegistrations"] = true,
            ["usage"] = new JsonObject
            {
                ["users"] = new JsonObject { ["total"] = usage!.Users, ["activeMonth"] = usage.ActiveMonth, ["activeHalfyear"] = usage.ActiveHalfYear },
                ["localPosts"] = usage.LocalPosts,
            },
            // Clients that decide what to offer by the server's software read this: Drawbridge speaks Mastodon's API.
            ["metadata"] = new JsonObject
            {
                ["nodeName"] = o.Value.InstanceName,
                ["upstream"] = new JsonObject { ["name"] = "mastodon" },
            },
        }, $"application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\"");
    }

    private static readonly string SoftwareVersion =
        (typeof(DiscoveryEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0").Split('+')[0];
}
