using Drawbridge.Moderation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Moderation;

/// <summary>Appeals waiting for a moderator's decision.</summary>
[Authorize(Roles = Moderators.Role)]
public sealed class ModerationAppealsModel(ModerationService moderation) : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public long? Appeal { get; set; }
    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public string? Answer { get; set; }
    public IReadOnlyList<AppealView> Pending { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Pending = await moderation.PendingAppealsAsync(100, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Pending = await moderation.PendingAppealsAsync(100, ct);
        if (Outcome is not ("uphold" or "reverse"))
        {
            Errors.Add("outcome", "Choose whether the decision stands or is reversed");
            return Page();
        }
        var outcome = await moderation.DecideAppealAsync(MeRequired, Appeal ?? 0, Outcome == "reverse", Answer, ct);
        if (Refused(outcome, new Dictionary<string, string> { ["response"] = "answer" }) is { } refused)
        {
            return refused;
        }
        Flash("The appeal is decided and the person has been told.");
        return LocalRedirect("/moderation/appeals");
    }
}
