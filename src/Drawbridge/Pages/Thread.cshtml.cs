using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace Drawbridge.Pages;

[OutputCache(PolicyName = PublicPageCache.PolicyName)]
public sealed class ThreadModel(TimelineService timelines) : DrawbridgePage
{
    public ThreadView Thread { get; private set; } = null!;
    public bool CommentSent { get; private set; }

    public async Task<IActionResult> OnGetAsync(string handle, long id, bool sent, CancellationToken ct)
    {
        CommentSent = sent;
        return await LoadAsync(handle, id, ct) ?? Page();
    }

    internal async Task<IActionResult?> LoadAsync(string handle, long id, CancellationToken ct)
    {
        var thread = await timelines.ThreadAsync(id, Me, ct);
        if (thread is null || !string.Equals(thread.Focus.Author.Acct, handle.TrimStart('@'), StringComparison.OrdinalIgnoreCase) || thread.Focus.Author.DeletionRequestedAt is not null)
        {
            return NotFound();
        }
        Thread = thread;
        // A visitor's page is the same for every visitor, an article's too: its comment form carries no token of a visitor's
        // own (GuestCommentModel tells the article's own form from another site's by the browser's headers).
        if (Me is null)
        {
            PublicPageCache.Cacheable(HttpContext, thread.Focus.Post.ConversationId);
        }
        return null;
    }
}
