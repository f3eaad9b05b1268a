using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Web;

namespace Drawbridge.Tests.Security;

/// <summary>A server that checks every session cookie against the account's security stamp on each request.</summary>
public sealed class StrictSessionServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Drawbridge:SessionCheckSeconds"] = "0" });

/// <summary>
/// What a leaked API token or an unlocked, signed-in browser can do to an account: not open Settings, not change the
/// email, turn two-factor off, remove a passkey or delete the account without the password; and a new password ends
/// every other session and every token.
/// </summary>
public sealed class SessionSecurityTests(StrictSessionServer server) : IClassFixture<StrictSessionServer>
{
    private async Task<(TestUser User, WebSession Web)> SignedInAsync(string prefix)
    {
        var user = await server.SignUpAsync($"{prefix}_{Guid.NewGuid():N}"[..16]);
        var web = new WebSession(server);
        await web.SignInAsync(user.Email);
        return (user, web);
    }

    private static async Task<string?> ErrorOn(HttpResponseMessage response, string field) =>
        (await WebSession.ParseAsync(await response.Content.ReadAsStringAsync())).QuerySelector($"#{field}-error")?.TextContent;

    [Theory]
    [InlineData("/settings/account")]
    [InlineData("/settings/security")]
    [InlineData("/settings/passkeys")]
    [InlineData("/settings/tokens")]
    [InlineData("/settings/profile")]
    [InlineData("/compose")]
    public async Task A_bearer_token_does_not_open_a_page_that_needs_sign_in(string page)
    {
        var user = await server.SignUpAsync($"bearer_{Guid.NewGuid():N}"[..16]);
        using var api = server.Http(user.Token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(OwnApi.Path("/me"))).StatusCode);

        using var response = await api.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/auth/sign-in", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Changing_the_email_address_needs_the_password()
    {
        var (_, web) = await SignedInAsync("email");
        using var _ = web;
        var newEmail = $"moved_{Guid.NewGuid():N}@example.org";
        var without = await web.SubmitAsync("/settings/account", "form[action*=email]", new Dictionary<string, string> { ["newEmail"] = newEmail });
        Assert.Equal(HttpStatusCode.OK, without.StatusCode);
        Assert.Contains("Enter your password", await ErrorOn(without, "emailPassword"), StringComparison.Ordinal);

        var wrong = await web.SubmitAsync("/settings/account", "form[action*=email]", new Dictionary<string, string> { ["newEmail"] = newEmail, ["emailPassword"] = "not the password" });
        Assert.Contains("Your password is not right", await ErrorOn(wrong, "emailPassword"), StringComparison.Ordinal);

        var right = await web.SubmitAsync("/settings/account", "form[action*=email]", new Dictionary<string, string> { ["newEmail"] = newEmail, ["emailPassword"] = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var (_, settings) = await web.GetAsync("/settings/account");
        Assert.Contains($"We've sent a link to {newEmail}", settings.QuerySelector(".db-flash")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_account_needs_the_password_on_the_page_and_in_the_api()
    {
        var (user, web) = await SignedInAsync("delete");
        using var _ = web;
        var without = await web.SubmitAsync("/settings/account", "form[action*=delete]", new Dictionary<string, string> { ["confirmDelete"] = "true" });
        Assert.Contains("Enter your password", await ErrorOn(without, "deletePassword"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/@{user.Handle}")).Status);

        using var api = server.Http(user.Token);
        using var tokenOnly = await api.DeleteAsync(OwnApi.Path("/me"));
        Assert.Equal(HttpStatusCode.BadRequest, tokenOnly.StatusCode);
        Assert.Contains("password", await tokenOnly.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var wrong = await api.SendAsync(new HttpRequestMessage(HttpMethod.Delete, OwnApi.Path("/me")) { Content = JsonContent.Create(new { password = "a guessed password" }) });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/@{user.Handle}")).Status);

        var deleted = await web.SubmitAsync("/settings/account", "form[action*=delete]", new Dictionary<string, string> { ["confirmDelete"] = "true", ["deletePassword"] = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/@{user.Handle}")).Status);
    }

    [Fact]
    public async Task Turning_two_factor_off_needs_the_password()
    {
        var (_, web) = await SignedInAsync("twofa");
        using var _ = web;
        var (_, security) = await web.GetAsync("/settings/security");
        var key = security.QuerySelector("#shared-key")!.TextContent;
        var enabled = await web.SubmitAsync("/settings/security", "form[action*=enable]", new Dictionary<string, string> { ["code"] = AccountPagesTests.Totp(key) });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);

        var without = await web.SubmitAsync("/settings/security", "form[action*=disable]", new Dictionary<string, string>());
        Assert.Contains("Enter your password", await ErrorOn(without, "disablePassword"), StringComparison.Ordinal);
        var (_, stillOn) = await web.GetAsync("/settings/security");
        Assert.Contains("On", stillOn.QuerySelector("main .nhsuk-tag")!.TextContent, StringComparison.Ordinal);

        var right = await web.SubmitAsync("/settings/security", "form[action*=disable]", new Dictionary<string, string> { ["disablePassword"] = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var (_, off) = await web.GetAsync("/settings/security");
        Assert.Contains("Off", off.QuerySelector("main .nhsuk-tag")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_password_signs_out_other_browsers_and_ends_api_tokens_but_keeps_this_session()
    {
        var (user, web) = await SignedInAsync("stamp");
        using var _ = web;
        using var other = new WebSession(server);
        await other.SignInAsync(user.Email);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/settings/account")).Status);
        using var api = server.Http(user.Token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(OwnApi.Path("/me"))).StatusCode);

        var changed = await web.SubmitAsync("/settings/account", "form[action*=password]", new Dictionary<string, string> { ["currentPassword"] = DrawbridgeServer.DefaultPassword, ["newPassword"] = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/settings/account")).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("/settings/account")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(OwnApi.Path("/me"))).StatusCode);
    }
}
