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
            Errors.Add("email", "The email address or password is not right");
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
        if (result.IsLockedOut)
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
}
