using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drawbridge.Tests.Browser;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Mastodon;

/// <summary>
/// An app signs a person in as Mastodon's apps do: registers, sends them to the consent page in Chromium (after the
/// ordinary sign-in), gets a code back with PKCE, and trades it for a token it then uses and revokes.
/// </summary>
public sealed class MastodonOAuthTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string RedirectUri = "http://127.0.0.1:9/callback";

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<(string ClientId, string Secret)> RegisterAppAsync(HttpClient http, string scopes, string redirectUri = RedirectUri)
    {
        // Phanpy registers with a form body, Elk with JSON: this app uses a form.
        var response = await http.PostAsync("/api/v1/apps", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_name"] = "Ward Phone", ["redirect_uris"] = redirectUri, ["scopes"] = scopes, ["website"] = "https://app.example",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var app = await response.Content.ReadFromJsonAsync<JsonElement>();
        MastodonSchema.AssertValid(app, "CredentialApplication");
        Assert.Equal("Ward Phone", app.GetProperty("name").GetString());
        Assert.Equal(redirectUri, app.GetProperty("redirect_uri").GetString());
        Assert.Equal(redirectUri, app.GetProperty("redirect_uris")[0].GetString());
        Assert.Equal(scopes.Split(' '), app.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        return (app.GetProperty("client_id").GetString()!, app.GetProperty("client_secret").GetString()!);
    }

    /// <summary>Signs in through the consent page in Chromium and returns the code the app is sent back with.</summary>
    private async Task<string> AuthoriseInBrowserAsync(TestUser user, string clientId, string scopes, string challenge, bool allow = true, bool scan = false)
    {
        var page = await fixture.NewPageAsync();
        string? callback = null;
        await page.RouteAsync(RedirectUri + "**", async route =>
        {
            callback = route.Request.Url;
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/plain", Body = "back in the app" });
        });
        var query = $"response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(RedirectUri)}" +
                    $"&scope={scopes.Replace(' ', '+')}&state=xyz&code_challenge={challenge}&code_challenge_method=S256";
        await page.GotoAsync("/oauth/authorize?" + query);
        // Not signed in yet: the ordinary sign-in page first, then back to the consent page.
        Assert.Contains("/auth/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Email address").FillAsync(user.Email);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(DrawbridgeServer.DefaultPassword);
        await page.Locator("main").GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/oauth/authorize", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Level = 1 })).ToHaveTextAsync("Allow Ward Phone to use your account?");
        await Assertions.Expect(page.Locator("#scopes")).ToContainTextAsync("read your timelines");
        if (scan)
        {
            await BrowserFixture.AssertAccessibleAsync(page, "the OAuth consent page");
        }
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = allow ? "Allow" : "Deny", Exact = true }).ClickAsync();
        for (var i = 0; i < 100 && callback is null; i++)
        {
            await Task.Delay(50);
        }
        Assert.NotNull(callback);
        var back = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(callback!).Query);
        Assert.Equal("xyz", back["state"].ToString());
        await page.Context.CloseAsync();
        return allow ? back["code"].ToString() : back["error"].ToString();
    }

    [Fact]
    public async Task An_app_signs_in_with_code_and_PKCE_through_the_consent_page_and_its_token_works_until_revoked()
    {
        var user = await fixture.Server.SignUpAsync("oauth_nurse", "professional");
        using var http = fixture.Server.Http();
        var (clientId, secret) = await RegisterAppAsync(http, "read write follow");
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

        var code = await AuthoriseInBrowserAsync(user, clientId, "read write follow", challenge, scan: true);

        // A wrong verifier is refused; the right one (Elk sends JSON) gets a token that doesn't expire.
        var wrong = await http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = clientId, ["client_secret"] = secret,
            ["redirect_uri"] = RedirectUri, ["code_verifier"] = Base64Url(RandomNumberGenerator.GetBytes(32)),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        code = await AuthoriseInBrowserAsync(user, clientId, "read write follow", challenge);
        var tokenResponse = await http.PostAsJsonAsync("/oauth/token", new
        {
            grant_type = "authorization_code", code, client_id = clientId, client_secret = secret, redirect_uri = RedirectUri, code_verifier = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>();
        MastodonSchema.AssertValid(token, "Token");
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal("read write follow", token.GetProperty("scope").GetString());
        Assert.Equal(JsonValueKind.Number, token.GetProperty("created_at").ValueKind);
        Assert.False(token.TryGetProperty("expires_in", out _));
        var accessToken = token.GetProperty("access_token").GetString()!;

        // The code is spent: a second exchange is refused.
        var again = await http.PostAsJsonAsync("/oauth/token", new
        {
            grant_type = "authorization_code", code, client_id = clientId, client_secret = secret, redirect_uri = RedirectUri, code_verifier = verifier,
        });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        using var app = fixture.Server.Http(accessToken);
        var me = await app.GetFromJsonAsync<JsonElement>("/api/v1/accounts/verify_credentials");
        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        Assert.Equal("oauth_nurse", me.GetProperty("username").GetString());
        Assert.Equal("public", me.GetProperty("source").GetProperty("privacy").GetString());

        // Settings lists the app; the person revokes it there, and the token stops working at once.
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, user.Email);
        await page.GotoAsync("/settings/apps");
        await Assertions.Expect(page.Locator("#authorised-apps")).ToContainTextAsync("Ward Phone");
        await BrowserFixture.AssertAccessibleAsync(page, "the authorised apps page");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Revoke Ward Phone" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("You have not allowed any apps.");
        var after = await app.GetAsync("/api/v1/accounts/verify_credentials");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("The access token is invalid", (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Denying_the_app_sends_it_back_with_access_denied()
    {
        var user = await fixture.Server.SignUpAsync("oauth_denier");
        using var http = fixture.Server.Http();
        var (clientId, _) = await RegisterAppAsync(http, "read");
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes("verifier-verifier-verifier-verifier-verifier")));
        Assert.Equal("access_denied", await AuthoriseInBrowserAsync(user, clientId, "read", challenge, allow: false));
    }

    [Fact]
    public async Task Scopes_are_enforced_per_endpoint_and_an_app_revokes_its_own_token()
    {
        var user = await fixture.Server.SignUpAsync("scoped_reader");
        using var http = fixture.Server.Http();
        var (clientId, secret) = await RegisterAppAsync(http, "read");
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var code = await AuthoriseInBrowserAsync(user, clientId, "read", Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        var token = (await (await http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = clientId, ["client_secret"] = secret,
            ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        }))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        using var reader = fixture.Server.Http(token);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/timelines/home")).StatusCode);
        var post = await reader.PostAsync("/api/v1/statuses", new FormUrlEncodedContent(new Dictionary<string, string> { ["status"] = "Should not post" }));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal("This action is outside the authorized scopes", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        // Drawbridge's own API needs write too.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Nor here" })).StatusCode);

        // Asking for more than the app registered for is refused before any page is shown.
        var greedy = await http.GetAsync($"/oauth/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=write");
        Assert.NotEqual(HttpStatusCode.OK, greedy.StatusCode);

        // Revocation needs the app's secret; then the token is gone.
        var forged = await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = clientId, ["client_secret"] = "guess", ["token"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/timelines/home")).StatusCode);
        var revoked = await http.PostAsJsonAsync("/oauth/revoke", new { client_id = clientId, client_secret = secret, token });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("{}", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync("/api/v1/timelines/home")).StatusCode);
    }

    [Fact]
    public async Task Client_credentials_give_an_app_token_that_reads_public_things_but_acts_as_no_one()
    {
        using var http = fixture.Server.Http();
        var (clientId, secret) = await RegisterAppAsync(http, "read write");
        var response = await http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("read", token.GetProperty("scope").GetString());
        using var app = fixture.Server.Http(token.GetProperty("access_token").GetString());
        var verified = await app.GetFromJsonAsync<JsonElement>("/api/v1/apps/verify_credentials");
        Assert.Equal("Ward Phone", verified.GetProperty("name").GetString());
        MastodonSchema.AssertValid(verified, "Application");
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/v1/timelines/public")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await app.GetAsync("/api/v1/accounts/verify_credentials")).StatusCode);

        var badSecret = await http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "wrong",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, badSecret.StatusCode);
    }

    [Fact]
    public async Task Registering_an_app_with_bad_input_names_the_problem()
    {
        using var http = fixture.Server.Http();
        var noUri = await http.PostAsJsonAsync("/api/v1/apps", new { client_name = "X" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noUri.StatusCode);
        Assert.Contains("Redirect URI", (await noUri.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var badScope = await http.PostAsJsonAsync("/api/v1/apps", new { client_name = "X", redirect_uris = "urn:ietf:wg:oauth:2.0:oob", scopes = "read admin:everything" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badScope.StatusCode);
        Assert.Contains("admin:everything", (await badScope.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var script = await http.PostAsJsonAsync("/api/v1/apps", new { client_name = "X", redirect_uris = "javascript:alert(1)" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, script.StatusCode);
        var garbage = await http.PostAsync("/api/v1/apps", new StringContent("{\"client_name\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Fact]
    public async Task The_server_metadata_offers_S256_and_Mastodons_endpoints()
    {
        using var http = fixture.Server.Http();
        var meta = await http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.Equal(["S256"], meta.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.EndsWith("/oauth/token", meta.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/api/v1/apps", meta.GetProperty("app_registration_endpoint").GetString(), StringComparison.Ordinal);
        Assert.Contains("write:statuses", meta.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
    }
}
