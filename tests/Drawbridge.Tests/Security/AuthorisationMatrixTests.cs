using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Security;

/// <summary>
/// Who may use each endpoint and page, written down once, and checked against the running server: every endpoint the
/// server maps must have a line here (a new one without a line fails), and each line is probed as anonymous, a member,
/// a moderator and an admin. Pages are one line each: Razor Pages authorise the page, so every handler of a page
/// (OnGet, OnPost…) has the page's rule; each POST handler is probed too, with a valid antiforgery token, to show it. Organisation staff roles and authorship are checked in the tests below, with
/// the organisation's admin and its outsiders, a post's author and another professional.
/// </summary>
public sealed partial class AuthorisationMatrixTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    /// <summary>
    /// Anyone: no account needed. Account: a signed-in person (cookie for pages, token for the API). Staff: an
    /// organisation's staff (the service checks the role). Author: the author or owner of the resource, not another
    /// professional. Client: an OAuth app's own credentials.
    /// </summary>
    public enum Audience { Anyone, Account, Staff, Author, Moderator, Admin, Client }

    private const string Own = "/api/drawbridge/v1";

    private static readonly Dictionary<string, Audience> Matrix = new()
    {
        // Federation, the rest of the client API, streaming and the listening reports
        ["ANY /api/v1/{**rest}"] = Audience.Anyone,
        ["ANY /api/v2/{**rest}"] = Audience.Anyone,
        ["DELETE /api/v1/lists/{id}"] = Audience.Account,
        ["DELETE /api/v1/lists/{id}/accounts"] = Audience.Account,
        ["DELETE /api/v2/filters/keywords/{id}"] = Audience.Account,
        ["DELETE /api/v2/filters/{id}"] = Audience.Account,
        ["GET /actor"] = Audience.Anyone,
        // The owner (or an organisation's staff for its score) until it is made public; others get 403.
        ["GET /api/drawbridge/v1/accounts/{handle}/score"] = Audience.Author,
        ["GET /api/drawbridge/v1/organisations/{handle}/changes"] = Audience.Anyone,
        ["GET /api/drawbridge/v1/organisations/{handle}/changes/all"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/changes/{id:long}"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/dashboard"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/digest"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/insights/framework"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/insights/models"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/insights/models/{id:long}"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/insights/topics"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/response-times"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/score"] = Audience.Staff,
        ["GET /api/drawbridge/v1/organisations/{handle}/settings"] = Audience.Staff,
        ["GET /api/v1/accounts/{id}/followers"] = Audience.Anyone,
        ["GET /api/v1/accounts/{id}/following"] = Audience.Anyone,
        ["GET /api/v1/accounts/{id}/lists"] = Audience.Account,
        ["GET /api/v1/announcements"] = Audience.Account,
        ["GET /api/v1/blocks"] = Audience.Account,
        ["GET /api/v1/bookmarks"] = Audience.Account,
        ["GET /api/v1/conversations"] = Audience.Account,
        ["GET /api/v1/endorsements"] = Audience.Account,
        ["GET /api/v1/favourites"] = Audience.Account,
        ["GET /api/v1/featured_tags"] = Audience.Account,
        ["GET /api/v1/follow_requests"] = Audience.Account,
        ["GET /api/v1/followed_tags"] = Audience.Account,
        ["GET /api/v1/lists"] = Audience.Account,
        ["GET /api/v1/lists/{id}"] = Audience.Account,
        ["GET /api/v1/lists/{id}/accounts"] = Audience.Account,
        ["GET /api/v1/markers"] = Audience.Account,
        ["GET /api/v1/media/{id}"] = Audience.Account,
        ["GET /api/v1/mutes"] = Audience.Account,
        ["GET /api/v1/polls/{id}"] = Audience.Anyone,
        ["GET /api/v1/push/subscription"] = Audience.Account,
        ["GET /api/v1/scheduled_statuses"] = Audience.Account,
        ["GET /api/v1/statuses/{id}/favourited_by"] = Audience.Anyone,
        ["GET /api/v1/statuses/{id}/history"] = Audience.Anyone,
        ["GET /api/v1/statuses/{id}/reblogged_by"] = Audience.Anyone,
        ["GET /api/v1/statuses/{id}/source"] = Audience.Author,
        // Probed as a WebSocket upgrade to the user stream (public streams need no account; MastodonStreamingTests).
        ["GET /api/v1/streaming/"] = Audience.Account,
        ["GET /api/v1/streaming/health"] = Audience.Anyone,
        // Server-sent events, probed on the user stream (public streams need no account; MastodonStreamingTests).
        ["GET /api/v1/streaming/{**stream}"] = Audience.Account,
        ["GET /api/v1/suggestions"] = Audience.Account,
        ["GET /api/v1/tags/{id}"] = Audience.Anyone,
        ["GET /api/v1/timelines/list/{id}"] = Audience.Account,
        ["GET /api/v1/trends/links"] = Audience.Anyone,
        ["GET /api/v2/filters"] = Audience.Account,
        ["GET /api/v2/filters/keywords/{id}"] = Audience.Account,
        ["GET /api/v2/filters/{id}"] = Audience.Account,
        ["GET /api/v2/filters/{id}/keywords"] = Audience.Account,
        ["GET /api/v2/search"] = Audience.Anyone,
        ["GET /api/v2/suggestions"] = Audience.Account,
        // The web pages' live updates, probed on the home stream with the sign-in cookie (public streams: LiveTimelineTests).
        ["GET /live"] = Audience.Account,
        // A published change record as ActivityPub JSON (404 for the probe: it has none).
        ["GET /users/{handle}/changes/{id:long}"] = Audience.Anyone,
        ["GET /organisations/{handle}/you-said-we-did.atom"] = Audience.Anyone,
        ["GET /organisations/{handle}/you-said-we-did.rss"] = Audience.Anyone,
        ["PAGE /admin/domains"] = Audience.Admin,
        ["PAGE /fragments/post/{id:long}"] = Audience.Anyone,
        ["PAGE /organisations/{handle}/changes"] = Audience.Staff,
        ["PAGE /organisations/{handle}/changes/{id:long}"] = Audience.Staff,
        ["PAGE /organisations/{handle}/dashboard"] = Audience.Staff,
        ["PAGE /organisations/{handle}/settings"] = Audience.Staff,
        ["PAGE /organisations/{handle}/settings/insights"] = Audience.Staff,
        ["PAGE /organisations/{handle}/topics"] = Audience.Staff,
        ["PAGE /organisations/{handle}/you-said-we-did"] = Audience.Anyone,
        ["PAGE /settings/score"] = Audience.Account,
        ["PAGE /{handle:regex(^@.+@.+$)}"] = Audience.Anyone,
        ["PAGE /{handle:regex(^@.+@.+$)}/{id:long}"] = Audience.Anyone,
        ["PAGE /{handle:regex(^@.+@.+$)}/{id:long}/history"] = Audience.Anyone,
        ["PATCH /api/v1/accounts/update_credentials"] = Audience.Account,
        ["POST /api/drawbridge/v1/organisations/{handle}/changes"] = Audience.Staff,
        ["POST /api/drawbridge/v1/organisations/{handle}/changes/{id:long}/review"] = Audience.Staff,
        ["POST /api/drawbridge/v1/organisations/{handle}/changes/{id:long}/submit"] = Audience.Staff,
        ["POST /api/drawbridge/v1/organisations/{handle}/inbox/{id:long}/themes"] = Audience.Staff,
        // Probed with a well-formed multipart upload; InsightsTests prove only admins upload, not responders.
        ["POST /api/drawbridge/v1/organisations/{handle}/insights/models"] = Audience.Staff,
        ["POST /api/drawbridge/v1/organisations/{handle}/insights/models/retrain"] = Audience.Staff,
        ["POST /api/drawbridge/v1/organisations/{handle}/insights/models/{id:long}/activate"] = Audience.Staff,
        ["POST /api/v1/accounts/{id}/block"] = Audience.Account,
        ["POST /api/v1/accounts/{id}/mute"] = Audience.Account,
        ["POST /api/v1/accounts/{id}/note"] = Audience.Account,
        ["POST /api/v1/accounts/{id}/unblock"] = Audience.Account,
        ["POST /api/v1/accounts/{id}/unmute"] = Audience.Account,
        ["POST /api/v1/follow_requests/{id}/authorize"] = Audience.Account,
        ["POST /api/v1/follow_requests/{id}/reject"] = Audience.Account,
        ["POST /api/v1/lists"] = Audience.Account,
        ["POST /api/v1/lists/{id}/accounts"] = Audience.Account,
        ["POST /api/v1/markers"] = Audience.Account,
        ["POST /api/v1/media"] = Audience.Account,
        ["POST /api/v1/polls/{id}/votes"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/bookmark"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/pin"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/unbookmark"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/unpin"] = Audience.Account,
        ["POST /api/v1/tags/{id}/follow"] = Audience.Account,
        ["POST /api/v1/tags/{id}/unfollow"] = Audience.Account,
        ["POST /api/v2/filters"] = Audience.Account,
        ["POST /api/v2/filters/{id}/keywords"] = Audience.Account,
        ["POST /api/v2/media"] = Audience.Account,
        ["POST /inbox"] = Audience.Anyone,
        ["POST /users/{handle}/inbox"] = Audience.Anyone,
        ["PUT /api/drawbridge/v1/me/two-way-score"] = Audience.Account,
        ["PUT /api/drawbridge/v1/organisations/{handle}/changes/{id:long}"] = Audience.Staff,
        ["PUT /api/drawbridge/v1/organisations/{handle}/settings"] = Audience.Staff,
        ["PUT /api/v1/lists/{id}"] = Audience.Account,
        ["PUT /api/v1/media/{id}"] = Audience.Account,
        ["PUT /api/v1/statuses/{id}"] = Audience.Account,
        ["PUT /api/v2/filters/{id}"] = Audience.Account,
        // Pages
        ["PAGE /"] = Audience.Anyone,
        ["PAGE /@{handle}"] = Audience.Anyone,
        ["PAGE /@{handle}/{id:long}"] = Audience.Anyone,
        ["PAGE /@{handle}/{id:long}/comment"] = Audience.Anyone,
        ["PAGE /@{handle}/{id:long}/edit"] = Audience.Account,
        ["PAGE /@{handle}/{id:long}/history"] = Audience.Anyone,
        ["PAGE /@{handle}/{list:regex(^(followers|following)$)}"] = Audience.Anyone,
        ["PAGE /about"] = Audience.Anyone,
        ["PAGE /about/moderation"] = Audience.Anyone,
        ["PAGE /admin/jobs"] = Audience.Moderator,
        ["PAGE /admin/roles"] = Audience.Admin,
        ["PAGE /appeals"] = Audience.Account,
        ["PAGE /auth/confirm-email"] = Audience.Anyone,
        ["PAGE /auth/forgot-password"] = Audience.Anyone,
        ["PAGE /auth/reset-password"] = Audience.Anyone,
        ["PAGE /auth/sign-in"] = Audience.Anyone,
        ["PAGE /auth/sign-out"] = Audience.Anyone,
        ["PAGE /auth/sign-up"] = Audience.Anyone,
        // Only for someone half-way through signing in (password given): anyone else is sent to sign in.
        ["PAGE /auth/two-factor"] = Audience.Account,
        ["PAGE /comments"] = Audience.Account,
        ["PAGE /compose"] = Audience.Account,
        ["PAGE /drafts"] = Audience.Account,
        ["PAGE /error/{code:int?}"] = Audience.Anyone,
        ["PAGE /moderation"] = Audience.Moderator,
        ["PAGE /moderation/appeals"] = Audience.Moderator,
        ["PAGE /moderation/audit"] = Audience.Moderator,
        ["PAGE /moderation/reports"] = Audience.Moderator,
        ["PAGE /moderation/reports/{id:long}"] = Audience.Moderator,
        ["PAGE /notifications"] = Audience.Account,
        ["PAGE /oauth/authorize"] = Audience.Account,
        ["PAGE /oauth/authorize/native"] = Audience.Anyone,
        ["PAGE /organisations"] = Audience.Account,
        ["PAGE /organisations/{handle}/feedback"] = Audience.Anyone,
        ["PAGE /organisations/{handle}/inbox"] = Audience.Staff,
        ["PAGE /organisations/{handle}/inbox/{id:long}"] = Audience.Staff,
        ["PAGE /organisations/{handle}/staff"] = Audience.Anyone,
        ["PAGE /posts/{id:long}/{verb:regex(^(like|unlike|repost|unrepost|delete)$)}"] = Audience.Account,
        ["PAGE /privacy"] = Audience.Anyone,
        ["PAGE /public/local"] = Audience.Anyone,
        ["PAGE /report"] = Audience.Account,
        ["PAGE /search"] = Audience.Anyone,
        ["PAGE /settings/account"] = Audience.Account,
        ["PAGE /settings/apps"] = Audience.Account,
        ["PAGE /settings/passkeys"] = Audience.Account,
        ["PAGE /settings/passkeys/{id}"] = Audience.Account,
        ["PAGE /settings/profile"] = Audience.Account,
        ["PAGE /settings/security"] = Audience.Account,
        ["PAGE /settings/tokens"] = Audience.Account,
        ["PAGE /tags/{tag}"] = Audience.Anyone,

        // Drawbridge's own API
        [$"POST {Own}/accounts"] = Audience.Anyone,
        [$"POST {Own}/auth/tokens"] = Audience.Anyone,
        [$"GET {Own}/accounts/{{handle}}"] = Audience.Anyone,
        [$"GET {Own}/accounts/{{handle}}/posts"] = Audience.Anyone,
        [$"GET {Own}/accounts/{{handle}}/followers"] = Audience.Anyone,
        [$"GET {Own}/accounts/{{handle}}/following"] = Audience.Anyone,
        [$"GET {Own}/me"] = Audience.Account,
        [$"PATCH {Own}/me"] = Audience.Account,
        [$"DELETE {Own}/me"] = Audience.Account,
        [$"POST {Own}/accounts/{{id}}/follow"] = Audience.Account,
        [$"POST {Own}/accounts/{{id}}/unfollow"] = Audience.Account,
        [$"POST {Own}/accounts/{{id}}/block"] = Audience.Account,
        [$"POST {Own}/accounts/{{id}}/unblock"] = Audience.Account,
        [$"POST {Own}/accounts/{{id}}/mute"] = Audience.Account,
        [$"POST {Own}/accounts/{{id}}/unmute"] = Audience.Account,
        [$"GET {Own}/accounts/{{id}}/relationship"] = Audience.Account,
        [$"POST {Own}/posts"] = Audience.Account,
        [$"GET {Own}/posts/{{id}}"] = Audience.Anyone,
        [$"GET {Own}/posts/{{id}}/thread"] = Audience.Anyone,
        [$"GET {Own}/posts/{{id}}/history"] = Audience.Anyone,
        [$"PUT {Own}/posts/{{id}}"] = Audience.Account,
        [$"DELETE {Own}/posts/{{id}}"] = Audience.Account,
        [$"POST {Own}/posts/{{id}}/publish"] = Audience.Account,
        [$"POST {Own}/posts/{{id}}/like"] = Audience.Account,
        [$"POST {Own}/posts/{{id}}/unlike"] = Audience.Account,
        [$"POST {Own}/posts/{{id}}/repost"] = Audience.Account,
        [$"POST {Own}/posts/{{id}}/unrepost"] = Audience.Account,
        [$"GET {Own}/drafts"] = Audience.Account,
        [$"POST {Own}/posts/{{id}}/guest-comments"] = Audience.Anyone,
        [$"GET {Own}/guest-comments"] = Audience.Account,
        [$"POST {Own}/guest-comments/{{id}}/approve"] = Audience.Account,
        [$"POST {Own}/guest-comments/{{id}}/reject"] = Audience.Account,
        [$"POST {Own}/media"] = Audience.Account,
        [$"PUT {Own}/media/{{id}}"] = Audience.Account,
        [$"GET {Own}/timelines/home"] = Audience.Account,
        [$"GET {Own}/timelines/local"] = Audience.Anyone,
        [$"GET {Own}/timelines/tags/{{tag}}"] = Audience.Anyone,
        [$"GET {Own}/notifications"] = Audience.Account,
        [$"GET {Own}/notifications/unread_count"] = Audience.Account,
        [$"POST {Own}/notifications/read"] = Audience.Account,
        [$"POST {Own}/organisations"] = Audience.Account,
        [$"GET {Own}/organisations/{{handle}}/members"] = Audience.Anyone,
        [$"POST {Own}/organisations/{{handle}}/members"] = Audience.Staff,
        [$"DELETE {Own}/organisations/{{handle}}/members/{{memberId:long}}"] = Audience.Staff,
        [$"GET {Own}/search"] = Audience.Anyone,
        [$"POST {Own}/safety/check"] = Audience.Anyone,
        [$"GET {Own}/rules"] = Audience.Anyone,
        [$"GET {Own}/moderation/log"] = Audience.Anyone,
        [$"POST {Own}/reports"] = Audience.Account,
        [$"POST {Own}/organisations/{{handle}}/feedback"] = Audience.Anyone,
        [$"GET {Own}/organisations/{{handle}}/inbox"] = Audience.Staff,
        [$"GET {Own}/organisations/{{handle}}/inbox/export"] = Audience.Staff,
        [$"GET {Own}/organisations/{{handle}}/inbox/{{id:long}}"] = Audience.Staff,
        [$"POST {Own}/organisations/{{handle}}/inbox/{{id:long}}/notes"] = Audience.Staff,
        [$"POST {Own}/organisations/{{handle}}/inbox/{{id:long}}/assign"] = Audience.Staff,
        [$"POST {Own}/organisations/{{handle}}/inbox/{{id:long}}/state"] = Audience.Staff,
        [$"POST {Own}/organisations/{{handle}}/inbox/{{id:long}}/response"] = Audience.Staff,
        [$"POST {Own}/organisations/{{handle}}/inbox/bulk"] = Audience.Staff,
        [$"POST {Own}/organisations/{{handle}}/posts"] = Audience.Staff,
        [$"GET {Own}/organisations/{{handle}}/posts/{{postId:long}}/author"] = Audience.Staff,

        // Mastodon's client API and OAuth
        ["GET /api/v2/instance"] = Audience.Anyone,
        ["GET /api/v1/instance"] = Audience.Anyone,
        ["GET /api/v1/instance/rules"] = Audience.Anyone,
        ["GET /api/v1/custom_emojis"] = Audience.Anyone,
        ["GET /api/v1/trends"] = Audience.Anyone,
        ["GET /api/v1/trends/tags"] = Audience.Anyone,
        ["GET /api/v1/trends/statuses"] = Audience.Anyone,
        ["GET /api/v1/accounts/verify_credentials"] = Audience.Account,
        ["GET /api/v1/preferences"] = Audience.Account,
        ["GET /api/v1/accounts/lookup"] = Audience.Anyone,
        ["GET /api/v1/accounts/relationships"] = Audience.Account,
        ["GET /api/v1/accounts/{id}"] = Audience.Anyone,
        ["GET /api/v1/accounts/{id}/statuses"] = Audience.Anyone,
        ["POST /api/v1/accounts/{id}/follow"] = Audience.Account,
        ["POST /api/v1/accounts/{id}/unfollow"] = Audience.Account,
        ["GET /api/v1/timelines/home"] = Audience.Account,
        ["GET /api/v1/timelines/public"] = Audience.Anyone,
        ["GET /api/v1/timelines/tag/{hashtag}"] = Audience.Anyone,
        ["GET /api/v1/notifications"] = Audience.Account,
        ["POST /api/v1/statuses"] = Audience.Account,
        ["GET /api/v1/statuses/{id}"] = Audience.Anyone,
        ["DELETE /api/v1/statuses/{id}"] = Audience.Account,
        ["GET /api/v1/statuses/{id}/context"] = Audience.Anyone,
        ["POST /api/v1/statuses/{id}/favourite"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/unfavourite"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/reblog"] = Audience.Account,
        ["POST /api/v1/statuses/{id}/unreblog"] = Audience.Account,
        ["POST /api/v1/reports"] = Audience.Account,
        ["POST /api/v1/apps"] = Audience.Anyone,
        ["GET /api/v1/apps/verify_credentials"] = Audience.Client,
        ["POST /oauth/token"] = Audience.Anyone,
        ["POST /oauth/revoke"] = Audience.Anyone,
        ["GET /.well-known/oauth-authorization-server"] = Audience.Anyone,

        // Feeds, federation, media, operations
        ["GET /@{handle}.rss"] = Audience.Anyone,
        ["GET /@{handle}.atom"] = Audience.Anyone,
        ["GET /@{handle}/articles.rss"] = Audience.Anyone,
        ["GET /@{handle}/articles.atom"] = Audience.Anyone,
        ["GET /@{handle}/podcast.rss"] = Audience.Anyone,
        ["GET /tags/{tag}.rss"] = Audience.Anyone,
        ["GET /tags/{tag}.atom"] = Audience.Anyone,
        ["GET /users/{handle}"] = Audience.Anyone,
        ["GET /users/{handle}/statuses/{id:long}"] = Audience.Anyone,
        ["GET /users/{handle}/outbox"] = Audience.Anyone,
        ["GET /users/{handle}/followers"] = Audience.Anyone,
        ["GET /users/{handle}/following"] = Audience.Anyone,
        ["GET /users/{handle}/collections/featured"] = Audience.Anyone,
        ["GET /.well-known/webfinger"] = Audience.Anyone,
        ["GET /.well-known/host-meta"] = Audience.Anyone,
        ["GET /.well-known/nodeinfo"] = Audience.Anyone,
        ["GET /nodeinfo/{version}"] = Audience.Anyone,
        ["GET /media/{id:long}"] = Audience.Anyone,
        ["GET /openapi/{documentName}.json"] = Audience.Anyone,
        ["ANY /health"] = Audience.Anyone,
        ["ANY /metrics"] = Audience.Anyone,
    };

    /// <summary>Every route the running server answers, as "METHOD /pattern" ("PAGE /pattern" for a Razor page, "ANY" for every method).</summary>
    private IEnumerable<string> MappedEndpoints()
    {
        foreach (var endpoint in server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null || endpoint.Metadata.Any(m => m.GetType().Name.Contains("PageActionDescriptor", StringComparison.Ordinal)))
            {
                yield return "PAGE " + pattern;
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            if (methods is null || methods.Count == 0)
            {
                yield return "ANY " + pattern;
                continue;
            }
            foreach (var method in methods.Where(m => m != "OPTIONS"))
            {
                yield return $"{method} {pattern}";
            }
        }
    }

    [Fact]
    public void Every_endpoint_and_page_says_who_may_use_it()
    {
        var mapped = MappedEndpoints().Distinct().ToHashSet();
        var missing = mapped.Where(e => !Matrix.ContainsKey(e)).Order().ToList();
        var stale = Matrix.Keys.Where(e => !mapped.Contains(e)).Order().ToList();
        Assert.True(missing.Count == 0, "Endpoints with no line in the authorisation matrix:\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "Lines in the matrix for endpoints the server doesn't map:\n" + string.Join("\n", stale));
    }

    private sealed record World(TestUser Author, TestUser Member, TestUser Moderator, TestUser Admin, TestUser Outsider, string PostId, string OrgHandle, string ClientId);

    private async Task<World> WorldAsync()
    {
        static string U(string p) => $"{p}{Guid.NewGuid():N}"[..14];
        var author = await server.SignUpAsync(U("mx_auth_"), "professional");
        var member = await server.SignUpAsync(U("mx_memb_"));
        var moderator = await server.SignUpAsync(U("mx_mod_"), "professional");
        var admin = await server.SignUpAsync(U("mx_adm_"), "professional");
        var outsider = await server.SignUpAsync(U("mx_out_"), "professional");
        await ServerRoles.GrantAsync(server, moderator.Email, "moderator");
        await ServerRoles.GrantAsync(server, admin.Email, "admin");
        using var a = server.Http(author.Token);
        var post = await a.PostJsonAsync(Own + "/posts", new { text = "A post everyone may read" });
        var org = U("mx_org_");
        await a.PostJsonAsync(Own + "/organisations", new { handle = org, displayName = "Matrix Trust", bio = "" });
        using var apps = server.Http();
        var app = await apps.PostAsync("/api/v1/apps", new FormUrlEncodedContent(new Dictionary<string, string> { ["client_name"] = "Matrix", ["redirect_uris"] = "urn:ietf:wg:oauth:2.0:oob", ["scopes"] = "read" }));
        var clientId = (await app.ReadJsonAsync()).Str("client_id");
        return new World(author, member, moderator, admin, outsider, post.Str("id"), org, clientId);
    }

    [GeneratedRegex(@"\{(?<name>[a-zA-Z]+)(:[^{}]*(\{[^{}]*\}[^{}]*)*)?\??\}")]
    private static partial Regex Parameter();

    private static string Url(string pattern, World w) => Parameter().Replace(pattern, m => m.Groups["name"].Value switch
    {
        "handle" => pattern.Contains("/organisations/", StringComparison.Ordinal) ? w.OrgHandle : w.Author.Handle,
        "id" or "postId" => w.PostId,
        "memberId" => w.Author.Id,
        "code" => "404",
        "verb" => "like",
        "list" => "followers",
        "documentName" => "v1",
        "version" => "2.0",
        _ => "nurses",
    });

    private static HttpRequestMessage Request(string key, World w)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var method = key[..space] is "PAGE" or "ANY" ? "GET" : key[..space];
        var url = Url(key[(space + 1)..], w);
        if (key == "PAGE /oauth/authorize")
        {
            // A well-formed request from a registered app: what it needs from the person is then a sign-in.
            url += $"?response_type=code&client_id={w.ClientId}&redirect_uri={Uri.EscapeDataString("urn:ietf:wg:oauth:2.0:oob")}&scope=read";
        }
        // Streams are probed on the one that needs an account.
        if (key == "GET /live")
        {
            url += "?stream=home";
        }
        else if (key == "GET /api/v1/streaming/{**stream}")
        {
            url = "/api/v1/streaming/user";
        }
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (key == "POST /api/drawbridge/v1/organisations/{handle}/insights/models")
        {
            request.Content = Listening.InsightsTests<Listening.InsightsServer>.Upload(Listening.WardFeedbackFixture.FrameworkJson, Encoding.UTF8.GetBytes(Listening.WardFeedbackFixture.Csv()));
        }
        else if (method is not ("GET" or "HEAD" or "DELETE"))
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        return request;
    }

    private static bool Refused(HttpResponseMessage r) =>
        r.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.ToString().Contains("/auth/sign-in", StringComparison.Ordinal) == true);

    private async Task<HttpResponseMessage> SendAsync(string key, World w, TestUser? who, WebSession? web)
    {
        if (key == "GET /api/v1/streaming/")
        {
            return await UpgradeAsync("/api/v1/streaming?stream=user", who?.Token);
        }
        using var request = Request(key, w);
        if ((key.StartsWith("PAGE ", StringComparison.Ordinal) || key == "GET /live") && web is not null)
        {
            // Pages and their live updates take the sign-in cookie only.
            using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = web.Cookies }) { BaseAddress = server.BaseAddress };
            return await browser.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        using var http = server.Http(who?.Token);
        // Headers only: a stream that is granted never ends; disposing the response closes it.
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>A WebSocket upgrade, answered as the status the server gave (101 when it was accepted).</summary>
    private async Task<HttpResponseMessage> UpgradeAsync(string path, string? token)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
        var uri = new Uri(server.BaseAddress, path);
        try
        {
            await socket.ConnectAsync(new UriBuilder(uri) { Scheme = uri.Scheme == "https" ? "wss" : "ws" }.Uri, CancellationToken.None);
            await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            // The refusal's status is in HttpStatusCode.
        }
        return new HttpResponseMessage(socket.HttpStatusCode);
    }

    [Fact]
    public async Task Anonymous_visitors_are_refused_everything_that_needs_an_account_and_reach_everything_public()
    {
        var w = await WorldAsync();
        var wrong = new List<string>();
        foreach (var (key, audience) in Matrix)
        {
            using var response = await SendAsync(key, w, null, null);
            if ((int)response.StatusCode >= 500)
            {
                wrong.Add($"{key}: {(int)response.StatusCode}");
            }
            // A public read must be answered; a public write may still turn down what it was sent (an empty body, no
            // credentials) but never ask for a sign-in.
            else if (audience == Audience.Anyone
                         ? key.StartsWith("GET ", StringComparison.Ordinal) || key.StartsWith("PAGE ", StringComparison.Ordinal) || key.StartsWith("ANY ", StringComparison.Ordinal)
                             ? Refused(response)
                             : response.StatusCode == HttpStatusCode.Redirect
                         : !Refused(response))
            {
                wrong.Add($"{key} ({audience}): anonymous got {(int)response.StatusCode} {response.Headers.Location}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Members_moderators_and_admins_reach_exactly_their_pages()
    {
        var w = await WorldAsync();
        var wrong = new List<string>();
        foreach (var (who, may) in new[] { (w.Member, Array.Empty<Audience>()), (w.Moderator, new[] { Audience.Moderator }), (w.Admin, new[] { Audience.Admin }) })
        {
            using var web = new WebSession(server);
            await web.SignInAsync(who.Email);
            foreach (var (key, audience) in Matrix.Where(e => e.Value is Audience.Moderator or Audience.Admin || (e.Value == Audience.Account && e.Key.StartsWith("GET ", StringComparison.Ordinal))))
            {
                using var response = await SendAsync(key, w, who, web);
                var allowed = audience == Audience.Account || may.Contains(audience);
                if (allowed ? Refused(response) || (int)response.StatusCode >= 500 : !Refused(response))
                {
                    wrong.Add($"{key} ({audience}): {who.Handle} got {(int)response.StatusCode}");
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Organisation_staff_endpoints_refuse_outsiders_and_answer_the_organisations_admin()
    {
        var w = await WorldAsync();
        var wrong = new List<string>();
        foreach (var (key, _) in Matrix.Where(e => e.Value == Audience.Staff && (e.Key.StartsWith("GET ", StringComparison.Ordinal) || e.Key.StartsWith("PAGE ", StringComparison.Ordinal)) && !e.Key.Contains("{id:long}", StringComparison.Ordinal) && !e.Key.Contains("{postId:long}", StringComparison.Ordinal)))
        {
            using var outsiderWeb = new WebSession(server);
            await outsiderWeb.SignInAsync(w.Outsider.Email);
            using var outsider = await SendAsync(key, w, w.Outsider, outsiderWeb);
            if (outsider.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
            {
                wrong.Add($"{key}: an outsider got {(int)outsider.StatusCode}");
            }
            using var adminWeb = new WebSession(server);
            await adminWeb.SignInAsync(w.Author.Email);
            using var admin = await SendAsync(key, w, w.Author, adminWeb);
            if (admin.StatusCode != HttpStatusCode.OK)
            {
                wrong.Add($"{key}: the organisation's admin got {(int)admin.StatusCode}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Each Razor page's POST handlers (OnPost, OnPostName), as "pattern?handler=Name", with the page's line.</summary>
    private async Task<List<(string Key, string Pattern, string? Handler, Audience Audience)>> PagePostHandlersAsync()
    {
        var loader = server.Services.GetRequiredService<Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure.PageLoader>();
        var handlers = new List<(string, string, string?, Audience)>();
        foreach (var endpoint in server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not { } page)
            {
                continue;
            }
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var compiled = await loader.LoadAsync(page, endpoint.Metadata);
            foreach (var handler in compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase)))
            {
                handlers.Add(("PAGE " + pattern, pattern, handler.Name, Matrix["PAGE " + pattern]));
            }
        }
        return handlers.DistinctBy(h => (h.Item1, h.Item3)).ToList();
    }

    /// <summary>A client with its own cookies and the antiforgery token of a form it may load, posting as a browser on this site would.</summary>
    private sealed class FormPoster(HttpClient http, string token) : IDisposable
    {
        public static async Task<FormPoster> StartAsync(DrawbridgeServer server, CookieContainer cookies, string formPage)
        {
            var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
            var page = await WebSession.ParseAsync(await http.GetStringAsync(formPage));
            var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
                ?? throw new InvalidOperationException($"No antiforgery token on {formPage}");
            return new FormPoster(http, token);
        }

        public Task<HttpResponseMessage> PostAsync(string url, IDictionary<string, string>? fields = null)
        {
            var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string> { ["text"] = "probe" }) { ["__RequestVerificationToken"] = token };
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add("Origin", http.BaseAddress!.GetLeftPart(UriPartial.Authority));
            request.Headers.Add("Sec-Fetch-Site", "same-origin");
            return http.SendAsync(request);
        }

        public void Dispose() => http.Dispose();
    }

    [Fact]
    public async Task Every_page_post_handler_refuses_whom_its_page_refuses()
    {
        var w = await WorldAsync();
        var handlers = await PagePostHandlersAsync();
        Assert.True(handlers.Count >= 10, $"only {handlers.Count} page POST handlers were found");
        Assert.True(handlers.Count(h => h.Audience == Audience.Staff) >= 4, "the organisation staff pages' POST handlers were not found");
        // Well-formed posts (a valid antiforgery token, same-origin headers), so what answers is the handler's rule.
        using var anonymous = await FormPoster.StartAsync(server, new CookieContainer(), "/auth/sign-in");
        using var memberWeb = new WebSession(server);
        await memberWeb.SignInAsync(w.Member.Email);
        using var member = await FormPoster.StartAsync(server, memberWeb.Cookies, "/compose");
        // A professional on no organisation's staff: staff pages' handlers refuse them as their pages do.
        using var outsiderWeb = new WebSession(server);
        await outsiderWeb.SignInAsync(w.Outsider.Email);
        using var outsider = await FormPoster.StartAsync(server, outsiderWeb.Cookies, "/compose");
        var wrong = new List<string>();
        foreach (var (_, pattern, handler, audience) in handlers.Where(h => h.Audience != Audience.Anyone))
        {
            var url = Url(pattern, w) + (handler is null ? "" : "?handler=" + handler);
            // The consent form carries the app's authorization request, as the GET is probed with it.
            var fields = pattern == "/oauth/authorize"
                ? new Dictionary<string, string> { ["response_type"] = "code", ["client_id"] = w.ClientId, ["redirect_uri"] = "urn:ietf:wg:oauth:2.0:oob", ["scope"] = "read", ["decision"] = "allow" }
                : null;
            using (var response = await anonymous.PostAsync(url, fields))
            {
                if (!Refused(response))
                {
                    wrong.Add($"POST {url} ({audience}): anonymous got {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
            if (audience is Audience.Moderator or Audience.Admin)
            {
                using var response = await member.PostAsync(url, fields);
                if (!Refused(response))
                {
                    wrong.Add($"POST {url} ({audience}): a member got {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
            if (audience is Audience.Staff)
            {
                using var response = await outsider.PostAsync(url, fields);
                if (!(Refused(response) || response.StatusCode == HttpStatusCode.NotFound))
                {
                    wrong.Add($"POST {url} ({audience}): a professional outside the organisation got {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Author_only_reads_answer_the_author_and_refuse_another_professional()
    {
        var w = await WorldAsync();
        var wrong = new List<string>();
        foreach (var (key, _) in Matrix.Where(e => e.Value == Audience.Author))
        {
            using var author = await SendAsync(key, w, w.Author, null);
            if (author.StatusCode != HttpStatusCode.OK)
            {
                wrong.Add($"{key}: the author got {(int)author.StatusCode}");
            }
            using var other = await SendAsync(key, w, w.Outsider, null);
            if (other.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
            {
                wrong.Add($"{key}: another professional got {(int)other.StatusCode}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Staff_writes_refuse_professionals_outside_the_organisation()
    {
        var w = await WorldAsync();
        var wrong = new List<string>();
        foreach (var (key, _) in Matrix.Where(e => e.Value == Audience.Staff && !e.Key.StartsWith("GET ", StringComparison.Ordinal) && !e.Key.StartsWith("PAGE ", StringComparison.Ordinal)))
        {
            using var outsider = await SendAsync(key, w, w.Outsider, null);
            if (outsider.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
            {
                wrong.Add($"{key}: an outsider got {(int)outsider.StatusCode}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Only_a_posts_author_edits_or_deletes_it()
    {
        var w = await WorldAsync();
        using var other = server.Http(w.Outsider.Token);
        using var edit = await other.PutAsJsonAsync($"{Own}/posts/{w.PostId}", new { text = "Hijacked" });
        Assert.True(edit.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"edit by another answered {(int)edit.StatusCode}");
        using var delete = await other.DeleteAsync($"{Own}/posts/{w.PostId}");
        Assert.True(delete.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"delete by another answered {(int)delete.StatusCode}");
        using var mastodonDelete = await other.DeleteAsync($"/api/v1/statuses/{w.PostId}");
        Assert.True(mastodonDelete.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"Mastodon delete by another answered {(int)mastodonDelete.StatusCode}");
        using var otherWeb = new WebSession(server);
        await otherWeb.SignInAsync(w.Outsider.Email);
        Assert.NotEqual(HttpStatusCode.OK, (await otherWeb.GetAsync($"/@{w.Author.Handle}/{w.PostId}/edit")).Status);

        using var author = server.Http(w.Author.Token);
        (await author.PutAsJsonAsync($"{Own}/posts/{w.PostId}", new { text = "Edited by its author" })).EnsureSuccessStatusCode();
        Assert.Equal("Edited by its author", (await server.Http().GetJsonAsync($"{Own}/posts/{w.PostId}")).Str("content"));
    }
}
