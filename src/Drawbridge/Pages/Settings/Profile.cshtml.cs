using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

public sealed class ProfileSettingsModel(AccountService accounts) : DrawbridgePage
{
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Bio { get; set; }
    [BindProperty] public string? Profession { get; set; }
    [BindProperty] public string? Employer { get; set; }
    [BindProperty] public string? Links { get; set; }
    public bool IsProfessional { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await accounts.FindAsync(MeRequired, ct) is not { } a)
        {
            return NotFound();
        }
        IsProfessional = a.Kind == AccountKind.Professional;
        DisplayName = a.DisplayName;
        Bio = a.Bio;
        Profession = a.Profession;
        Employer = a.Employer;
        Links = string.Join('\n', a.ParsedLinks().Select(l => $"{l.Label} | {l.Url}"));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await accounts.FindAsync(MeRequired, ct) is not { } a)
        {
            return NotFound();
        }
        IsProfessional = a.Kind == AccountKind.Professional;
        var links = new List<ProfileLink>();
        foreach (var line in (Links ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|', 2, StringSplitOptions.TrimEntries);
            links.Add(parts.Length == 2 ? new ProfileLink(parts[0], parts[1]) : new ProfileLink(parts[0], parts[0]));
        }
        var outcome = await accounts.UpdateProfileAsync(a.Id, new ProfileInput(DisplayName ?? "", Bio ?? "", Profession, Employer, links), ct);
        if (Refused(outcome) is { } refused)
        {
            return refused;
        }
        Flash("Your profile is saved.");
        return LocalRedirect("/settings/profile");
    }
}
