using System.Security.Claims;
using Drawbridge.Accounts;
using Drawbridge.Mastodon;
using Drawbridge.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace Drawbridge.Pages.OAuth;

/// <summary>
/// The consent page of OAuth's authorization endpoint. OpenIddict has already checked the app, its redirect URI and
/// PKCE; a signed-in person (after the usual sign-in, two-factor or passkey) allows or denies the app.
/// </summary>
public sealed class AuthorizeModel(IOpenIddictApplicationManager apps) : DrawbridgePage
{
    public string AppName { get; private set; } = "";
    public string? Website { get; private set; }
    public IReadOnlyList<string> ScopeDescriptions { get; private set; } = [];
    public IReadOnlyList<(string Name, string Value)> Parameters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var request = HttpContext.GetOpenIddictServerRequest();
        if (request?.ClientId is not { } clientId)
        {
            return BadRequest();
        }
        if (Me is null)
        {
            return Challenge(new AuthenticationProperties { RedirectUri = Request.Path + Request.QueryString });
        }
        (AppName, Website) = await MastodonOAuth.AppForConsentAsync(apps, clientId, ct);
        var scopes = request.GetScopes().ToList();
        ScopeDescriptions = Describe(scopes.Count == 0 ? ["read"] : scopes);
        Parameters = Request.Query.Where(q => q.Key != "decision").SelectMany(q => q.Value.Select(v => (q.Key, v ?? ""))).ToList();
        // The form's answer is a redirect to the app: the page's policy lets this one form go there.
        if (request.RedirectUri is { } redirect && redirect != MastodonOAuth.OutOfBand && Uri.TryCreate(redirect, UriKind.Absolute, out var uri))
        {
            var source = uri.Scheme is "http" or "https" ? $"{uri.Scheme}://{uri.Authority}" : uri.Scheme + ":";
            Response.Headers.ContentSecurityPolicy = Response.Headers.ContentSecurityPolicy.ToString()
                .Replace("form-action 'self'", "form-action 'self' " + source.Replace(";", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        return Page();
    }

    public IActionResult OnPost(string? decision)
    {
        var request = HttpContext.GetOpenIddictServerRequest();
        if (request is null)
        {
            return BadRequest();
        }
        if (Me is not { } accountId || User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userText || !long.TryParse(userText, out var userId))
        {
            return Challenge();
        }
        if (decision != "allow")
        {
            return Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = OpenIddictConstants.Errors.AccessDenied,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The person did not allow the app to use their account",
            }), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        var scopes = request.GetScopes().ToList();
        return SignIn(MastodonOAuth.CodePrincipal(userId, accountId, scopes.Count == 0 ? ["read"] : scopes), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Each scope in plain words.</summary>
    internal static IReadOnlyList<string> Describe(IEnumerable<string> scopes) => scopes.Select(s => s switch
    {
        "read" => "read your timelines, posts, notifications, followers and profile",
        "write" => "post, reply, like and repost as you, and change your profile",
        "follow" => "follow, unfollow, block and mute accounts for you",
        "push" => "receive your notifications as they happen",
        "profile" => "see your name and profile (nothing else)",
        _ when s.StartsWith("read:", StringComparison.Ordinal) => "read your " + s[5..].Replace('_', ' '),
        _ when s.StartsWith("write:", StringComparison.Ordinal) => "change your " + s[6..].Replace('_', ' '),
        _ => s,
    }).Distinct().ToList();
}
