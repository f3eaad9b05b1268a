using System.Security.Cryptography;
using Drawbridge.Accounts;
using Microsoft.Extensions.Options;

namespace Drawbridge.Federation;

/// <summary>
/// Authorized fetch (<c>Drawbridge:Federation:AuthorizedFetch</c>): who asks for this server's ActivityPub documents.
/// A GET must carry an HTTP signature (draft-cavage or RFC 9421, as on the inboxes) by an actor of a server that is not
/// suspended here. The instance actor (<c>/actor</c>) is always served, and an unsigned request for an actor gets a
/// key-only answer, as Mastodon gives, so that other servers can fetch the keys they need to sign their first request.
/// </summary>
public sealed class AuthorizedFetch(IOptions<FederationOptions> options, RemoteAccounts remote, DomainBlocks blocks, TimeProvider clock)
{
    /// <summary>Where content negotiation keeps the path a request was made to, which is the one it was signed for.</summary>
    public const string SignedPathItem = "drawbridge:signed-path";

    public bool Required => options.Value.AuthorizedFetch;

    public static bool IsSigned(HttpRequest request) =>
        request.Headers.ContainsKey("Signature") || request.Headers.ContainsKey("Signature-Input");

    /// <summary>Why this request may not have the document (null when it may): unsigned, a bad signature, or a suspended server.</summary>
    public async Task<string?> RefusalAsync(HttpContext ctx, CancellationToken ct)
    {
        if (!Required)
        {
            return null;
        }
        if (!IsSigned(ctx.Request))
        {
            return "This server serves ActivityPub documents to signed requests only (authorized fetch): sign the GET with your actor's key.";
        }
        return (await VerifyAsync(ctx, ct)).Refusal;
    }

    /// <summary>The remote actor whose key signed this request, when it is signed, the signature holds and its server is not suspended.</summary>
    public async Task<Account?> SignerAsync(HttpContext ctx, CancellationToken ct) =>
        IsSigned(ctx.Request) ? (await VerifyAsync(ctx, ct)).Signer : null;

    private async Task<(Account? Signer, string? Refusal)> VerifyAsync(HttpContext ctx, CancellationToken ct)
    {
        var signed = SignedMessage.From(ctx.Request);
        if (ctx.Items[SignedPathItem] is string original)
        {
            signed = signed with { PathAndQuery = original + ctx.Request.QueryString };
        }
        var keys = new SignatureKeyLookup(remote, blocks);
        try
        {
            await HttpSignatures.VerifyAsync(signed, null, clock.GetUtcNow(), keys.ResolveAsync, ct);
        }
        catch (SignatureException e)
        {
            return (null, keys.Problem is null ? e.Message : $"{e.Message}: {keys.Problem}");
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return (null, $"The signature could not be read: {e.Message}");
        }
        if (keys.Signer is null || await blocks.IsSuspendedAsync(keys.Signer.Domain, ct))
        {
            return (null, "The signing actor's server is suspended on this server.");
        }
        return (keys.Signer, null);
    }

    public static IResult Refuse(string detail) =>
        Results.Problem(title: "Signature required", detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>An endpoint filter that refuses what <see cref="RefusalAsync"/> refuses, with 401.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var check = http.RequestServices.GetRequiredService<AuthorizedFetch>();
        if (check.Required)
        {
            // The answer depends on who signed: no shared cache may keep it.
            http.Response.Headers.CacheControl = "private, no-store";
            http.Response.Headers.Append("Vary", "Signature");
            if (await check.RefusalAsync(http, http.RequestAborted) is { } refusal)
            {
                return Refuse(refusal);
            }
        }
        return await next(context);
    }
}
