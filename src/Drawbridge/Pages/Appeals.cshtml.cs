using Drawbridge.Moderation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

/// <summary>The signed-in person's own moderation decisions, and their appeals (open to a suspended account too).</summary>
public sealed class AppealsModel(ModerationService moderation) : DrawbridgePage
{
    [BindProperty] public string? Text { get; set; }
    [BindProperty(SupportsGet = true)] public long? Decision { get; set; }
    public IReadOnlyList<DecisionView> Decisions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Decisions = await moderation.DecisionsAboutAsync(MeRequired, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await moderation.AppealAsync(MeRequired, Decision ?? 0, Text, ct);
        if (Refused(outcome) is { } refused)
        {
            Decisions = await moderation.DecisionsAboutAsync(MeRequired, ct);
            return refused;
        }
        Flash("Your appeal has gone to the moderators.");
        return LocalRedirect("/appeals");
    }
}
