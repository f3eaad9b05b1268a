using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using QRCoder;

namespace Drawbridge.Pages.Settings;

/// <summary>TOTP two-factor authentication with ASP.NET Core Identity: shared key, otpauth URI and QR code, verify, recovery codes, turn off.</summary>
public sealed class SecuritySettingsModel(UserManager<User> users, SignInManager<User> signIn, Reauthentication reauthentication) : DrawbridgePage
{
    public bool Enabled { get; private set; }
    public string SharedKey { get; private set; } = "";
    public string AuthenticatorUri { get; private set; } = "";
    public string? QrDataUri { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostEnableAsync(string? code)
    {
        if (await LoadAsync() is not { } user)
        {
            return NotFound();
        }
        var cleaned = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (cleaned.Length == 0)
        {
            Errors.Add("code", "Enter the 6-digit code from your authenticator app");
            return Page();
        }
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, cleaned))
        {
            Errors.Add("code", "The code is not right. Check the key in your app and try again");
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))?.ToList();
        await signIn.RefreshSignInAsync(user);
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostCodesAsync()
    {
        if (await LoadAsync() is not { } user || !Enabled)
        {
            return NotFound();
        }
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))?.ToList();
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync(string? disablePassword)
    {
        if (await LoadAsync() is not { } user)
        {
            return NotFound();
        }
        if (!await reauthentication.ConfirmAsync(user, disablePassword, Errors, "disablePassword"))
        {
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, false);
        // A new key, so the old app entry stops working.
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        Flash("Two-factor authentication is off.");
        return LocalRedirect("/settings/security");
    }

    private async Task<User?> LoadAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return null;
        }
        Enabled = await users.GetTwoFactorEnabledAsync(user);
        RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user) ?? "";
            // A new key is a new security stamp: this browser's session is renewed with it, or it would be signed out.
            await signIn.RefreshSignInAsync(user);
        }
        SharedKey = string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
        AuthenticatorUri = $"otpauth://totp/{Uri.EscapeDataString("Drawbridge")}:{Uri.EscapeDataString(user.Email ?? user.UserName ?? "")}?secret={key}&issuer=Drawbridge&digits=6";
        if (!Enabled)
        {
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(AuthenticatorUri, QRCodeGenerator.ECCLevel.M);
            var png = new PngByteQRCode(data).GetGraphic(5);
            QrDataUri = "data:image/png;base64," + Convert.ToBase64String(png);
        }
        return user;
    }
}
