using Drawbridge.Moderation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Moderation;

/// <summary>One report, and the moderator's decision about it.</summary>
[Authorize(Roles = Moderators.Role)]
public sealed class ReportDetailModel(ModerationService moderation) : DrawbridgePage
{
    [BindProperty] public string? Decision { get; set; }
    [BindProperty] public string? Rule { get; set; }
    [BindProperty] public string? Reason { get; set; }
    public ReportView View { get; private set; } = null!;
    public int ReportCount { get; private set; }

    public IEnumerable<NhsForm.Option> Choices
    {
        get
        {
            if (View.Post is { IsDeleted: false })
            {
                yield return new("hide", "Remove the post", "Its page shows that a moderator removed it, under the rule you choose.");
            }
            yield return new("warn", "Warn the account");
            yield return View.Account.LimitedAt is null
                ? new("limit", "Limit the account", "Its new posts wait for a moderator before they appear.")
                : new("unlimit", "Lift the limit");
            yield return View.Account.SuspendedAt is null
                ? new("suspend", "Suspend the account", "It can read and appeal, nothing else; its profile and posts are hidden.")
                : new("unsuspend", "Lift the suspension");
            yield return new("dismiss", "Dismiss the report", "Nothing breaks the rules.");
        }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        if (View.Report.Status != ReportStatus.Open)
        {
            Errors.Add("decision", "This report has already been decided");
            return Page();
        }
        var outcome = await moderation.ActAsync(MeRequired, new ModerationInput(Decision, View.Account.Id, Decision == "hide" ? View.Post?.Id : null, id, Rule, Reason), ct);
        if (Refused(outcome, new Dictionary<string, string> { ["action"] = "decision" }) is { } refused)
        {
            return refused;
        }
        Flash("The decision is recorded" + (ModerationService.Appealable.Contains(outcome.Value!.Kind) ? " and the person has been told." : "."));
        return LocalRedirect("/moderation/reports");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (await moderation.ReportAsync(id, ct) is not { } view)
        {
            return false;
        }
        View = view;
        ReportCount = await moderation.ReportCountAsync(view.Account.Id, ct);
        return true;
    }
}
