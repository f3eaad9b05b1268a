using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Auth;

public sealed class ResetPasswordModel(UserManager<User> users, AccessTokenService tokens) : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public string? Email { get; set; }
    [BindProperty(SupportsGet = true)] public string? Code { get; set; }
    [BindProperty] public string? Password { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = string.IsNullOrEmpty(Email) ? null : await users.FindByEmailAsync(Email);
        if (user is null || string.IsNullOrEmpty(Code))
        {
            Errors.Add("", "This reset link doesn't work. Ask for a new one");
            return Page();
        }
        var result = await users.ResetPasswordAsync(user, Code, Password ?? "");
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
            {
                Errors.Add(e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "", e.Code == "InvalidToken" ? "This reset link has expired or been used. Ask for a new one" : e.Description);
            }
            return Page();
        }
        await users.ResetAccessFailedCountAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        // Whoever knew the old password may have made tokens with it.
        await tokens.RevokeAllAsync(user.AccountId, HttpContext.RequestAborted);
        Flash("Your password is changed. Sign in with your new password.");
        return LocalRedirect("/auth/sign-in");
    }
}
