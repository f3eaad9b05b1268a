using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Organisations;

/// <summary>An organisation's published "you said, we did", for anyone: never drafts, internal notes, who drafted a change, or the feedback itself.</summary>
public sealed class YouSaidWeDidModel(AccountService accounts, ChangeService changes) : DrawbridgePage
{
    public Account Organisation { get; private set; } = null!;
    public IReadOnlyList<PublicChange> Changes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct)
    {
        if (await accounts.FindByHandleAsync(handle, ct) is not { Kind: AccountKind.Organisation } org)
        {
            return NotFound();
        }
        Organisation = org;
        Changes = await changes.PublishedAsync(org.Id, 100, ct);
        return Page();
    }
}
