using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Moderation;
using Drawbridge.Posts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Pages;

/// <summary>Report an account or one of its posts to the moderators: signed-in people, for what they can see.</summary>
public sealed class ReportModel(ModerationService moderation, DrawbridgeDb db) : DrawbridgePage
{
    [BindProperty] public string? Rule { get; set; }
    [BindProperty] public string? Comment { get; set; }
    public Account Account { get; private set; } = null!;
    public Post? Post { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? account, long? post, CancellationToken ct) =>
        await LoadAsync(account, post, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long? account, long? post, CancellationToken ct)
    {
        if (!await LoadAsync(account, post, ct))
        {
            return NotFound();
        }
        var outcome = await moderation.FileAsync(MeRequired, null, new ReportInput(Account.Id, Post?.Id, Rule, Comment), ct);
        if (Refused(outcome) is { } refused)
        {
            return refused;
        }
        Flash("Thank you: your report has gone to the moderators.");
        return LocalRedirect(Links.Profile(Account.Handle));
    }

    private async Task<bool> LoadAsync(long? accountId, long? postId, CancellationToken ct)
    {
        if (postId is { } p)
        {
            var found = await db.Posts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == p, ct);
            if (found is null || !await PostAccess.CanSeeAsync(db, Me, found, ct))
            {
                return false;
            }
            Post = found;
            accountId = found.AuthorId;
        }
        var account = accountId is { } a ? await db.Accounts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == a && x.DeletionRequestedAt == null, ct) : null;
        if (account is null || account.Id == Me)
        {
            return false;
        }
        Account = account;
        return true;
    }
}
