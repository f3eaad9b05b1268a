using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Drawbridge.Pages.Auth;

[EnableRateLimiting("sign-in")]
public sealed class SignInModel(SignInManager<User> signIn, UserManager<User> users) : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public bool RememberMe { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email))
        {
            Errors.Add("email", "Enter your email address");
        }
        if (string.IsNullOrEmpty(Password))
        {
            Errors.Add("password", "Enter your password");
        }
        if (Errors.Any)
        {
            return Page();
        }
        var user = await users.FindByEmailAsync(Email!.Trim());
        if (user is null)
        {
            SignInAnswers.CheckAgainstNobody(Password);
            Errors.Add("email", SignInAnswers.Wrong);
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(user, Password!, RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return BackTo(ReturnUrl, "/");
        }
        if (result.RequiresTwoFactor)
        {
            return LocalRedirect("/auth/two-factor?rememberMe=" + (RememberMe ? "true" : "false") + "&returnUrl=" + Uri.EscapeDataString(ReturnUrl ?? "/"));
        }
        // Identity checks lockout and confirmation before the password: say why only to someone who knows it.
        if ((result.IsLockedOut || result.IsNotAllowed) && !await SignInAnswers.PasswordIsRightAsync(users, user, Password))
        {
            Errors.Add("email", SignInAnswers.Wrong);
        }
        else if (result.IsLockedOut)
        {
            Errors.Add("email", "This account is locked after too many wrong passwords. Try again in 15 minutes, or reset your password");
        }
        else if (result.IsNotAllowed)
        {
            Errors.Add("email", "Confirm your email address first: follow the link in the email we sent you");
        }
        else
        {
            Errors.Add("email", "The email address or password is not right");
        }
        return Page();
    }

    /// <summary>Options for navigator.credentials.get(): any passkey of this site (usernameless), with a fresh challenge Identity keeps for the next step.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() =>
        Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json");

    /// <summary>
    /// Signs in with the passkey the browser chose. Identity checks the signature against the challenge and the stored
    /// public key; a passkey is already two factors (the device and the person's fingerprint, face or PIN), so it skips the code.
    /// </summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? credential, string? browserError)
    {
        if (string.IsNullOrEmpty(credential))
        {
            Errors.Add("passkey", PasskeyService.BrowserRefusal(browserError, adding: false));
            return Page();
        }
        Microsoft.AspNetCore.Identity.SignInResult result;
        try
        {
            result = await signIn.PasskeySignInAsync(credential);
        }
        catch (InvalidOperationException)
        {
            // Identity keeps the challenge for five minutes, in a cookie: it has expired, or was used already (a second submit).
            Errors.Add("passkey", PasskeyService.ExpiredMessage);
            return Page();
        }
        if (result.Succeeded)
        {
            return BackTo(ReturnUrl, "/");
        }
        Errors.Add("passkey", result.IsLockedOut
            ? "This account is locked after too many failed attempts. Try again in 15 minutes"
            : result.IsNotAllowed
                ? "Confirm your email address first: follow the link in the email we sent you"
                : "That passkey isn't one we know. It may have been removed from your account. Sign in with your email address and password");
        return Page();
    }
}
