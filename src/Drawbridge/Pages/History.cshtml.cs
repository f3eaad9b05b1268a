using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

public sealed class HistoryModel(TimelineService timelines, PostEditing posts) : DrawbridgePage
{
    public PostView Post { get; private set; } = null!;
    public IReadOnlyList<PostEdit> Edits { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string handle, long id, CancellationToken ct)
    {
        var view = await timelines.PostAsync(id, Me, ct);
        if (view is null || view.Post.IsDeleted || view.Post.RepostOfId is not null || !string.Equals(view.Author.Acct, handle.TrimStart('@'), StringComparison.OrdinalIgnoreCase))
        {
            return NotFound();
        }
        Post = view;
        Edits = await posts.HistoryAsync(id, ct);
        return Page();
    }
}
