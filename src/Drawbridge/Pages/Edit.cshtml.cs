using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

/// <summary>Edits a published post (keeping its public history), or a draft or scheduled post.</summary>
[Authorize]
public sealed class EditModel(TimelineService timelines, PostEditing posts, PostChecks checks) : DrawbridgePage
{
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Summary { get; set; }
    [BindProperty] public string? EnclosureUrl { get; set; }
    [BindProperty] public string? Visibility { get; set; }
    [BindProperty] public bool ConfirmWarnings { get; set; }

    public PostKind Kind { get; private set; }
    public bool IsPublished { get; private set; }
    public string Back { get; private set; } = "/";
    public IReadOnlyList<ScreenFinding> Findings { get; private set; } = [];
    public bool ShowConfirm => ConfirmWarnings || Errors.Has("confirmWarnings") || Findings.Any(f => f.Severity == FindingSeverity.Warn);

    public async Task<IActionResult> OnGetAsync(string handle, long id, CancellationToken ct)
    {
        if (await FindAsync(handle, id, ct) is not { } post)
        {
            return NotFound();
        }
        Text = post.Content;
        Title = post.Title;
        Summary = post.Summary;
        EnclosureUrl = post.EnclosureUrl;
        Visibility = post.Visibility.ToString().ToLowerInvariant();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string handle, long id, CancellationToken ct)
    {
        if (await FindAsync(handle, id, ct) is not { } post)
        {
            return NotFound();
        }
        var visibility = Visibility switch { "unlisted" => Posts.Visibility.Unlisted, "followers" => Posts.Visibility.Followers, "public" => Posts.Visibility.Public, _ => post.Visibility };
        var outcome = await posts.EditAsync(MeRequired, id, new PostInput(Text ?? "", post.Kind, Title, Summary, null, visibility, null, EnclosureUrl, null, null, false, ConfirmWarnings), ct);
        if (!outcome.Succeeded)
        {
            Findings = checks.Screen(post.Kind, Title, Summary, (Text ?? "").Trim(), false);
            return Refused(outcome, new Dictionary<string, string> { ["enclosure"] = "enclosureUrl", [""] = "text" })!;
        }
        Flash("Your changes are saved.");
        return LocalRedirect(IsPublished ? Links.Post(handle, id) : "/drafts");
    }

    private async Task<Post?> FindAsync(string handle, long id, CancellationToken ct)
    {
        var me = MeRequired;
        if (!string.Equals(handle, User.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var draft = (await posts.DraftsAsync(me, ct)).FirstOrDefault(p => p.Id == id);
        Post? post = draft;
        if (post is null && await timelines.PostAsync(id, me, ct) is { } view && view.Post.AuthorId == me && !view.Post.IsDeleted && view.Post.RepostOfId is null)
        {
            post = view.Post;
        }
        if (post is null)
        {
            return null;
        }
        Kind = post.Kind;
        IsPublished = post.Status == PostStatus.Published;
        Back = IsPublished ? Links.Post(handle, id) : "/drafts";
        return post;
    }
}
