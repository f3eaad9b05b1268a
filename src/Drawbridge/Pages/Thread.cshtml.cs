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
        if (thread is null || !string.Equals(thread.Focus.Author.Handle, handle, StringComparison.OrdinalIgnoreCase) || thread.Focus.Author.DeletionRequestedAt is not null)
        {
            return NotFound();
        }
        Thread = thread;
        // A visitor's page is the same for every visitor, except an article's, whose comment form carries a token of their own.
        if (Me is null && (thread.Focus.Post.Kind != PostKind.Article || thread.Focus.Post.IsDeleted))
        {
            PublicPageCache.Cacheable(HttpContext, thread.Focus.Post.ConversationId);
        }
        return null;
    }
}
