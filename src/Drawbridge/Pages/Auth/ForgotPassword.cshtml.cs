using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Drawbridge.Pages.Auth;

[EnableRateLimiting("sign-in")]
public sealed class ForgotPasswordModel(UserManager<User> users, Mailer mailer, IOptions<DrawbridgeOptions> options) : DrawbridgePage
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
        if (await users.FindByEmailAsync(Email!.Trim()) is { } user)
        {
            var code = await users.GeneratePasswordResetTokenAsync(user);
            var link = $"{PublicBaseUrl(options.Value)}/auth/reset-password?email={Uri.EscapeDataString(user.Email!)}&code={Uri.EscapeDataString(code)}";
            await mailer.SendAsync(user.Email!, "Reset your Drawbridge password", $"Someone asked to reset the password for this Drawbridge account.\n\nTo choose a new password, open this link:\n{link}\n\nIf it wasn't you, ignore this email.", ct);
        }
        return LocalRedirect("/auth/forgot-password?sent=true");
    }
}
