using System.Globalization;
using System.Text;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Mastodon;
using Drawbridge.Streaming;
using Drawbridge.Timelines;
using Microsoft.Extensions.Options;

namespace Drawbridge.Web;

/// <summary>
/// The pages' own live updates: server-sent events from the same hub as Mastodon's streaming API, with the sign-in cookie
/// (pages never hold an API token). Each event names a post; the page fetches its card from /fragments/post/{id}, which
/// checks again that the reader may see it. Read-only and refused to other sites, so it needs no antiforgery token.
/// </summary>
public static class LiveUpdates
{
    public static void MapLiveUpdates(this IEndpointRouteBuilder app) => app.MapGet("/live", ServeAsync);

    private static async Task ServeAsync(HttpContext http, StreamingHub hub, TimelineService timelines, IOptions<DrawbridgeOptions> options, CancellationToken ct)
    {
        if (CrossSiteRequests.Judge(http.Request, options.Value) == RequestSite.Cross)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync("Live updates are for this site's own pages.", ct);
            return;
        }
        var me = http.User.Identity is { IsAuthenticated: true, AuthenticationType: not BearerTokenHandler.Name } ? http.User.AccountIdOf() : null;
        var q = http.Request.Query;
        StreamSubscription? stream = q["stream"].ToString() switch
        {
            "home" when me is not null => new StreamSubscription("user", null),
            "local" => new StreamSubscription("public:local", null),
            "tag" when q["tag"].ToString() is { Length: > 0 and <= 100 } tag => new StreamSubscription("hashtag", tag.TrimStart('#').ToLowerInvariant()),
            "thread" when long.TryParse(q["post"], NumberStyles.None, CultureInfo.InvariantCulture, out var postId)
                          && await timelines.PostAsync(postId, me, ct) is { } view
                => new StreamSubscription("thread", view.Post.ConversationId.ToString(CultureInfo.InvariantCulture)),
            _ => null,
        };
        if (stream is null)
        {
            http.Response.StatusCode = q["stream"] == "home" ? StatusCodes.Status401Unauthorized : StatusCodes.Status404NotFound;
            await http.Response.WriteAsync(q["stream"] == "home" ? "Sign in to follow your home timeline live." : "There is no such live stream.", ct);
            return;
        }
        var connection = hub.Connect(me, ApiScopes.Full, options.Value.BaseUrl(http.Request));
        connection.Subscribe(stream);
        await MastodonStreaming.ServeEventsAsync(http, connection, hub, StreamItem.WebPage, Frame);
    }

    /// <summary><c>event: update</c> / <c>data: {"id":"…"}</c>: only the id; the card comes from the fragment page.</summary>
    private static byte[] Frame(StreamItem item) => item.Event switch
    {
        "update" or "status.update" or "delete" when item.PostId is { } id =>
            Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"event: {item.Event}\ndata: {{\"id\":\"{id}\"}}\n\n")),
        _ => [],
    };
}
