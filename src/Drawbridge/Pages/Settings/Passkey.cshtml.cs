using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Settings;

/// <summary>One passkey of the signed-in person: rename it, or remove it. Another person's passkey is not found.</summary>
public sealed class PasskeySettingsModel(UserManager<User> users, PasskeyService passkeys, Reauthentication reauthentication) : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty] public string? Name { get; set; }
    public PasskeyView Passkey { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostRenameAsync()
    {
        if (await LoadAsync() is not { } user)
        {
            return NotFound();
        }
        var renamed = await passkeys.RenameAsync(user, Id, Name);
        if (Refused(renamed) is { } refused)
        {
            return refused;
        }
        Flash($"Passkey renamed: {renamed.Value!.Name}.");
        return LocalRedirect("/settings/passkeys");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? removePassword)
    {
        if (await LoadAsync() is not { } user)
        {
            return NotFound();
        }
        if (!await reauthentication.ConfirmAsync(user, removePassword, Errors, "removePassword"))
        {
            return Page();
        }
        var removed = await passkeys.RemoveAsync(user, Id);
        if (Refused(removed) is { } refused)
        {
            return refused;
        }
        Flash($"Passkey removed: {removed.Value!.Name}. It can't be used to sign in any more.");
        return LocalRedirect("/settings/passkeys");
    }

    private async Task<User?> LoadAsync()
    {
        if (await users.GetUserAsync(User) is not { } user || await passkeys.FindAsync(user, Id) is not { } passkey)
        {
            return null;
        }
        Passkey = passkey;
        return user;
    }
}
