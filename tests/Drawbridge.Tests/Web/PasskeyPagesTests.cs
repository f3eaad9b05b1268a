using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Web;

/// <summary>The passkey pages over plain HTTP, as a browser without JavaScript (or a forger) sees them.</summary>
public sealed class PasskeyPagesTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private async Task<(TestUser User, WebSession Web)> SignedInAsync()
    {
        var user = await server.SignUpAsync($"pk_{Guid.NewGuid():N}"[..16]);
        var web = new WebSession(server);
        await web.SignInAsync(user.Email);
        return (user, web);
    }

    private static async Task<string> AntiforgeryTokenAsync(WebSession web, string url)
    {
        var (_, page) = await web.GetAsync(url);
        return ((IHtmlInputElement)page.QuerySelector("input[name=__RequestVerificationToken]")!).Value;
    }

    [Fact]
    public async Task Without_javascript_the_passkey_forms_stay_hidden_and_the_password_form_comes_first()
    {
        using var web = new WebSession(server);
        var (status, page) = await web.GetAsync("/auth/sign-in");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("email", page.QuerySelector("main form input[type=email]")?.GetAttribute("name"));
        Assert.True(page.QuerySelector("[data-passkey-section]")!.HasAttribute("hidden"));
        Assert.Contains("/js/passkeys.mjs", page.QuerySelector("head script[src*=passkeys]")?.GetAttribute("src"), StringComparison.Ordinal);

        var (_, signedIn) = await SignedInAsync();
        using (signedIn)
        {
            var (_, settings) = await signedIn.GetAsync("/settings/passkeys");
            Assert.True(settings.QuerySelector("[data-passkey-section]")!.HasAttribute("hidden"));
            Assert.Contains("use a browser that supports passkeys", settings.QuerySelector("[data-passkey-unsupported]")!.TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Passkey_options_need_the_antiforgery_token_and_name_this_host_as_the_relying_party()
    {
        using var web = new WebSession(server);
        using var forged = await web.PostRawAsync("/auth/sign-in?handler=passkeyOptions", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var token = await AntiforgeryTokenAsync(web, "/auth/sign-in");
        using var response = await web.PostRawAsync("/auth/sign-in?handler=passkeyOptions", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var options = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(server.BaseAddress.Host, options.GetProperty("rpId").GetString());
        Assert.True(Base64Url.DecodeFromChars(options.GetProperty("challenge").GetString()).Length >= 16);
    }

    [Fact]
    public async Task A_forged_passkey_answer_signs_nobody_in_and_says_so()
    {
        using var web = new WebSession(server);
        // A real challenge first, as the page's script would ask for, so it is the answer that is judged.
        var token = await AntiforgeryTokenAsync(web, "/auth/sign-in");
        using (var options = await web.PostRawAsync("/auth/sign-in?handler=passkeyOptions", new Dictionary<string, string> { ["__RequestVerificationToken"] = token }))
        {
            Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        }
        using var response = await web.SubmitAsync("/auth/sign-in", "form[data-passkey]", new Dictionary<string, string>
        {
            ["credential"] = """{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}""",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("That passkey isn't one we know", page.QuerySelector(".nhsuk-error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("#passkey", page.QuerySelector(".nhsuk-error-summary a")!.GetAttribute("href"));
        var (settings, _) = await web.GetAsync("/settings/passkeys");
        Assert.Equal(HttpStatusCode.Redirect, settings);
    }

    [Fact]
    public async Task A_refusal_reported_by_the_browser_is_explained_in_plain_words_never_echoed()
    {
        var (_, web) = await SignedInAsync();
        using (web)
        {
            using var response = await web.SubmitAsync("/settings/passkeys", "form[data-passkey]", new Dictionary<string, string> { ["browserError"] = "<b>NotAllowedError</b>", ["currentPassword"] = DrawbridgeServer.DefaultPassword });
            var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
            var summary = page.QuerySelector(".nhsuk-error-summary")!.TextContent;
            Assert.Contains("Your browser couldn't make a passkey", summary, StringComparison.Ordinal);
            Assert.DoesNotContain("NotAllowedError", summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_new_passkey_sent_without_a_request_underway_is_refused_as_expired_and_nothing_is_stored()
    {
        var (user, web) = await SignedInAsync();
        using (web)
        {
            using var response = await web.SubmitAsync("/settings/passkeys", "form[data-passkey]", new Dictionary<string, string> { ["credential"] = "{}", ["name"] = "Replayed", ["currentPassword"] = DrawbridgeServer.DefaultPassword });
            var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
            Assert.Contains("The passkey request expired or was already used", page.QuerySelector(".nhsuk-error-summary")!.TextContent, StringComparison.Ordinal);
            Assert.Equal("Replayed", ((IHtmlInputElement)page.QuerySelector("#name")!).Value);
        }
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        Assert.Empty(await users.GetPasskeysAsync((await users.FindByEmailAsync(user.Email))!));
    }

    [Fact]
    public async Task Adding_a_passkey_needs_the_account_password_before_the_device_is_asked()
    {
        var (user, web) = await SignedInAsync();
        using (web)
        {
            var token = await AntiforgeryTokenAsync(web, "/settings/passkeys");
            using var options = await web.PostRawAsync("/settings/passkeys?handler=options", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["currentPassword"] = "not the password" });
            Assert.Equal(HttpStatusCode.BadRequest, options.StatusCode);
            using var withPassword = await web.PostRawAsync("/settings/passkeys?handler=options", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["currentPassword"] = DrawbridgeServer.DefaultPassword });
            Assert.Equal(HttpStatusCode.OK, withPassword.StatusCode);
            Assert.Equal(user.Email, JsonDocument.Parse(await withPassword.Content.ReadAsStringAsync()).RootElement.GetProperty("user").GetProperty("name").GetString());

            using var response = await web.SubmitAsync("/settings/passkeys", "form[data-passkey]", new Dictionary<string, string> { ["credential"] = "{}", ["currentPassword"] = "" });
            var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
            Assert.Contains("Enter your password", page.QuerySelector("#currentPassword-error")!.TextContent, StringComparison.Ordinal);
            using var wrong = await web.SubmitAsync("/settings/passkeys", "form[data-passkey]", new Dictionary<string, string> { ["credential"] = "{}", ["currentPassword"] = "not the password" });
            page = await WebSession.ParseAsync(await wrong.Content.ReadAsStringAsync());
            Assert.Contains("Your password is not right", page.QuerySelector("#currentPassword-error")!.TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Only_its_owner_can_see_rename_or_remove_a_passkey()
    {
        var (owner, _) = await SignedInAsync();
        var credentialId = Guid.NewGuid().ToByteArray();
        await using (var scope = server.Services.CreateAsyncScope())
        {
            // A stored passkey as Identity keeps it (the public key is never checked here: nobody signs in with it).
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var user = (await users.FindByEmailAsync(owner.Email))!;
            var stored = await users.AddOrUpdatePasskeyAsync(user, new UserPasskeyInfo(credentialId, [1, 2, 3], DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [1], [1]) { Name = "Owner's phone" });
            Assert.True(stored.Succeeded);
        }
        var id = Base64Url.EncodeToString(credentialId);

        var (_, other) = await SignedInAsync();
        using (other)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/settings/passkeys/{id}")).Status);
            var token = await AntiforgeryTokenAsync(other, "/settings/passkeys");
            using var remove = await other.PostRawAsync($"/settings/passkeys/{id}?handler=remove", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
            Assert.Equal(HttpStatusCode.NotFound, remove.StatusCode);
            using var rename = await other.PostRawAsync($"/settings/passkeys/{id}?handler=rename", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["name"] = "Mine now" });
            Assert.Equal(HttpStatusCode.NotFound, rename.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/settings/passkeys/not-base64!")).Status);
        }

        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var kept = await db.UserPasskeys.SingleAsync(p => p.CredentialId == credentialId);
            Assert.Equal("Owner's phone", kept.Data.Name);
        }
    }
}

/// <summary>A server with a configured public address: passkeys belong to that host, whatever address a request came to.</summary>
public sealed class PublicUrlServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Drawbridge:PublicUrl"] = "https://drawbridge.example" });

public sealed class PasskeyRelyingPartyTests(PublicUrlServer server) : IClassFixture<PublicUrlServer>
{
    [Fact]
    public async Task With_a_public_address_configured_the_relying_party_is_its_host()
    {
        using var web = new WebSession(server);
        var (_, page) = await web.GetAsync("/auth/sign-in");
        var token = ((IHtmlInputElement)page.QuerySelector("input[name=__RequestVerificationToken]")!).Value;
        using var response = await web.PostRawAsync("/auth/sign-in?handler=passkeyOptions", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        var options = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("drawbridge.example", options.GetProperty("rpId").GetString());
    }
}
