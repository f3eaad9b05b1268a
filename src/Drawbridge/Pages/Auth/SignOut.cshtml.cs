using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Auth;

/// <summary>Signing out is a POST (with the antiforgery token), so a link or image elsewhere can't sign anyone out.</summary>
public sealed class SignOutModel(SignInManager<User> signIn) : DrawbridgePage
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        Flash("You have signed out.");
        return LocalRedirect("/");
    }
}
