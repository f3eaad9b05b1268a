using System.Globalization;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Drawbridge.Pages;

/// <summary>Writes a post, reply or article: publish now, schedule, or save as a draft. Uploads are kept across a refused submit.</summary>
[EnableRateLimiting("posting")]
public sealed class ComposeModel(PostPublishing posts, MediaService media, TimelineService timelines) : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public string Kind { get; set; } = "note";
    [BindProperty(SupportsGet = true)] public long? ReplyTo { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Summary { get; set; }
    [BindProperty] public string? Visibility { get; set; } = "public";
    [BindProperty] public string? EnclosureUrl { get; set; }
    [BindProperty] public long? EnclosureMediaId { get; set; }
    [BindProperty] public string? PublishAt { get; set; }
    [BindProperty] public bool ConfirmWarnings { get; set; }
    [BindProperty] public List<long> MediaIds { get; set; } = [];
    [BindProperty] public string? Alt1 { get; set; }
    [BindProperty] public string? Alt2 { get; set; }
    [BindProperty] public string? Alt3 { get; set; }
    [BindProperty] public string? Alt4 { get; set; }

    public PostView? Parent { get; private set; }
    public IReadOnlyList<ScreenFinding> Findings { get; private set; } = [];
    public List<MediaAttachment> AttachedMedia { get; } = [];
    public bool ShowConfirm => ConfirmWarnings || Errors.Has("confirmWarnings") || Findings.Any(f => f.Severity == FindingSeverity.Warn);

    public string? Alt(int i) => i switch { 1 => Alt1, 2 => Alt2, 3 => Alt3, _ => Alt4 };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Kind = Kind == "article" && ReplyTo is null ? "article" : "note";
        return await LoadParentAsync(ct) ?? Page();
    }

    public async Task<IActionResult> OnPostAsync(string? intent, CancellationToken ct)
    {
        var me = MeRequired;
        Kind = Kind == "article" && ReplyTo is null ? "article" : "note";
        if (await LoadParentAsync(ct) is { } missing)
        {
            return missing;
        }
        var draft = intent == "draft";
        var visibility = Visibility switch
        {
            "unlisted" => Posts.Visibility.Unlisted,
            "followers" => Posts.Visibility.Followers,
            _ => Posts.Visibility.Public,
        };
        DateTime? publishAt = null;
        if (!string.IsNullOrWhiteSpace(PublishAt))
        {
            if (DateTime.TryParse(PublishAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                publishAt = at;
            }
            else
            {
                Errors.Add("publishAt", "Enter the date and time to publish, for example 2026-12-01 09:30");
            }
        }
        await UploadAsync(me, ct);
        if (Errors.Any)
        {
            await AfterRefusalAsync(me, ct);
            return Page();
        }
        var kind = Kind == "article" ? PostKind.Article : PostKind.Note;
        var input = new PostInput(Text ?? "", kind, Title, Summary, ReplyTo, visibility, MediaIds, EnclosureUrl, EnclosureMediaId, publishAt, draft, ConfirmWarnings);
        var outcome = await posts.CreateAsync(me, input, ct);
        if (!outcome.Succeeded)
        {
            if (outcome.Failure == Data.OutcomeFailure.Forbidden)
            {
                return StatusCode(StatusCodes.Status403Forbidden);
            }
            Errors.AddAll(outcome.Errors, new Dictionary<string, string>
            {
                ["mediaIds"] = "image1",
                ["enclosure"] = EnclosureMediaId is null ? "enclosureUrl" : "enclosureFile",
                ["inReplyToId"] = "text",
                [""] = "text",
            });
            await AfterRefusalAsync(me, ct);
            return Page();
        }
        var post = outcome.Value!;
        var handle = User.Identity?.Name ?? "";
        switch (post.Status)
        {
            case PostStatus.Draft:
                Flash("Your draft is saved.");
                return LocalRedirect("/drafts");
            case PostStatus.Scheduled:
                Flash($"Your post is scheduled for {Links.When(post.PublishAt!.Value)}.");
                return LocalRedirect("/drafts");
            case PostStatus.Held:
                Flash(post.HeldReason ?? "Your post is held for a moderator to check.");
                return LocalRedirect(Parent is not null ? Links.Post(Parent.Author.Handle, Parent.Post.Id) : "/");
            default:
                Flash(Parent is not null ? "Your reply is published." : "Your post is published.");
                return LocalRedirect(Links.Post(handle, post.Id));
        }
    }

    private async Task<IActionResult?> LoadParentAsync(CancellationToken ct)
    {
        if (ReplyTo is { } parentId)
        {
            Parent = await timelines.PostAsync(parentId, Me, ct);
            if (Parent is null || Parent.Post.IsDeleted)
            {
                return NotFound();
            }
        }
        return null;
    }

    /// <summary>New files are uploaded at once, so a refused submit keeps them (browsers can't refill a file field).</summary>
    private async Task UploadAsync(long me, CancellationToken ct)
    {
        var files = Request.HasFormContentType ? Request.Form.Files : null;
        if (files is null)
        {
            return;
        }
        for (var i = 1; i <= 4; i++)
        {
            var file = files.GetFile($"image{i}");
            if (file is null || file.Length == 0)
            {
                continue;
            }
            if (MediaIds.Count >= 4)
            {
                Errors.Add($"image{i}", "Attach up to 4 images");
                continue;
            }
            await using var stream = file.OpenReadStream();
            var uploaded = await media.UploadAsync(me, stream, file.Length, Alt(i), ct);
            if (!uploaded.Succeeded)
            {
                Errors.AddAll(uploaded.Errors, new Dictionary<string, string> { ["file"] = $"image{i}", ["altText"] = $"alt{i}" });
            }
            else if (uploaded.Value!.Kind != MediaKind.Image)
            {
                Errors.Add($"image{i}", "Image " + i + " must be a JPG, PNG, WebP or GIF image; add audio or video as an article's episode");
            }
            else
            {
                MediaIds.Add(uploaded.Value.Id);
            }
        }
        var episode = files.GetFile("enclosureFile");
        if (episode is { Length: > 0 } && Kind == "article")
        {
            await using var stream = episode.OpenReadStream();
            var uploaded = await media.UploadAsync(me, stream, episode.Length, Title, ct);
            if (!uploaded.Succeeded)
            {
                Errors.AddAll(uploaded.Errors, new Dictionary<string, string> { ["file"] = "enclosureFile", ["altText"] = "enclosureFile" });
            }
            else if (uploaded.Value!.Kind == MediaKind.Image)
            {
                Errors.Add("enclosureFile", "The episode file must be audio or video: MP3, M4A, OGG, WAV, MP4 or WebM");
            }
            else
            {
                EnclosureMediaId = uploaded.Value.Id;
            }
        }
    }

    private async Task AfterRefusalAsync(long me, CancellationToken ct)
    {
        if (!Errors.Items.Any(i => i.Field.StartsWith("image", StringComparison.Ordinal) || i.Field.StartsWith("alt", StringComparison.Ordinal)))
        {
            Alt1 = Alt2 = Alt3 = Alt4 = null; // their images are attached now
        }
        foreach (var id in MediaIds.Distinct().ToList())
        {
            if (await media.FindAsync(id, ct) is { } m && m.OwnerId == me)
            {
                AttachedMedia.Add(m);
            }
            else
            {
                MediaIds.Remove(id);
            }
        }
        var kind = Kind == "article" ? PostKind.Article : PostKind.Note;
        Findings = posts.Screen(kind, Title, Summary, (Text ?? "").Trim(), AttachedMedia.Count > 0);
        Text = Text?.Trim();
    }
}
