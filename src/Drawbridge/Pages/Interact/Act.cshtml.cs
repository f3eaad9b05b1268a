using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Interact;

/// <summary>The buttons under a post (like, repost, delete) post here and come back to where they were pressed.</summary>
[Authorize]
public sealed class ActModel(PostService posts) : DrawbridgePage
{
    public IActionResult OnGet() => NotFound();

    public async Task<IActionResult> OnPostAsync(long id, string verb, [FromForm] string? returnUrl, CancellationToken ct)
    {
        var me = MeRequired;
        var outcome = verb switch
        {
            "like" => await posts.LikeAsync(me, id, true, ct),
            "unlike" => await posts.LikeAsync(me, id, false, ct),
            "repost" => await posts.RepostAsync(me, id, true, ct),
            "unrepost" => await posts.RepostAsync(me, id, false, ct),
            _ => await posts.DeleteAsync(me, id, false, ct),
        };
        if (outcome.Failure == Data.OutcomeFailure.NotFound)
        {
            return NotFound();
        }
        if (!outcome.Succeeded)
        {
            Flash(outcome.FirstError);
        }
        else if (verb == "delete")
        {
            Flash("Your post was deleted.");
        }
        return BackTo(returnUrl, "/");
    }
}
