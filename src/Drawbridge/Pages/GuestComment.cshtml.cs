using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Drawbridge.Pages;

/// <summary>
/// Receives guest comments on an article. A page of its own so the guest-comment rate limit applies to it and not
/// to reading the article; a refused comment is shown here again with what was typed.
/// </summary>
[EnableRateLimiting("guest-comments")]
public sealed class GuestCommentModel(TimelineService timelines, GuestCommentService comments) : DrawbridgePage
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? CommentText { get; set; }
    [BindProperty] public string? Website { get; set; }
    public string ArticleUrl { get; private set; } = "/";
    public string? ArticleTitle { get; private set; }

    public async Task<IActionResult> OnGetAsync(string handle, long id, CancellationToken ct) => await LoadAsync(handle, id, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(string handle, long id, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, ct) is { } missing)
        {
            return missing;
        }
        var outcome = await comments.AddAsync(id, new GuestCommentInput(Name ?? "", Email ?? "", CommentText ?? "", Website), ct);
        if (Refused(outcome, new Dictionary<string, string> { ["text"] = "commentText" }) is { } refused)
        {
            return refused;
        }
        if (outcome.Value!.Status == GuestCommentStatus.Held)
        {
            Flash(outcome.Value.HeldReason ?? "Your comment is held for a moderator to check.");
            return LocalRedirect(ArticleUrl);
        }
        return LocalRedirect(ArticleUrl + "?sent=true#comment-heading");
    }

    private async Task<IActionResult?> LoadAsync(string handle, long id, CancellationToken ct)
    {
        var view = await timelines.PostAsync(id, null, ct);
        if (view is null || view.Post.Kind != PostKind.Article || view.Post.IsDeleted || !string.Equals(view.Author.Handle, handle, StringComparison.OrdinalIgnoreCase))
        {
            return NotFound();
        }
        ArticleUrl = Links.Post(view.Author.Handle, id);
        ArticleTitle = view.Post.Title;
        return null;
    }
}
