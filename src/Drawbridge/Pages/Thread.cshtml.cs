using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

public sealed class ThreadModel(TimelineService timelines, GuestCommentService comments) : DrawbridgePage
{
    public ThreadView Thread { get; private set; } = null!;
    public GuestCommentForm Comment { get; private set; } = new();
    public bool CommentSent { get; private set; }

    public sealed class GuestCommentForm
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public string? Text { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(string handle, long id, bool sent, CancellationToken ct)
    {
        CommentSent = sent;
        return await LoadAsync(handle, id, ct) ?? Page();
    }

    public async Task<IActionResult> OnPostCommentAsync(string handle, long id, [FromForm] string? name, [FromForm] string? email,
        [FromForm] string? commentText, [FromForm] string? website, CancellationToken ct)
    {
        if (await LoadAsync(handle, id, ct) is { } missing)
        {
            return missing;
        }
        Comment = new GuestCommentForm { Name = name, Email = email, Text = commentText };
        var outcome = await comments.AddAsync(id, new GuestCommentInput(name ?? "", email ?? "", commentText ?? "", website), ct);
        if (Refused(outcome, new Dictionary<string, string> { ["text"] = "commentText" }) is { } refused)
        {
            return refused;
        }
        if (outcome.Value!.Status == GuestCommentStatus.Held)
        {
            Flash(outcome.Value.HeldReason ?? "Your comment is held for a moderator to check.");
            return LocalRedirect(Links.Post(Thread.Focus.Author.Handle, id));
        }
        return LocalRedirect(Links.Post(Thread.Focus.Author.Handle, id) + "?sent=true#comment-heading");
    }

    private async Task<IActionResult?> LoadAsync(string handle, long id, CancellationToken ct)
    {
        var thread = await timelines.ThreadAsync(id, Me, ct);
        if (thread is null || !string.Equals(thread.Focus.Author.Handle, handle, StringComparison.OrdinalIgnoreCase) || thread.Focus.Author.DeletionRequestedAt is not null)
        {
            return NotFound();
        }
        Thread = thread;
        return null;
    }
}
