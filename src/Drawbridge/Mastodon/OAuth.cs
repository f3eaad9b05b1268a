using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Drawbridge.Mastodon;

/// <summary>
/// OAuth 2 as Mastodon's apps use it. OpenIddict registers the apps and runs the authorization-code (with PKCE) and
/// client-credentials grants; the tokens it hands out are Drawbridge's own access tokens, so there is one kind of token
/// (docs/decisions/0013-mastodon-api.md).
/// </summary>
public static class MastodonOAuth
{
    /// <summary>The redirect URI of apps with nowhere to be sent back to: the code is shown on a page instead.</summary>
    public const string OutOfBand = "urn:ietf:wg:oauth:2.0:oob";
    public const string Cors = "mastodon";
    private const string WebsiteProperty = "website";
    private const string ScopesProperty = "scopes";

    public static void AddMastodonOAuth(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<DrawbridgeDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("oauth/authorize").SetTokenEndpointUris("oauth/token");
                // Mastodon's metadata document is served below, with its own fields; OpenIddict's OpenID ones are off.
                o.SetConfigurationEndpointUris(Array.Empty<Uri>()).SetJsonWebKeySetEndpointUris(Array.Empty<Uri>());
                o.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow();
                o.RegisterScopes(ApiScopes.All);
                o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(10));
                // Codes are protected with ASP.NET Data Protection (the cookie's keys); the signing key only backs
                // OpenIddict's own metadata, which Drawbridge does not serve.
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.UseDataProtection();
                // TLS ends at the reverse proxy in front of Drawbridge, as with its pages.
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
                // PKCE stays optional (megalodon and older apps send none), but when sent it must be S256.
                o.Configure(x => x.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                o.AddEventHandler<OpenIddictServerEvents.ApplyAuthorizationResponseContext>(b =>
                    b.UseInlineHandler(ShowOutOfBandCode).SetOrder(int.MinValue));
            });
        services.AddCors(o => o.AddPolicy(Cors, p => p.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()
            .WithExposedHeaders("Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-Id")));
    }

    /// <summary>An out-of-band app's code (or refusal) goes to a page of ours that shows it, as Mastodon's does.</summary>
    private static ValueTask ShowOutOfBandCode(OpenIddictServerEvents.ApplyAuthorizationResponseContext context)
    {
        if (context.RedirectUri != OutOfBand || context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
        {
            return default;
        }
        var query = context.Response.Code is { } code
            ? "code=" + Uri.EscapeDataString(code)
            : "error=" + Uri.EscapeDataString(context.Response.Error ?? Errors.ServerError);
        http.Response.Redirect("/oauth/authorize/native?" + query);
        context.HandleRequest();
        return default;
    }

    /// <summary>
    /// OpenIddict reads only the urlencoded form, and only what OAuth allows; apps send more. Elk posts JSON, masto.js
    /// multipart/form-data, and masto.js users pass <c>scope</c> with an authorization code (Mastodon accepts it when it
    /// equals what was granted; OpenIddict refuses it). So the token and revocation endpoints get their body as the
    /// urlencoded form, without <c>scope</c> on a code exchange (the code carries the scopes the person allowed).
    /// </summary>
    public static async Task JsonBodiesAsForms(HttpContext ctx, Func<Task> next)
    {
        if (!HttpMethods.IsPost(ctx.Request.Method) || (ctx.Request.Path != "/oauth/token" && ctx.Request.Path != "/oauth/revoke"))
        {
            await next();
            return;
        }
        var pairs = new List<KeyValuePair<string, string>>();
        try
        {
            if (ctx.Request.HasJsonContentType())
            {
                using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonException("not an object");
                }
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    {
                        pairs.Add(new(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
                    }
                }
            }
            else if (ctx.Request.HasFormContentType)
            {
                var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
                pairs.AddRange(form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))));
            }
            else
            {
                await next(); // OpenIddict names what is wrong with it
                return;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or BadHttpRequestException)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            var what = ctx.Request.HasJsonContentType() ? "The request body is not a JSON object" : "The request body could not be read as a form";
            await ctx.Response.WriteAsJsonAsync(new OAuthError(Errors.InvalidRequest, what), MastodonJson.Default.OAuthError);
            return;
        }
        if (pairs.Any(p => p.Key == "grant_type" && p.Value == GrantTypes.AuthorizationCode))
        {
            pairs.RemoveAll(p => p.Key == "scope");
        }
        var body = await new FormUrlEncodedContent(pairs).ReadAsByteArrayAsync(ctx.RequestAborted);
        ctx.Request.Body = new MemoryStream(body);
        ctx.Request.ContentType = "application/x-www-form-urlencoded";
        ctx.Request.ContentLength = body.Length;
        ctx.Features.Set<IFormFeature>(null);
        await next();
    }

    public static void MapMastodonOAuth(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/apps", RegisterApp).RequireCors(Cors).DisableAntiforgery().RequireRateLimiting("sign-up");
        app.MapGet("/api/v1/apps/verify_credentials", VerifyApp).RequireCors(Cors);
        app.MapPost("/oauth/token", IssueToken).RequireCors(Cors).DisableAntiforgery();
        app.MapPost("/oauth/revoke", Revoke).RequireCors(Cors).DisableAntiforgery();
        app.MapGet("/.well-known/oauth-authorization-server", Metadata).RequireCors(Cors);
    }

    /// <summary>POST /api/v1/apps: anyone may register an app (as on Mastodon); it gets a client id and secret.</summary>
    private static async Task<IResult> RegisterApp(HttpRequest request, IOpenIddictApplicationManager apps, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var name = input.String("client_name")?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: Application name can't be blank and must be at most 100 characters");
        }
        var redirectUris = input.Strings("redirect_uris").SelectMany(u => u.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
        if (redirectUris.Count == 0)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: Redirect URI can't be blank");
        }
        var uris = new List<Uri>();
        foreach (var u in redirectUris)
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Fragment) || uri.Scheme is "javascript" or "data" or "file")
            {
                return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: Redirect URI '{u}' must be an absolute URI without a fragment");
            }
            uris.Add(uri);
        }
        var scopes = ApiScopes.Parse(input.String("scopes") ?? "read");
        if (scopes.FirstOrDefault(s => !ApiScopes.IsKnown(s)) is { } unknown)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: Scopes include '{unknown}', which is not a scope (use read, write, follow, push, profile, read:… or write:…)");
        }
        if (scopes.Length == 0)
        {
            scopes = ["read"];
        }
        var website = input.String("website")?.Trim() is { Length: > 0 } w ? w : null;
        if (website is not null && (!Uri.TryCreate(website, UriKind.Absolute, out var site) || site.Scheme is not ("http" or "https")))
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: Website must be an http or https address");
        }
        var clientId = RandomString();
        var secret = RandomString();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = name,
        };
        foreach (var uri in uris)
        {
            descriptor.RedirectUris.Add(uri);
        }
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
            Permissions.GrantTypes.ClientCredentials, Permissions.ResponseTypes.Code]);
        descriptor.Permissions.UnionWith(scopes.SelectMany(ApiScopes.WithChildren).Select(s => Permissions.Prefixes.Scope + s));
        descriptor.Properties[ScopesProperty] = JsonSerializer.SerializeToElement(string.Join(' ', scopes), MastodonJson.Default.String);
        if (website is not null)
        {
            descriptor.Properties[WebsiteProperty] = JsonSerializer.SerializeToElement(website, MastodonJson.Default.String);
        }
        var app = await apps.CreateAsync(descriptor, ct);
        var id = await apps.GetIdAsync(app, ct);
        return MastodonResults.Json(new MastodonApplication(id ?? clientId, name, website, scopes, string.Join('\n', redirectUris), redirectUris, "",
            clientId, secret, 0), MastodonJson.Default.MastodonApplication);
    }

    /// <summary>GET /api/v1/apps/verify_credentials: any token an app holds.</summary>
    private static async Task<IResult> VerifyApp(HttpContext http, IOpenIddictApplicationManager apps, CancellationToken ct)
    {
        if (MastodonAuth.Refuse(http, userRequired: false) is { } refusal)
        {
            return refusal;
        }
        var clientId = http.User.FindFirstValue(AccountClaims.ClientId);
        var app = clientId is null ? null : await apps.FindByClientIdAsync(clientId, ct);
        if (app is null)
        {
            return MastodonResults.Error(StatusCodes.Status401Unauthorized, "The access token was not issued to an app");
        }
        var (website, scopes, uris) = await DescribeAsync(apps, app, ct);
        return MastodonResults.Json(new MastodonApplication(await apps.GetIdAsync(app, ct) ?? clientId!, await apps.GetDisplayNameAsync(app, ct) ?? "", website, scopes,
            string.Join('\n', uris), uris, "", null, null, null), MastodonJson.Default.MastodonApplication);
    }

    private static async Task<(string? Website, string[] Scopes, List<string> RedirectUris)> DescribeAsync(IOpenIddictApplicationManager apps, object app, CancellationToken ct)
    {
        var properties = await apps.GetPropertiesAsync(app, ct);
        var website = properties.TryGetValue(WebsiteProperty, out var w) && w.ValueKind == JsonValueKind.String ? w.GetString() : null;
        var scopes = properties.TryGetValue(ScopesProperty, out var s) && s.ValueKind == JsonValueKind.String ? ApiScopes.Parse(s.GetString()) : ["read"];
        var uris = (await apps.GetRedirectUrisAsync(app, ct)).Select(u => u.ToString()).ToList();
        return (website, scopes, uris);
    }

    /// <summary>
    /// POST /oauth/token, after OpenIddict has checked the client, the code, its redirect URI and the PKCE verifier: the
    /// code is spent here and one of Drawbridge's tokens issued, in the shape Mastodon's apps read. Tokens don't expire.
    /// </summary>
    private static async Task<IResult> IssueToken(HttpContext http, IOpenIddictApplicationManager apps, IOpenIddictTokenManager codes, AccessTokenService tokens,
        UserManager<User> users, TimeProvider clock, CancellationToken ct)
    {
        var request = http.GetOpenIddictServerRequest();
        if (request?.ClientId is not { } clientId || await apps.FindByClientIdAsync(clientId, ct) is not { } app)
        {
            return MastodonResults.OAuthError(StatusCodes.Status401Unauthorized, Errors.InvalidClient, "The client is not known");
        }
        var appName = await apps.GetDisplayNameAsync(app, ct) ?? "App";
        User? user = null;
        string scopes;
        if (request.IsClientCredentialsGrantType())
        {
            scopes = string.Join(' ', request.GetScopes());
        }
        else if (request.IsAuthorizationCodeGrantType())
        {
            var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var principal = code.Principal;
            var entry = principal?.GetTokenId() is { } tokenId ? await codes.FindByIdAsync(tokenId, ct) : null;
            if (principal is null || entry is null || !await codes.TryRedeemAsync(entry, ct))
            {
                return MastodonResults.OAuthError(StatusCodes.Status400BadRequest, Errors.InvalidGrant, "The authorization code is not valid or was already used");
            }
            user = principal.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
            if (user is null || await users.IsLockedOutAsync(user))
            {
                return MastodonResults.OAuthError(StatusCodes.Status400BadRequest, Errors.InvalidGrant, "The account that authorised the app can't sign in");
            }
            scopes = string.Join(' ', principal.GetScopes());
        }
        else
        {
            return MastodonResults.OAuthError(StatusCodes.Status400BadRequest, Errors.UnsupportedGrantType, "Use authorization_code or client_credentials");
        }
        // Mastodon's default when an app names no scope.
        if (string.IsNullOrWhiteSpace(scopes))
        {
            scopes = "read";
        }
        var token = await tokens.IssueAsync(user, appName, scopes, clientId, ct);
        http.Response.Headers.CacheControl = "no-store";
        return MastodonResults.Json(new OAuthToken(token, "Bearer", ApiScopes.Normalise(scopes), clock.GetUtcNow().ToUnixTimeSeconds()), MastodonJson.Default.OAuthToken);
    }

    /// <summary>POST /oauth/revoke: an app revokes a token it was given (RFC 7009); unknown tokens are not an error.</summary>
    private static async Task<IResult> Revoke(HttpRequest request, IOpenIddictApplicationManager apps, AccessTokenService tokens, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return MastodonResults.OAuthError(StatusCodes.Status400BadRequest, Errors.InvalidRequest, "Send client_id, client_secret and token as a form or a JSON object");
        }
        var form = await request.ReadFormAsync(ct);
        var clientId = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        var token = form["token"].ToString();
        var app = string.IsNullOrEmpty(clientId) ? null : await apps.FindByClientIdAsync(clientId, ct);
        if (app is null || string.IsNullOrEmpty(secret) || !await apps.ValidateClientSecretAsync(app, secret, ct))
        {
            return MastodonResults.OAuthError(StatusCodes.Status403Forbidden, Errors.UnauthorizedClient, "You are not authorized to revoke this token");
        }
        if (string.IsNullOrEmpty(token))
        {
            return MastodonResults.OAuthError(StatusCodes.Status400BadRequest, Errors.InvalidRequest, "The token parameter is missing");
        }
        await tokens.RevokeIssuedAsync(token, clientId, ct);
        return MastodonResults.Json(new EmptyObject(), MastodonJson.Default.EmptyObject);
    }

    /// <summary>GET /.well-known/oauth-authorization-server (RFC 8414), as Mastodon publishes it.</summary>
    private static IResult Metadata(HttpRequest request, IOptions<DrawbridgeOptions> options)
    {
        var b = options.Value.BaseUrl(request);
        return MastodonResults.Json(new OAuthServerMetadata(b, b + "/api/drawbridge/v1/docs", b + "/oauth/authorize", b + "/oauth/token", b + "/oauth/revoke",
            b + "/api/v1/apps", ApiScopes.All, ["code"], ["query", "fragment", "form_post"], ["S256"], ["authorization_code", "client_credentials"],
            ["client_secret_basic", "client_secret_post"]), MastodonJson.Default.OAuthServerMetadata);
    }

    private static string RandomString() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The account id a consent page signs into the authorization code, read back when the code is spent.</summary>
    internal static ClaimsPrincipal CodePrincipal(long userId, long accountId, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, userId.ToString(CultureInfo.InvariantCulture));
        identity.SetClaim(AccountClaims.AccountId, accountId.ToString(CultureInfo.InvariantCulture));
        identity.SetScopes(scopes);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>What the consent page tells a person about the app asking.</summary>
    internal static async Task<(string Name, string? Website)> AppForConsentAsync(IOpenIddictApplicationManager apps, string clientId, CancellationToken ct)
    {
        var app = await apps.FindByClientIdAsync(clientId, ct) ?? throw new InvalidOperationException("OpenIddict passed a request from an unknown client");
        var (website, _, _) = await DescribeAsync(apps, app, ct);
        return (await apps.GetDisplayNameAsync(app, ct) ?? clientId, website);
    }
}
