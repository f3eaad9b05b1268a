using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.Extensions.Options;

namespace Drawbridge.Federation;

/// <summary>
/// The ActivityPub ids of this server's actors, posts and collections, in Mastodon's shapes (<c>/users/handle</c>,
/// <c>/users/handle/statuses/id</c>), with the HTML pages (<c>/@handle</c>, <c>/@handle/id</c>) as their urls. Ids
/// use the lower-case handle, so they never change with how someone capitalises theirs.
/// The base is <c>Drawbridge:PublicUrl</c>, else the address the current request came to.
/// </summary>
public sealed class ActorUrls(IOptions<DrawbridgeOptions> options, IHttpContextAccessor http)
{
    public string Base => !string.IsNullOrWhiteSpace(options.Value.PublicUrl)
        ? options.Value.PublicUrl.TrimEnd('/')
        : http.HttpContext is { } ctx
            ? $"{ctx.Request.Scheme}://{ctx.Request.Host}"
            : throw new InvalidOperationException("Set Drawbridge:PublicUrl: federation needs this server's address outside a request");

    /// <summary>Whether <see cref="Base"/> is known here: <c>Drawbridge:PublicUrl</c> is set, or a request is being served.</summary>
    public bool Known => !string.IsNullOrWhiteSpace(options.Value.PublicUrl) || http.HttpContext is not null;

    /// <summary>This server's domain as the fediverse writes it after the @: the host, with the port when it isn't the default.</summary>
    public string Domain => new Uri(Base).Authority;

    public string SharedInbox => $"{Base}/inbox";
    public string InstanceActor => $"{Base}/actor";

    public string Actor(Account a) => $"{Base}/users/{a.HandleKey}";
    public string KeyId(Account a) => $"{Actor(a)}#main-key";
    public string Inbox(Account a) => $"{Actor(a)}/inbox";
    public string Outbox(Account a) => $"{Actor(a)}/outbox";
    public string Followers(Account a) => $"{Actor(a)}/followers";
    public string Following(Account a) => $"{Actor(a)}/following";
    public string Featured(Account a) => $"{Actor(a)}/collections/featured";
    public string Profile(Account a) => $"{Base}/@{a.Handle}";

    public string Post(Account author, long postId) => $"{Actor(author)}/statuses/{postId}";
    public string PostPage(Account author, long postId) => $"{Base}/@{author.Handle}/{postId}";
    public string Activity(Account author, long postId, string verb) => $"{Post(author, postId)}/activity#{verb}";

    /// <summary>
    /// The local handle a WebFinger resource or actor URL names: <c>acct:handle@domain</c> (or <c>handle@domain</c>),
    /// <c>{base}/users/handle</c> or <c>{base}/@handle</c>. Null for anything else, another domain's accounts included.
    /// </summary>
    public string? HandleOf(string resource)
    {
        if (resource.StartsWith("acct:", StringComparison.OrdinalIgnoreCase) || (!resource.Contains("://", StringComparison.Ordinal) && resource.Contains('@', StringComparison.Ordinal)))
        {
            var acct = resource.StartsWith("acct:", StringComparison.OrdinalIgnoreCase) ? resource[5..] : resource;
            acct = acct.TrimStart('@');
            var at = acct.LastIndexOf('@');
            if (at <= 0 || !acct[(at + 1)..].Equals(Domain, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            return ValidHandle(acct[..at]);
        }
        if (!Uri.TryCreate(resource, UriKind.Absolute, out var uri) || !Uri.TryCreate(Base, UriKind.Absolute, out var self)
            || !uri.Authority.Equals(self.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.StartsWith("/users/", StringComparison.Ordinal))
        {
            return ValidHandle(path["/users/".Length..]);
        }
        if (path.StartsWith("/@", StringComparison.Ordinal))
        {
            return ValidHandle(path[2..]);
        }
        return null;
    }

    private static string? ValidHandle(string handle) =>
        handle.Length is > 0 and <= 64 && handle.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? handle : null;
}
