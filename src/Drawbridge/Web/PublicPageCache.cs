using Drawbridge.Timelines;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Net.Http.Headers;

namespace Drawbridge.Web;

/// <summary>
/// Whole public pages kept for visitors who aren't signed in, as Discourse does for anonymous readers: a
/// conversation shared on social media is read by many people who see exactly the same page. A page opts in by
/// calling <see cref="Cacheable"/> with the conversation it shows, or <see cref="CacheableListing"/> for a page that
/// lists posts (the front page, a profile, a tag); only a 200 with no cookie set is kept, and never for a signed-in
/// reader (whose page carries their own marks and forms) or a visitor with a one-off message waiting (TempData).
/// Every change to a conversation on this node evicts its pages and the listings at once; a follow evicts the
/// listings (profiles show counts); <see cref="CacheLifetimes.PublicPages"/> bounds what another node may still serve.
/// </summary>
public sealed class PublicPageCache(IOutputCacheStore store, PostJsonCache posts, HomeFeedCache feeds)
{
    public const string PolicyName = "public-page";
    private const string AllTag = "public";
    private const string ListingsTag = "listings";
    private const string TagsKey = "drawbridge:public-page-tags";

    /// <summary>The cookie ASP.NET keeps TempData in (a message for the next page): such a visitor's page is their own.</summary>
    private const string TempDataCookie = ".AspNetCore.Mvc.CookieTempDataProvider";

    /// <summary>Marks this response as the same for every visitor, showing the given conversation.</summary>
    public static void Cacheable(HttpContext context, long conversationId) =>
        context.Items[TagsKey] = ConversationTag(conversationId);

    /// <summary>Marks this response as the same for every visitor, listing posts (front page, profile, tag).</summary>
    public static void CacheableListing(HttpContext context) => context.Items[TagsKey] = ListingsTag;

    /// <summary>A post changed (new reply, edit, deletion, likes or reposts): its JSON, its conversation's pages and the listings go.</summary>
    public async ValueTask PostChangedAsync(long postId, long conversationId, CancellationToken ct)
    {
        posts.Forget(postId);
        await store.EvictByTagAsync(ConversationTag(conversationId), ct);
        await store.EvictByTagAsync(ListingsTag, ct);
    }

    /// <summary>What the listings show changed without a post changing (a new post, a follow): they go.</summary>
    public ValueTask ListingsChangedAsync(CancellationToken ct) => store.EvictByTagAsync(ListingsTag, ct);

    /// <summary>Something every page may show changed (an account's name, avatar or deletion): forget everything.</summary>
    public async ValueTask EverythingChangedAsync(CancellationToken ct)
    {
        posts.Clear();
        feeds.ForgetAll();
        await store.EvictByTagAsync(AllTag, ct);
    }

    private static string ConversationTag(long id) => "conversation:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The output-cache policy behind <see cref="PolicyName"/>.</summary>
    internal sealed class Policy(CacheLifetimes lifetimes) : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var http = context.HttpContext;
            var visitor = http.User.Identity?.IsAuthenticated != true && !http.Request.Headers.ContainsKey(HeaderNames.Authorization)
                          && !http.Request.Cookies.ContainsKey(TempDataCookie)
                          && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
            context.EnableOutputCaching = true;
            context.AllowCacheLookup = visitor;
            context.AllowCacheStorage = visitor;
            context.AllowLocking = true;
            context.ResponseExpirationTimeSpan = lifetimes.PublicPages;
            context.CacheVaryByRules.QueryKeys = "*";
            context.Tags.Add(AllTag);
            if (visitor && http.RequestServices.GetService<IOutputCacheStore>() is CompressedOutputCacheStore store)
            {
                context.Tags.Add(store.Stamp); // taken before the page reads anything
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var http = context.HttpContext;
            if (http.Response.StatusCode != StatusCodes.Status200OK || http.Response.Headers.ContainsKey(HeaderNames.SetCookie)
                || http.Items[TagsKey] is not string tag)
            {
                context.AllowCacheStorage = false;
            }
            else
            {
                context.Tags.Add(tag);
            }
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// How long shared caches may keep what they hold. With SQLite there is one node, so every change evicts what it
/// affects and the lifetimes are only a safety net; with PostgreSQL several nodes may serve, and another node's
/// change is only seen when an entry expires, so the lifetimes are short.
/// </summary>
public sealed record CacheLifetimes(TimeSpan PostJson, TimeSpan PublicPages, TimeSpan HomeFeed)
{
    public static CacheLifetimes For(bool severalNodesPossible) => severalNodesPossible
        ? new CacheLifetimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.Zero)
        : new CacheLifetimes(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
}

/// <summary>
/// How much memory the shared caches may hold (configuration section <c>Drawbridge:Caches</c>), so an operator can
/// trade speed for memory. Each cache drops its least recently used entries when full.
/// </summary>
public sealed class CacheSizes
{
    public const string Section = "Drawbridge:Caches";

    /// <summary>The JSON of posts as anyone sees them.</summary>
    public int PostJsonMegabytes { get; set; } = 24;

    /// <summary>Whole conversation pages for visitors who aren't signed in, counted compressed (<see cref="CompressedOutputCacheStore"/>).</summary>
    public int PublicPagesMegabytes { get; set; } = 16;

    /// <summary>Home timeline heads (each reader's newest 40 entries, 16 bytes an entry); SQLite only.</summary>
    public int HomeFeedMegabytes { get; set; } = 16;

    internal static long Bytes(int megabytes) => Math.Clamp(megabytes, 1, 64 * 1024) * 1024L * 1024;
}

