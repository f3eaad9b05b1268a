using Drawbridge.Data;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace Drawbridge.Pages;

[OutputCache(PolicyName = PublicPageCache.PolicyName)]
public sealed class IndexModel(TimelineService timelines) : DrawbridgePage
{
    public TimelineModel Timeline { get; private set; } = null!;

    public async Task OnGetAsync([FromQuery(Name = "max_id")] long? maxId, [FromQuery(Name = "min_id")] long? minId, CancellationToken ct)
    {
        var request = new PageRequest(maxId, null, minId);
        var posts = Me is { } me ? await timelines.HomeAsync(me, request, ct) : await timelines.LocalAsync(null, request, ct);
        var empty = Me is null ? "Nobody has posted yet." : "Your timeline is empty. Follow people to see their posts here, or look at the local timeline.";
        if (Me is null)
        {
            PublicPageCache.CacheableListing(HttpContext);
        }
        Timeline = new TimelineModel(posts, Pager.For("/", new Dictionary<string, string?>(), posts, request), Me, Request.Path + Request.QueryString, empty)
        {
            Live = TimelineModel.LiveOn(request, Me is null ? "/live?stream=local" : "/live?stream=home"),
        };
    }
}
