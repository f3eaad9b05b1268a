using Drawbridge.Data;
using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Drawbridge.Pages;

/// <summary>
/// Receives guest comments on an article. A page of its own so the guest-comment rate limit applies to it and not
/// to reading the article; a refused comment is shown here again with what was typed.
/// The form under an article is shared from the cache with no antiforgery token in it, so a post is accepted with a
/// valid token (this page's own form) or when the browser says it came from this server's own page; another site's
/// post is refused, and one no header vouches for is shown here again to send with a token (docs/decisions/0012-visitors.md).
/// </summary>
[EnableRateLimiting("guest-comments")]
[IgnoreAntiforgeryToken]
public sealed class GuestCommentModel(TimelineService timelines, GuestCommentService comments, IAntiforgery antiforgery, Microsoft.Extensions.Options.IOptions<DrawbridgeOptions> options) : DrawbridgePage
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
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            var site = CrossSiteRequests.Judge(Request, options.Value);
            if (site != RequestSite.Same)
            {
                Errors.Add("", site == RequestSite.Cross
                    ? "Your comment was not sent: the form was sent from another website. If you wrote it, check it and send it from here."
                    : "Your comment was not sent yet: check it and send it again.");
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return Page();
            }
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
        if (view is null || view.Post.Kind != PostKind.Article || view.Post.IsDeleted || !string.Equals(view.Author.Acct, handle.TrimStart('@'), StringComparison.OrdinalIgnoreCase))
        {
            return NotFound();
        }
        ArticleUrl = Links.Post(view.Author.Handle, id);
        ArticleTitle = view.Post.Title;
        return null;
    }
}
