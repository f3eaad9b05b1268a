using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

[Authorize]
public sealed class CommentsModel(GuestCommentService comments) : DrawbridgePage
{
    public IReadOnlyList<GuestComment> Awaiting { get; private set; } = [];

    /// <summary>The last comment's id when a further page may follow.</summary>
    public long? NextAfter { get; private set; }

    public async Task OnGetAsync(long? after, CancellationToken ct)
    {
        Awaiting = await comments.AwaitingAsync(MeRequired, after, GuestCommentService.MaxAwaitingPage, ct);
        NextAfter = Awaiting.Count == GuestCommentService.MaxAwaitingPage ? Awaiting[^1].Id : null;
    }

    public async Task<IActionResult> OnPostAsync(long id, string? decision, CancellationToken ct)
    {
        var status = decision == "reject" ? GuestCommentStatus.Rejected : GuestCommentStatus.Approved;
        var outcome = await comments.ModerateAsync(MeRequired, id, status, decision == "trust", ct);
        if (!outcome.Succeeded)
        {
            return NotFound();
        }
        Flash(decision switch
        {
            "reject" => "The comment was rejected.",
            "trust" => $"The comment is published, and {outcome.Value!.Name}'s future comments will appear without waiting.",
            _ => "The comment is published.",
        });
        return LocalRedirect("/comments");
    }
}
