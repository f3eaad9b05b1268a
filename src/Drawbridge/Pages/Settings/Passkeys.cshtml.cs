using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

/// <summary>The signed-in person's passkeys: listed with when each was added, and a new one added through the browser's passkey API.</summary>
public sealed class PasskeysSettingsModel(UserManager<User> users, PasskeyService passkeys) : DrawbridgePage
{
    public IReadOnlyList<PasskeyView> Passkeys { get; private set; } = [];
    [BindProperty] public string? Name { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? NotFound() : Page();

    /// <summary>Options for navigator.credentials.create(). The name is checked first, so a passkey is never made that couldn't be saved.</summary>
    public async Task<IActionResult> OnPostOptionsAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }
        if (Name?.Trim().Length > PasskeyService.MaxNameLength)
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
        if (Name?.Trim().Length > PasskeyService.MaxNameLength)
        {
            Errors.Add("name", $"Name must be {PasskeyService.MaxNameLength} characters or fewer");
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
