using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Drawbridge.Web;

/// <summary>What every page shares: the signed-in account, form errors, and safe redirects.</summary>
public abstract class DrawbridgePage : PageModel
{
    public FormErrors Errors { get; } = new();

    /// <summary>The signed-in account's id, or null for a visitor.</summary>
    public long? Me => User.AccountIdOf();

    /// <summary>For pages that require sign-in (the conventions in DrawbridgeHost guarantee the claim).</summary>
    protected long MeRequired => Me ?? throw new InvalidOperationException("This page requires a signed-in account");

    /// <summary>Sends the reader back where they came from, but never off this site.</summary>
    protected IActionResult BackTo(string? returnUrl, string fallback) =>
        LocalRedirect(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : fallback);

    /// <summary>Maps a refused command onto the page: not-found and forbidden become their status pages, the rest field errors.</summary>
    protected IActionResult? Refused<T>(Outcome<T> outcome, IReadOnlyDictionary<string, string>? renames = null)
    {
        switch (outcome.Failure)
        {
            case OutcomeFailure.None:
                return null;
            case OutcomeFailure.NotFound:
                return NotFound();
            case OutcomeFailure.Forbidden:
                return StatusCode(StatusCodes.Status403Forbidden);
            default:
                Errors.AddAll(outcome.Errors, renames);
                return Page();
        }
    }

    /// <summary>A one-off message shown on the next page (after a redirect).</summary>
    protected void Flash(string message) => TempData["Flash"] = message;

    protected string PublicBaseUrl(DrawbridgeOptions options) => options.BaseUrl(Request);
}
