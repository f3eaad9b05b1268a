using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

public sealed class TokensSettingsModel(AccessTokenService tokens, UserManager<User> users) : DrawbridgePage
{
    [BindProperty] public string? Name { get; set; }
    public string? NewToken { get; private set; }
    public IReadOnlyList<AccessToken> Tokens { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Tokens = await tokens.ListAsync(MeRequired, ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return NotFound();
        }
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 100)
        {
            Errors.Add("name", "Enter a name of up to 100 characters, so you can tell your tokens apart");
        }
        else
        {
            NewToken = await tokens.IssueAsync(user, Name, ct);
            Name = null;
        }
        Tokens = await tokens.ListAsync(MeRequired, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        if (!await tokens.RevokeAsync(MeRequired, id, ct))
        {
            return NotFound();
        }
        Flash("The token is revoked: apps using it can no longer act as you.");
        return LocalRedirect("/settings/tokens");
    }
}
