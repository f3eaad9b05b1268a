using Drawbridge.Accounts;
using Drawbridge.Pages.OAuth;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

/// <summary>The apps a signed-in person has allowed through OAuth, one line per app, each revocable.</summary>
public sealed class AppsSettingsModel(AccessTokenService tokens) : DrawbridgePage
{
    public sealed record AuthorisedApp(string ClientId, string Name, DateTime Since, IReadOnlyList<string> Can);

    public IReadOnlyList<AuthorisedApp> Apps { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Apps = (await tokens.AppTokensAsync(MeRequired, ct)).GroupBy(t => t.ClientId!)
            .Select(g => new AuthorisedApp(g.Key, g.First().Name, g.Min(t => t.CreatedAt),
                AuthorizeModel.Describe(g.SelectMany(t => ApiScopes.Parse(t.Scopes)).Distinct())))
            .ToList();

    public async Task<IActionResult> OnPostRevokeAsync(string clientId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(clientId) || !await tokens.RevokeAppAsync(MeRequired, clientId, ct))
        {
            return NotFound();
        }
        Flash("The app is revoked: it can no longer use your account.");
        return LocalRedirect("/settings/apps");
    }
}
