using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

public sealed class DraftsModel(PostEditing editing, PostPublishing publishing) : DrawbridgePage
{
    public IReadOnlyList<Post> Drafts { get; private set; } = [];
    public long? NeedsConfirm { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Drafts = await editing.DraftsAsync(MeRequired, ct);

    public async Task<IActionResult> OnPostPublishAsync(long id, bool confirmWarnings, CancellationToken ct)
    {
        var outcome = await publishing.PublishDraftAsync(MeRequired, id, confirmWarnings, null, ct);
        if (outcome.Succeeded)
        {
            Flash(outcome.Value!.Status == PostStatus.Held ? outcome.Value.HeldReason ?? "Your post is held for a moderator." : "Your draft is published.");
            return outcome.Value!.Status == PostStatus.Published ? LocalRedirect(Links.Post(User.Identity?.Name ?? "", outcome.Value.Id)) : LocalRedirect("/drafts");
        }
        if (outcome.Failure == Data.OutcomeFailure.NotFound)
        {
            return NotFound();
        }
        // Errors concern the draft's text: show them here and offer to edit it.
        foreach (var (field, messages) in outcome.Errors)
        {
            foreach (var m in messages)
            {
                Errors.Add(field == "confirmWarnings" ? "confirmWarnings" : "", m);
            }
        }
        NeedsConfirm = outcome.Errors.ContainsKey("confirmWarnings") ? id : null;
        Drafts = await editing.DraftsAsync(MeRequired, ct);
        return Page();
    }
}
