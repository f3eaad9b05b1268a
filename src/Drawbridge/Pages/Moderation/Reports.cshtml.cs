using Drawbridge.Moderation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;

namespace Drawbridge.Pages.Moderation;

/// <summary>The moderators' queue of reports.</summary>
[Authorize(Roles = Moderators.Role)]
public sealed class ReportsModel(ModerationService moderation) : DrawbridgePage
{
    public ReportStatus Status { get; private set; }
    public IReadOnlyList<ReportView> Reports { get; private set; } = [];

    public async Task OnGetAsync(string? status, CancellationToken ct)
    {
        Status = status == "closed" ? ReportStatus.Actioned : ReportStatus.Open;
        Reports = Status == ReportStatus.Open
            ? await moderation.QueueAsync(ReportStatus.Open, 100, ct)
            : [.. await moderation.QueueAsync(ReportStatus.Actioned, 50, ct), .. await moderation.QueueAsync(ReportStatus.Dismissed, 50, ct)];
    }
}
