using Drawbridge.Accounts;
using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

/// <summary>Held posts and guest comments, for people in the Identity role "moderator".</summary>
[Authorize(Roles = Moderators.Role)]
public sealed class ModerationModel(PostEditing posts, GuestCommentService comments, AccountService accounts, Drawbridge.Moderation.ModerationService moderation) : DrawbridgePage
{
    public IReadOnlyList<Post> Posts { get; private set; } = [];
    public IReadOnlyList<GuestComment> Comments { get; private set; } = [];
    public Dictionary<long, Account> Authors { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Posts = await posts.HeldAsync(100, ct);
        Comments = await comments.HeldAsync(100, ct);
        foreach (var id in Posts.Select(p => p.AuthorId).Distinct())
        {
            if (await accounts.FindAsync(id, ct) is { } a)
            {
                Authors[id] = a;
            }
        }
    }

    public async Task<IActionResult> OnPostPostAsync(long id, string? decision, CancellationToken ct)
    {
        var outcome = decision == "approve" ? await posts.ReleaseHeldAsync(id, ct) : await posts.DeleteAsync(MeRequired, id, asModerator: true, ct);
        if (outcome.Succeeded)
        {
            await moderation.RecordHeldDecisionAsync(MeRequired, decision == "approve", outcome.Value!.AuthorId, id, "held post", ct);
        }
        Flash(outcome.Succeeded ? (decision == "approve" ? "The post is published." : "The post was removed.") : outcome.FirstError);
        return LocalRedirect("/moderation");
    }

    public async Task<IActionResult> OnPostCommentAsync(long id, string? decision, CancellationToken ct)
    {
        var outcome = await comments.ModerateHeldAsync(id, decision == "approve", ct);
        if (outcome.Succeeded)
        {
            await moderation.RecordHeldDecisionAsync(MeRequired, decision == "approve", null, null, "held guest comment", ct);
        }
        Flash(outcome.Succeeded ? (decision == "approve" ? "The comment is published." : "The comment was removed.") : outcome.FirstError);
        return LocalRedirect("/moderation");
    }
}
