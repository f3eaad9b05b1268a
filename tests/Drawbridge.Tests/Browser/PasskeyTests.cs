using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>
/// Passkeys end to end in Chromium, with its virtual authenticator (DevTools protocol) standing in for a phone or
/// laptop: add one in settings, sign in with it, rename and remove it.
/// </summary>
public sealed class PasskeyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..14];

    /// <summary>
    /// A page at http://localhost:PORT (the server listens on 127.0.0.1): WebAuthn refuses an IP address as the relying
    /// party, and localhost is a secure context. The authenticator says yes to presence and verification by itself.
    /// </summary>
    private async Task<(IPage Page, ICDPSession Authenticators, string AuthenticatorId)> PageWithAuthenticatorAsync(bool userVerifies = true)
    {
        var page = await fixture.NewPageAsync($"http://localhost:{fixture.Server.BaseAddress.Port}/");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = userVerifies,
                ["automaticPresenceSimulation"] = true,
                // As a phone's or a password manager's passkey: backed up, so it shows as synced.
                ["defaultBackupEligibility"] = true,
                ["defaultBackupState"] = true,
            },
        });
        return (page, cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    private static async Task<int> CredentialCountAsync(ICDPSession cdp, string authenticatorId)
    {
        var result = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        return result!.Value.GetProperty("credentials").GetArrayLength();
    }

    private static ILocator MainOf(IPage page) => page.Locator("main");

    private static async Task SignOutAsync(IPage page)
    {
        await page.Locator(".nhsuk-header__account").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-header__account")).ToContainTextAsync("Sign in");
    }

    [Fact]
    public async Task Someone_adds_a_passkey_signs_in_with_it_renames_it_and_after_removing_it_can_no_longer_use_it()
    {
        var user = await fixture.Server.SignUpAsync(Unique("pk_"));
        var (page, cdp, authenticator) = await PageWithAuthenticatorAsync();

        await BrowserFixture.SignInAsync(page, user.Email);
        await page.GotoAsync("/settings/passkeys");
        await Assertions.Expect(MainOf(page)).ToContainTextAsync("You haven't added a passkey yet.");
        await Assertions.Expect(page.GetByText("To add a passkey, use a browser that supports passkeys")).ToBeHiddenAsync();
        await page.GetByLabel("Name (optional)").FillAsync("Ward laptop");
        await page.GetByLabel("Your password").FillAsync(DrawbridgeServer.DefaultPassword);
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();

        await Assertions.Expect(page.Locator(".db-flash")).ToContainTextAsync("Passkey added: Ward laptop");
        await Assertions.Expect(page.Locator("#passkeys")).ToContainTextAsync("Ward laptop");
        await Assertions.Expect(page.Locator("#passkeys .nhsuk-tag")).ToHaveTextAsync("Synced");
        Assert.Equal(1, await CredentialCountAsync(cdp, authenticator));
        var mail = fixture.Server.Services.GetRequiredService<Mailer>().Recent.Last(m => m.To == user.Email);
        Assert.Equal("A passkey was added to your Drawbridge account", mail.Subject);
        await BrowserFixture.AssertAccessibleAsync(page, "passkey settings with a passkey listed");

        await SignOutAsync(page);
        await page.GotoAsync("/auth/sign-in");
        await BrowserFixture.AssertAccessibleAsync(page, "sign-in with the passkey button");
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Home");
        await Assertions.Expect(page.Locator(".nhsuk-header__account")).ToContainTextAsync($"@{user.Handle}");

        await page.GotoAsync("/settings/passkeys");
        await MainOf(page).GetByRole(AriaRole.Link, new() { Name = "Rename or remove Ward laptop" }).ClickAsync();
        await BrowserFixture.AssertAccessibleAsync(page, "one passkey's settings");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("");
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter a name for the passkey");
        await BrowserFixture.AssertAccessibleAsync(page, "renaming a passkey with an error");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Night shift laptop");
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await Assertions.Expect(page.Locator("#passkeys")).ToContainTextAsync("Night shift laptop");

        await MainOf(page).GetByRole(AriaRole.Link, new() { Name = "Rename or remove Night shift laptop" }).ClickAsync();
        await page.GetByLabel("Your password").FillAsync(DrawbridgeServer.DefaultPassword);
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Remove passkey" }).ClickAsync();
        await Assertions.Expect(page.Locator(".db-flash")).ToContainTextAsync("Passkey removed: Night shift laptop");
        await Assertions.Expect(MainOf(page)).ToContainTextAsync("You haven't added a passkey yet.");

        // The device still offers the passkey, but the account no longer accepts it: the page says so, and nobody is signed in.
        await SignOutAsync(page);
        await page.GotoAsync("/auth/sign-in");
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("That passkey isn't one we know");
        await Assertions.Expect(page.Locator(".nhsuk-header__account")).ToContainTextAsync("Sign in");
        await BrowserFixture.AssertAccessibleAsync(page, "sign-in with a passkey error");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }

    [Fact]
    public async Task With_two_factor_on_a_passkey_signs_in_without_asking_for_a_code()
    {
        var user = await fixture.Server.SignUpAsync(Unique("pk_"));
        var (page, _, _) = await PageWithAuthenticatorAsync();
        await BrowserFixture.SignInAsync(page, user.Email);
        await page.GotoAsync("/settings/passkeys");
        await page.GetByLabel("Your password").FillAsync(DrawbridgeServer.DefaultPassword);
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Assertions.Expect(page.Locator(".db-flash")).ToContainTextAsync("Passkey added");
        await SignOutAsync(page);
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var stored = (await users.FindByEmailAsync(user.Email))!;
            await users.ResetAuthenticatorKeyAsync(stored);
            await users.SetTwoFactorEnabledAsync(stored, true);
        }

        // The password alone is not enough now…
        await page.GotoAsync("/auth/sign-in");
        await page.GetByLabel("Email address").FillAsync(user.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DrawbridgeServer.DefaultPassword);
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/auth/two-factor", StringComparison.Ordinal));

        // …but a passkey is already two factors (the device, and the fingerprint, face or PIN that unlocks it).
        await page.GotoAsync("/auth/sign-in");
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Home");
        await Assertions.Expect(page.Locator(".nhsuk-header__account")).ToContainTextAsync($"@{user.Handle}");
    }

    [Fact]
    public async Task When_the_device_refuses_the_page_says_so_and_no_passkey_is_added()
    {
        var user = await fixture.Server.SignUpAsync(Unique("pk_"));
        var (page, cdp, authenticator) = await PageWithAuthenticatorAsync(userVerifies: false);

        await BrowserFixture.SignInAsync(page, user.Email);
        await page.GotoAsync("/settings/passkeys");
        await page.GetByLabel("Your password").FillAsync(DrawbridgeServer.DefaultPassword);
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();

        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("The passkey wasn't made");
        await Assertions.Expect(MainOf(page)).ToContainTextAsync("You haven't added a passkey yet.");
        Assert.Equal(0, await CredentialCountAsync(cdp, authenticator));
        await BrowserFixture.AssertAccessibleAsync(page, "passkey settings with a refusal");
    }

    [Fact]
    public async Task A_passkey_name_that_is_too_long_is_refused_before_the_device_makes_anything()
    {
        var user = await fixture.Server.SignUpAsync(Unique("pk_"));
        var (page, cdp, authenticator) = await PageWithAuthenticatorAsync();

        await BrowserFixture.SignInAsync(page, user.Email);
        await page.GotoAsync("/settings/passkeys");
        await page.GetByLabel("Name (optional)").FillAsync(new string('x', PasskeyService.MaxNameLength + 1));
        await page.GetByLabel("Your password").FillAsync(DrawbridgeServer.DefaultPassword);
        await MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();

        await Assertions.Expect(page.Locator("#name-error")).ToContainTextAsync("Name must be 100 characters or fewer");
        Assert.Equal(0, await CredentialCountAsync(cdp, authenticator));
    }

    [Fact]
    public async Task Without_a_passkey_api_the_sign_in_page_offers_only_the_password_form()
    {
        // A browser without WebAuthn, simulated by removing the API before the page's scripts run.
        var page = await fixture.NewPageAsync();
        await page.AddInitScriptAsync("delete window.PublicKeyCredential;");
        await page.GotoAsync("/auth/sign-in");
        await Assertions.Expect(MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(MainOf(page).GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" })).ToBeHiddenAsync();
    }
}
