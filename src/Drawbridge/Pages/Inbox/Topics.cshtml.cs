using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Inbox;

/// <summary>Emerging topics: what the latest feedback raises that the organisation's framework does not cover. Its staff only.</summary>
public sealed class TopicsModel(OrganisationDesks desks, InsightsTraining insights) : DrawbridgePage
{
    public OrganisationDesk Desk { get; private set; } = null!;
    public TopicsView? Topics { get; private set; }

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct)
    {
        var desk = await desks.OpenAsync(Me, handle, false, ct);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }
        Desk = desk.Value!;
        Topics = await insights.TopicsAsync(Desk, ct);
        return Page();
    }
}
