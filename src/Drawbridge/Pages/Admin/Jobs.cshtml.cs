using Drawbridge.Jobs;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Admin;

/// <summary>Background work, for moderators: how much is waiting, what failed and why, and a retry.</summary>
[Authorize(Roles = Moderators.Role)]
public sealed class JobsModel(JobAdmin jobs) : DrawbridgePage
{
    public JobCounts Counts { get; private set; } = new(0, 0, 0, 0, 0);
    public IReadOnlyList<Job> Troubled { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Counts = await jobs.CountsAsync(ct);
        Troubled = await jobs.TroubledAsync(50, ct);
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        if (!await jobs.RetryAsync(id, ct))
        {
            return NotFound();
        }
        Flash("The job will run again shortly.");
        return LocalRedirect("/admin/jobs");
    }
}
