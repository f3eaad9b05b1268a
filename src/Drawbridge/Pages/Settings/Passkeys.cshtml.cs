using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

/// <summary>The signed-in person's passkeys: listed with when each was added, and a new one added through the browser's passkey API.</summary>
public sealed class PasskeysSettingsModel(UserManager<User> users, SignInManager<User> signIn, PasskeyService passkeys) : DrawbridgePage
{
    public IReadOnlyList<PasskeyView> Passkeys { get; private set; } = [];
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? CurrentPassword { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? NotFound() : Page();

    /// <summary>
    /// Options for navigator.credentials.create(). The form is checked first (the name, and the password that confirms
    /// it's the account's owner, not someone at an unlocked screen), so a passkey is never made that couldn't be saved.
    /// </summary>
    public async Task<IActionResult> OnPostOptionsAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }
        if (!await FormIsValidAsync(user))
        {
            return BadRequest();
        }
        return Content(await passkeys.CreationOptionsAsync(user), "application/json");
    }

    public async Task<IActionResult> OnPostAddAsync(string? credential, string? browserError)
    {
        if (await LoadAsync() is not { } user)
        {
            return NotFound();
        }
        if (!await FormIsValidAsync(user))
        {
            return Page();
        }
        if (string.IsNullOrEmpty(credential))
        {
            Errors.Add("passkey", PasskeyService.BrowserRefusal(browserError, adding: true));
            return Page();
        }
        var added = await passkeys.AddAsync(user, credential, Name);
        if (Refused(added, new Dictionary<string, string> { [""] = "passkey" }) is { } refused)
        {
            return refused;
        }
        Flash($"Passkey added: {added.Value!.Name}. You can use it next time you sign in.");
        return LocalRedirect("/settings/passkeys");
    }

    private async Task<bool> FormIsValidAsync(User user)
    {
        if (Name?.Trim().Length > PasskeyService.MaxNameLength)
        {
            Errors.Add("name", $"Name must be {PasskeyService.MaxNameLength} characters or fewer");
        }
        if (string.IsNullOrEmpty(CurrentPassword))
        {
            Errors.Add("currentPassword", "Enter your password");
        }
        else
        {
            // Wrong passwords count towards the account's lockout, as at sign-in.
            var check = await signIn.CheckPasswordSignInAsync(user, CurrentPassword, lockoutOnFailure: true);
            if (!check.Succeeded)
            {
                Errors.Add("currentPassword", check.IsLockedOut
                    ? "This account is locked after too many wrong passwords. Try again in 15 minutes"
                    : "Your password is not right");
            }
        }
        return !Errors.Any;
    }

    private async Task<User?> LoadAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is not null)
        {
            Passkeys = await passkeys.ListAsync(user);
        }
        return user;
    }
}
