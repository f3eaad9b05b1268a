using Drawbridge.Accounts;
using Drawbridge.Listening;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Organisations;

/// <summary>
/// "Tell us about your experience": anyone, with or without an account, sends feedback to an organisation's inbox.
/// One address may send a few an hour (<see cref="FeedbackLimiter"/>); past that, the form comes back with what they wrote.
/// </summary>
public sealed class FeedbackModel(AccountService accounts, InboxIntake intake, FeedbackLimiter limiter) : DrawbridgePage
{
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? Service { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Website { get; set; }
    public Account Organisation { get; private set; } = null!;
    public bool Sent { get; private set; }
    public string? HeldReason { get; private set; }

    public async Task<IActionResult> OnGetAsync(string handle, CancellationToken ct) =>
        await LoadAsync(handle, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string handle, CancellationToken ct)
    {
        if (!await LoadAsync(handle, ct))
        {
            return NotFound();
        }
        if (!limiter.TryAcquire(HttpContext, out var retryAfter))
        {
            Errors.Add("text", FeedbackLimiter.Message);
            Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        var outcome = await intake.SubmitFeedbackAsync(handle, new FeedbackInput(Name, Email, Service, Text ?? "", Website), ct);
        if (Refused(outcome, new Dictionary<string, string> { [""] = "text" }) is { } refused)
        {
            return refused;
        }
        Sent = true;
        HeldReason = outcome.Value!.HeldReason;
        return Page();
    }

    private async Task<bool> LoadAsync(string handle, CancellationToken ct)
    {
        var org = await accounts.FindByHandleAsync(handle, ct);
        if (org is null || org.Kind != AccountKind.Organisation)
        {
            return false;
        }
        Organisation = org;
        return true;
    }
}
