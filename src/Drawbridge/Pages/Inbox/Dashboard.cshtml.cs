using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Inbox;

/// <summary>The organisation's dashboard for its staff (viewers too): charts with their tables, response times, rising themes, the two-way score.</summary>
public sealed class DashboardModel(OrganisationDesks desks, DashboardService dashboards, ResponseTimes responseTimes, TwoWayScores scores, ListeningSettingsService settings, OrganisationService organisations) : DrawbridgePage
{
    [FromQuery(Name = "service")] public string? Service { get; set; }
    [FromQuery(Name = "weeks")] public string? WeeksText { get; set; }

    public OrganisationDesk Desk { get; private set; } = null!;
    public DashboardData Data { get; private set; } = null!;
    public int Weeks { get; private set; } = 12;
    public int TargetHours { get; private set; }
    public string HoursText { get; private set; } = "";
    public bool ScorePublic { get; private set; }
    public List<(string Who, TwoWayScore Score)> Scores { get; } = [];

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, false, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        if (!string.IsNullOrWhiteSpace(WeeksText))
        {
            if (int.TryParse(WeeksText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var w) && w is >= 2 and <= DashboardService.MaxWeeks)
            {
                Weeks = w;
            }
            else
            {
                Errors.Add("weeks", $"Weeks must be a number between 2 and {DashboardService.MaxWeeks}");
            }
        }
        Data = await dashboards.BuildAsync(Desk, Weeks, string.IsNullOrWhiteSpace(Service) ? null : Service.Trim(), ct);
        var clk = await responseTimes.ClockAsync(Desk.Organisation.Id, ct);
        TargetHours = clk.Settings.ResponseTargetHours;
        var days = string.Join(", ", ListeningSettingsService.Days.Where(d => (clk.Settings.OpenDays & BusinessCalendar.DayBit(d.Day)) != 0).Select(d => d.Name));
        HoursText = $"{ListeningSettingsService.Clock(clk.Settings.OpensAtMinute)} to {ListeningSettingsService.Clock(clk.Settings.ClosesAtMinute)} UK time on {days}, less {ListeningSettingsService.NationName(clk.Settings.Nation)} bank holidays";
        ScorePublic = await settings.IsScorePublicAsync(Desk.Organisation.Id, ct);
        foreach (var days2 in TwoWayScores.Windows)
        {
            Scores.Add((Desk.Organisation.DisplayName, await scores.ForAccountAsync(Desk.Organisation, days2, ct)));
        }
        foreach (var m in (await organisations.MembersAsync(Desk.Organisation.Id, ct)).Take(50))
        {
            foreach (var days2 in TwoWayScores.Windows)
            {
                Scores.Add((m.Account.DisplayName, await scores.ForAccountAsync(m.Account, days2, ct)));
            }
        }
        return Page();
    }
}
