using Drawbridge.Data;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

public sealed class LocalModel(TimelineService timelines) : DrawbridgePage
{
    public TimelineModel Timeline { get; private set; } = null!;

    public async Task OnGetAsync([FromQuery(Name = "max_id")] long? maxId, [FromQuery(Name = "min_id")] long? minId, CancellationToken ct)
    {
        var request = new PageRequest(maxId, null, minId);
        var posts = await timelines.LocalAsync(Me, request, ct);
        Timeline = new TimelineModel(posts, Pager.For("/public/local", new Dictionary<string, string?>(), posts, request), Me, Request.Path + Request.QueryString)
        {
            Live = TimelineModel.LiveOn(request, "/live?stream=local"),
        };
    }
}
