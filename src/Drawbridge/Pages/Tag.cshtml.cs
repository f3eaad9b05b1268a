using Drawbridge.Data;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace Drawbridge.Pages;

[OutputCache(PolicyName = PublicPageCache.PolicyName)]
public sealed class TagModel(TimelineService timelines) : DrawbridgePage
{
    public string Tag { get; private set; } = "";
    public TimelineModel Timeline { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string? tag, [FromQuery(Name = "max_id")] long? maxId, [FromQuery(Name = "min_id")] long? minId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return NotFound();
        }
        Tag = tag.ToLowerInvariant();
        var request = new PageRequest(maxId, null, minId);
        var posts = await timelines.HashtagAsync(Tag, Me, request, ct);
        if (Me is null)
        {
            PublicPageCache.CacheableListing(HttpContext);
        }
        Timeline = new TimelineModel(posts, Pager.For(Links.Tag(Tag), new Dictionary<string, string?>(), posts, request), Me, Request.Path + Request.QueryString,
            $"No public posts are tagged #{Tag} yet.")
        {
            Live = TimelineModel.LiveOn(request, "/live?stream=tag&tag=" + Uri.EscapeDataString(Tag)),
        };
        return Page();
    }
}
