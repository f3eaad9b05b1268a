using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Inbox;

/// <summary>An organisation's listening settings: opening hours, bank holidays, response target, digest, and whether its two-way score is public. Admins only.</summary>
public sealed class SettingsModel(OrganisationDesks desks, ListeningSettingsService settings) : DrawbridgePage
{
    [BindProperty] public string? Nation { get; set; }
    [BindProperty] public string? Opens { get; set; }
    [BindProperty] public string? Closes { get; set; }
    [BindProperty] public List<string> OpenDays { get; set; } = [];
    [BindProperty] public string? ResponseTargetHours { get; set; }
    [BindProperty] public bool WeeklyDigest { get; set; }
    [BindProperty] public bool ScorePublic { get; set; }

    public OrganisationDesk Desk { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct)
    {
        if (await OpenAsync(handle, ct) is { } refused)
        {
            return refused;
        }
        var s = await settings.GetAsync(Desk.Organisation.Id, ct);
        var dto = ListeningSettingsDto.From(s, await settings.IsScorePublicAsync(Desk.Organisation.Id, ct));
        Nation = dto.Nation;
        Opens = dto.Opens;
        Closes = dto.Closes;
        OpenDays = [.. dto.OpenDays];
        ResponseTargetHours = dto.ResponseTargetHours.ToString(System.Globalization.CultureInfo.InvariantCulture);
        WeeklyDigest = dto.WeeklyDigest;
        ScorePublic = dto.ScorePublic;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string handle, CancellationToken ct)
    {
        if (await OpenAsync(handle, ct) is { } refused)
        {
            return refused;
        }
        int? target = null;
        if (int.TryParse(ResponseTargetHours, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t))
        {
            target = t;
        }
        else
        {
            Errors.Add("responseTargetHours", "The response target must be a whole number of working hours, between 1 and 500");
            return Page();
        }
        var saved = await settings.SaveAsync(Desk, new ListeningSettingsInput(Nation, Opens ?? "", Closes ?? "", OpenDays, target, WeeklyDigest), ct);
        if (Refused(saved) is { } problem)
        {
            return problem;
        }
        await settings.SetOrganisationScorePublicAsync(Desk, ScorePublic, ct);
        Flash("Settings saved.");
        return LocalRedirect($"/organisations/{Desk.Organisation.Handle}/settings");
    }

    private async Task<IActionResult?> OpenAsync(string handle, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, false, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        return Desk.IsAdmin ? null : StatusCode(StatusCodes.Status403Forbidden);
    }
}
