using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;

namespace Drawbridge.Pages.Auth;

/// <summary>Confirms a new account's email, or a changed email address (when the link carries the new one).</summary>
public sealed class ConfirmEmailModel(UserManager<User> users) : DrawbridgePage
{
    public bool Confirmed { get; private set; }
    public bool Changed { get; private set; }

    public async Task OnGetAsync(string? userId, string? code, string? email)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || await users.FindByIdAsync(userId) is not { } user)
        {
            return;
        }
        if (!string.IsNullOrEmpty(email))
        {
            Changed = true;
            Confirmed = (await users.ChangeEmailAsync(user, email, code)).Succeeded;
            return;
        }
        Confirmed = (await users.ConfirmEmailAsync(user, code)).Succeeded;
    }
}
