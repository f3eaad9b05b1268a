using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Interact;

/// <summary>The buttons under a post (like, repost, delete) post here and come back to where they were pressed.</summary>
[Authorize]
public sealed class ActModel(PostInteractions interactions, PostEditing editing) : DrawbridgePage
{
    public IActionResult OnGet() => NotFound();

    public async Task<IActionResult> OnPostAsync(long id, string verb, [FromForm] string? returnUrl, CancellationToken ct)
    {
        var me = MeRequired;
        var outcome = verb switch
        {
            "like" => await interactions.LikeAsync(me, id, true, ct),
            "unlike" => await interactions.LikeAsync(me, id, false, ct),
            "repost" => await interactions.RepostAsync(me, id, true, ct),
            "unrepost" => await interactions.RepostAsync(me, id, false, ct),
            _ => await editing.DeleteAsync(me, id, false, ct),
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
