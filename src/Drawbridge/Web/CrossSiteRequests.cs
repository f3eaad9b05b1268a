using Drawbridge.Data;
using Microsoft.Net.Http.Headers;

namespace Drawbridge.Web;

/// <summary>Where a browser says a form post came from (docs/decisions/0012-visitors.md).</summary>
public enum RequestSite
{
    /// <summary>This server's own page sent it (<c>Sec-Fetch-Site: same-origin</c>, or an <c>Origin</c> equal to ours).</summary>
    Same,

    /// <summary>Another site's page sent it: a forged post, refused.</summary>
    Cross,

    /// <summary>No header says (an old browser, or a client that is not a browser): the antiforgery token decides.</summary>
    Unknown,
}

/// <summary>
/// Tells a form post sent by one of this server's own pages from one another site made the browser send, from the
/// headers every current browser attaches to a POST: Fetch Metadata (<c>Sec-Fetch-Site</c>), else <c>Origin</c>. A page
/// cannot set or remove these headers on a cross-site request, so they protect a form whose page is shared from the
/// cache with no token of its own in it.
/// </summary>
public static class CrossSiteRequests
{
    public static RequestSite Judge(HttpRequest request, DrawbridgeOptions options)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            // "none": the person started the request themselves (a bookmark, the address bar), which no other site can make.
            return fetchSite is "same-origin" or "none" ? RequestSite.Same : RequestSite.Cross;
        }
        var origin = request.Headers[HeaderNames.Origin].ToString();
        if (origin.Length == 0)
        {
            return RequestSite.Unknown;
        }
        return string.Equals(origin, options.BaseUrl(request), StringComparison.OrdinalIgnoreCase)
               || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
            ? RequestSite.Same
            : RequestSite.Cross;
    }
}
