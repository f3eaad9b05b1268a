using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Drawbridge.Pages.Auth;

[EnableRateLimiting("sign-in")]
public sealed class ForgotPasswordModel(UserManager<User> users, Mailer mailer, IOptions<DrawbridgeOptions> options, ILogger<ForgotPasswordModel> logger) : DrawbridgePage
{
    [BindProperty] public string? Email { get; set; }
    public bool Sent { get; private set; }

    public void OnGet(bool sent) => Sent = sent;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!AccountService.IsEmail(Email))
        {
            Errors.Add("email", "Enter an email address in the correct format, like name@example.com");
            return Page();
        }
        // The same answer whether or not the address has an account, so the form can't be used to find accounts.
        // The mail goes out after the answer, so how long the answer takes doesn't say whether there was one to send.
        var baseUrl = options.Value.LinkBaseUrl(Request);
        if (await users.FindByEmailAsync(Email!.Trim()) is { } user)
        {
            if (baseUrl is null)
            {
                logger.LogError(DrawbridgeOptions.NoLinkBase);
            }
            else
            {
                var code = await users.GeneratePasswordResetTokenAsync(user);
                var link = $"{baseUrl}/auth/reset-password?email={Uri.EscapeDataString(user.Email!)}&code={Uri.EscapeDataString(code)}";
                mailer.SendLater(user.Email!, "Reset your Drawbridge password", $"Someone asked to reset the password for this Drawbridge account.\n\nTo choose a new password, open this link:\n{link}\n\nIf it wasn't you, ignore this email.");
            }
        }
        return LocalRedirect("/auth/forgot-password?sent=true");
    }
}
