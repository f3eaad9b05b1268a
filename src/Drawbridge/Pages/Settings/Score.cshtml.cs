using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

/// <summary>Your own two-way score, and the consent to show it on your profile (off until you give it).</summary>
public sealed class ScoreSettingsModel(AccountService accounts, TwoWayScores scores, ListeningSettingsService settings) : DrawbridgePage
{
    [BindProperty] public bool Public { get; set; }
    public IReadOnlyList<TwoWayScore> Scores { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Public = await settings.IsScorePublicAsync(MeRequired, ct);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await settings.SetScorePublicAsync(MeRequired, Public, ct);
        Flash(Public ? "Your two-way score is now on your public profile." : "Your two-way score is private again.");
        return LocalRedirect("/settings/score");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var me = await accounts.FindAsync(MeRequired, ct) ?? throw new InvalidOperationException("The signed-in account is gone");
        var list = new List<TwoWayScore>();
        foreach (var days in TwoWayScores.Windows)
        {
            list.Add(await scores.ForAccountAsync(me, days, ct));
        }
        Scores = list;
    }
}
