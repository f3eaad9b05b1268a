using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Fragments;

/// <summary>
/// One post's card on its own, for a page that heard of it live (<see cref="LiveUpdates"/>): what the reader may see of
/// it, exactly as the timeline would show it.
/// </summary>
public sealed class PostFragmentModel(TimelineService timelines) : DrawbridgePage
{
    public PostView View { get; private set; } = null!;
    public string ReturnUrl { get; private set; } = "/";
    public int Depth { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, [FromQuery(Name = "return")] string? returnUrl, [FromQuery] int? depth, CancellationToken ct)
    {
        if (await timelines.PostAsync(id, Me, ct) is not { Post.IsDeleted: false } view)
        {
            return NotFound();
        }
        View = view;
        ReturnUrl = !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
        Depth = Math.Clamp(depth ?? 0, 0, 6);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
