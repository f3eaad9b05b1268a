using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Web;

/// <summary>Account pages end to end over HTTP: two-factor sign-in, password reset by email, API tokens, deletion with a grace period.</summary>
public sealed partial class AccountPagesTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private async Task<(TestUser User, WebSession Web)> SignedInAsync(string prefix)
    {
        var user = await server.SignUpAsync($"{prefix}_{Guid.NewGuid():N}"[..16]);
        var web = new WebSession(server);
        await web.SignInAsync(user.Email);
        return (user, web);
    }

    /// <summary>RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it.</summary>
    internal static string Totp(string base32Key)
    {
        var key = Base32(base32Key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant());
        var counter = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var message = BitConverter.GetBytes(counter);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(message);
        }
        var hash = HMACSHA1.HashData(key, message);
        var offset = hash[^1] & 0x0F;
        var binary = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }

    [Fact]
    public async Task Two_factor_is_turned_on_with_a_code_then_signing_in_asks_for_one_and_a_recovery_code_works_once()
    {
        var (user, web) = await SignedInAsync("totp");
        using var _ = web;
        var (_, security) = await web.GetAsync("/settings/security");
        var key = security.QuerySelector("#shared-key")!.TextContent;
        Assert.StartsWith("otpauth://totp/", security.QuerySelector(".nhsuk-details__text .db-code")!.TextContent, StringComparison.Ordinal);
        Assert.StartsWith("data:image/png;base64,", security.QuerySelector("img.db-qr")!.GetAttribute("src"), StringComparison.Ordinal);

        var wrong = await web.SubmitAsync("/settings/security", "form[action*=enable]", new Dictionary<string, string> { ["code"] = "000000" == Totp(key) ? "111111" : "000000" });
        var wrongPage = await WebSession.ParseAsync(await wrong.Content.ReadAsStringAsync());
        Assert.Contains("The code is not right", wrongPage.QuerySelector("#code-error")!.TextContent, StringComparison.Ordinal);

        var enabled = await web.SubmitAsync("/settings/security", "form[action*=enable]", new Dictionary<string, string> { ["code"] = Totp(key) });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var page = await WebSession.ParseAsync(await enabled.Content.ReadAsStringAsync());
        var codes = page.QuerySelectorAll(".db-code li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Contains("On", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        using var second = new WebSession(server);
        var signIn = await second.SubmitAsync("/auth/sign-in", "main form", new Dictionary<string, string> { ["email"] = user.Email, ["password"] = DrawbridgeServer.DefaultPassword });
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect, $"Sign-in answered {(int)signIn.StatusCode}: {(await WebSession.ParseAsync(await signIn.Content.ReadAsStringAsync())).QuerySelector("main")?.TextContent}");
        Assert.StartsWith("/auth/two-factor", signIn.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, (await second.GetAsync("/compose")).Status);
        var done = await second.SubmitAsync(signIn.Headers.Location!.ToString(), "main form:not([action*=recovery])", new Dictionary<string, string> { ["code"] = Totp(key) });
        Assert.Equal("/", done.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/compose")).Status);

        using var third = new WebSession(server);
        var again = await third.SubmitAsync("/auth/sign-in", "main form", new Dictionary<string, string> { ["email"] = user.Email, ["password"] = DrawbridgeServer.DefaultPassword });
        var recovered = await third.SubmitAsync(again.Headers.Location!.ToString(), "main form[action*=recovery]", new Dictionary<string, string> { ["recoveryCode"] = codes[0] });
        Assert.Equal("/", recovered.Headers.Location!.ToString());

        using var fourth = new WebSession(server);
        var reuse = await fourth.SubmitAsync("/auth/sign-in", "main form", new Dictionary<string, string> { ["email"] = user.Email, ["password"] = DrawbridgeServer.DefaultPassword });
        var refused = await fourth.SubmitAsync(reuse.Headers.Location!.ToString(), "main form[action*=recovery]", new Dictionary<string, string> { ["recoveryCode"] = codes[0] });
        var refusedPage = await WebSession.ParseAsync(await refused.Content.ReadAsStringAsync());
        Assert.Contains("has been used", refusedPage.QuerySelector("#recoveryCode-error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forgotten_password_is_reset_from_the_emailed_link()
    {
        var user = await server.SignUpAsync($"reset_{Guid.NewGuid():N}"[..16]);
        using var web = new WebSession(server);
        var sent = await web.SubmitAsync("/auth/forgot-password", "main form", new Dictionary<string, string> { ["email"] = user.Email });
        Assert.Equal("/auth/forgot-password?sent=true", sent.Headers.Location!.ToString());
        var mail = server.Services.GetRequiredService<Mailer>().Recent.Last(m => m.To == user.Email);
        var link = new Uri(LinkPattern().Match(mail.Body).Value);
        var reset = await web.SubmitAsync(link.PathAndQuery, "main form", new Dictionary<string, string> { ["password"] = "a brand new password" });
        Assert.Equal("/auth/sign-in", reset.Headers.Location!.ToString());
        await web.SignInAsync(user.Email, "a brand new password");
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/compose")).Status);
    }

    [Fact]
    public async Task An_api_token_made_in_settings_works_until_it_is_revoked()
    {
        var (_, web) = await SignedInAsync("tokens");
        using var _ = web;
        var created = await web.SubmitAsync("/settings/tokens", "form[action*=create]", new Dictionary<string, string> { ["name"] = "My phone" });
        var page = await WebSession.ParseAsync(await created.Content.ReadAsStringAsync());
        var token = page.QuerySelector("#new-token")!.TextContent.Trim();
        Assert.Contains("My phone", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        using var api = server.Http(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/drawbridge/v1/me")).StatusCode);

        var revoked = await web.SubmitAsync("/settings/tokens", "form[action*=revoke]", new Dictionary<string, string>());
        Assert.Equal("/settings/tokens", revoked.Headers.Location!.ToString());
        using var after = server.Http(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await after.GetAsync("/api/drawbridge/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Deleting_an_account_hides_the_profile_until_the_person_cancels()
    {
        var (user, web) = await SignedInAsync("leaver");
        using var _ = web;
        var unconfirmed = await web.SubmitAsync("/settings/account", "form[action*=delete]", new Dictionary<string, string>());
        var page = await WebSession.ParseAsync(await unconfirmed.Content.ReadAsStringAsync());
        Assert.Contains("Tick the box", page.QuerySelector("#confirmDelete-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/@{user.Handle}")).Status);

        await web.SubmitAsync("/settings/account", "form[action*=delete]", new Dictionary<string, string> { ["confirmDelete"] = "true", ["deletePassword"] = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/@{user.Handle}")).Status);
        var (_, settings) = await web.GetAsync("/settings/account");
        Assert.Contains("Your account is being deleted", settings.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        await web.SubmitAsync("/settings/account", "form[action*=canceldeletion]", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/@{user.Handle}")).Status);
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
