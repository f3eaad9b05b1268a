using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;

namespace Drawbridge.Accounts;

/// <summary>
/// Asks for the password again before a change that could hand the account to someone else (email, two-factor off,
/// passkeys, deletion): a signed-in browser left unlocked, or a stolen session cookie, is not enough on its own.
/// </summary>
public sealed class Reauthentication(SignInManager<User> signIn)
{
    /// <summary>True when <paramref name="password"/> is the account's; otherwise an error on <paramref name="field"/>.</summary>
    public async Task<bool> ConfirmAsync(User user, string? password, FormErrors errors, string field)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, "Enter your password");
            return false;
        }
        // Wrong passwords count towards the account's lockout, as at sign-in.
        var check = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (check.Succeeded)
        {
            return true;
        }
        errors.Add(field, check.IsLockedOut
            ? "This account is locked after too many wrong passwords. Try again in 15 minutes"
            : "Your password is not right");
        return false;
    }
}
