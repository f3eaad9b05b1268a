using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Drawbridge.Pages.Settings;

public sealed class AccountSettingsModel(
    UserManager<User> users, SignInManager<User> signIn, AccountService accounts, AccessTokenService tokens, Mailer mailer, Reauthentication reauthentication,
    IOptions<DrawbridgeOptions> options)
    : DrawbridgePage
{
    [BindProperty] public string? NewEmail { get; set; }
    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public bool ConfirmDelete { get; set; }
    /// <summary>The password again, to change the email address.</summary>
    [BindProperty] public string? EmailPassword { get; set; }
    /// <summary>The password again, to delete the account.</summary>
    [BindProperty] public string? DeletePassword { get; set; }
    public string CurrentEmail { get; private set; } = "";
    public DateTime? DeletionRequestedAt { get; private set; }
    public int GraceDays => options.Value.DeletionGraceDays;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostEmailAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } user)
        {
            return NotFound();
        }
        if (!AccountService.IsEmail(NewEmail))
        {
            Errors.Add("newEmail", "Enter an email address in the correct format, like name@example.com");
        }
        if (!await reauthentication.ConfirmAsync(user, EmailPassword, Errors, "emailPassword") || Errors.Any)
        {
            return Page();
        }
        if (await users.FindByEmailAsync(NewEmail!.Trim()) is not null)
        {
            Errors.Add("newEmail", "An account with this email address already exists");
            return Page();
        }
        if (options.Value.LinkBaseUrl(Request) is not { } baseUrl)
        {
            Errors.Add("newEmail", "This server can't send links by mail until its public address is set (Drawbridge:PublicUrl): ask its administrator");
            return Page();
        }
        var code = await users.GenerateChangeEmailTokenAsync(user, NewEmail.Trim());
        var link = $"{baseUrl}/auth/confirm-email?userId={Links.Id(user.Id)}&email={Uri.EscapeDataString(NewEmail.Trim())}&code={Uri.EscapeDataString(code)}";
        await mailer.SendAsync(NewEmail.Trim(), "Confirm your new email address for Drawbridge", $"Open this link to use this address for your Drawbridge account:\n{link}\n\nIf you didn't ask for this, ignore this email.", ct);
        Flash($"We've sent a link to {NewEmail.Trim()}. Your email address changes when you follow it.");
        return LocalRedirect("/settings/account");
    }

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } user)
        {
            return NotFound();
        }
        if (string.IsNullOrEmpty(CurrentPassword))
        {
            Errors.Add("currentPassword", "Enter your current password");
        }
        if (string.IsNullOrEmpty(NewPassword))
        {
            Errors.Add("newPassword", "Enter a new password of at least 10 characters");
        }
        if (Errors.Any)
        {
            return Page();
        }
        var result = await users.ChangePasswordAsync(user, CurrentPassword!, NewPassword!);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
            {
                Errors.Add(e.Code == "PasswordMismatch" ? "currentPassword" : "newPassword", e.Code == "PasswordMismatch" ? "Your current password is not right" : e.Description);
            }
            return Page();
        }
        // The new security stamp signs out every other browser (at their next check); API tokens stop at once.
        await tokens.RevokeAllAsync(user.AccountId, ct);
        await signIn.RefreshSignInAsync(user);
        Flash("Your password is changed. You're signed out everywhere else, and your API tokens no longer work.");
        return LocalRedirect("/settings/account");
    }

    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } user)
        {
            return NotFound();
        }
        if (!ConfirmDelete)
        {
            Errors.Add("confirmDelete", "Tick the box to confirm you want to delete your account");
        }
        if (!await reauthentication.ConfirmAsync(user, DeletePassword, Errors, "deletePassword") || Errors.Any)
        {
            return Page();
        }
        await accounts.RequestDeletionAsync(MeRequired, ct);
        await tokens.RevokeAllAsync(MeRequired, ct);
        Flash($"Your account will be deleted in {GraceDays} days. You can cancel until then.");
        return LocalRedirect("/settings/account");
    }

    public async Task<IActionResult> OnPostCancelDeletionAsync(CancellationToken ct)
    {
        await accounts.CancelDeletionAsync(MeRequired, ct);
        Flash("Your account is no longer being deleted.");
        return LocalRedirect("/settings/account");
    }

    private async Task<User?> LoadAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        var account = await accounts.FindAsync(MeRequired, ct);
        if (user is null || account is null)
        {
            return null;
        }
        CurrentEmail = user.Email ?? "";
        DeletionRequestedAt = account.DeletionRequestedAt;
        return user;
    }
}
