using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Drawbridge.Pages.Auth;

/// <summary>The second step of signing in for accounts with an authenticator app (or a recovery code).</summary>
[EnableRateLimiting("sign-in")]
public sealed class TwoFactorModel(SignInManager<User> signIn) : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public bool RememberMe { get; set; }
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public bool RememberDevice { get; set; }
    [BindProperty] public string? RecoveryCode { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? LocalRedirect("/auth/sign-in") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return LocalRedirect("/auth/sign-in");
        }
        var code = (Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (code.Length == 0)
        {
            Errors.Add("code", "Enter the 6-digit code from your authenticator app");
            return Page();
        }
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, RememberMe, RememberDevice);
        return Outcome(result, "code", "The code is not right. Check your app and try again");
    }

    public async Task<IActionResult> OnPostRecoveryAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return LocalRedirect("/auth/sign-in");
        }
        var code = (RecoveryCode ?? "").Replace(" ", "", StringComparison.Ordinal);
        if (code.Length == 0)
        {
            Errors.Add("recoveryCode", "Enter one of your recovery codes");
            return Page();
        }
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        return Outcome(result, "recoveryCode", "That recovery code is not right, or has been used");
    }

    private IActionResult Outcome(Microsoft.AspNetCore.Identity.SignInResult result, string field, string wrong)
    {
        if (result.Succeeded)
        {
            return BackTo(ReturnUrl, "/");
        }
        Errors.Add(field, result.IsLockedOut ? "This account is locked after too many wrong codes. Try again in 15 minutes" : wrong);
        return Page();
    }
}
