using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Drawbridge.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Drawbridge.Accounts;

/// <summary>
/// A bearer token for API clients: the one kind of token, whether a person made it in Settings, an operator on the
/// command line, or an app through OAuth (docs/decisions/0013-mastodon-api.md). Only its SHA-256 hash is stored.
/// </summary>
public sealed class AccessToken
{
    public long Id { get; set; }
    /// <summary>Null for an app's own token (OAuth client credentials), which acts as no one.</summary>
    public long? AccountId { get; set; }
    public long? UserId { get; set; }
    public required string TokenHash { get; set; }
    public required string Name { get; set; }
    /// <summary>The OAuth scopes granted, separated by spaces (Mastodon's: read, write:statuses, follow…).</summary>
    public string Scopes { get; set; } = ApiScopes.Full;
    /// <summary>The OAuth client (app) the token was issued to; null for tokens made by hand.</summary>
    public string? ClientId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>Who a token acts for and what it may do.</summary>
public sealed record TokenGrant(long? UserId, long? AccountId, string Scopes, string? ClientId);

internal sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> b)
    {
        b.ToTable("access_tokens");
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.TokenHash).HasMaxLength(64);
        b.Property(t => t.Name).HasMaxLength(100);
        b.Property(t => t.Scopes).HasMaxLength(1000).HasDefaultValue(ApiScopes.Full);
        b.Property(t => t.ClientId).HasMaxLength(100);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasIndex(t => t.AccountId);
        b.HasIndex(t => t.ClientId);
        b.HasIndex(t => t.UserId);
        b.HasOne<Account>().WithMany().HasForeignKey(t => t.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class AccessTokenService(IServiceProvider services, Snowflake ids, TimeProvider clock, IMemoryCache cache)
{
    // Resolved only when needed: a request whose token is cached never leases a DbContext for it.
    private DrawbridgeDb Db => services.GetRequiredService<DrawbridgeDb>();

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public Task<string> IssueAsync(User user, string name, CancellationToken ct) => IssueAsync(user, name, ApiScopes.Full, null, ct);

    /// <summary>A new token for a person (or, with no user, for an app itself), with the given scopes.</summary>
    public async Task<string> IssueAsync(User? user, string name, string scopes, string? clientId, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        Db.Set<AccessToken>().Add(NewRow(token, user, name, scopes, clientId));
        await Db.SaveChangesAsync(ct);
        return token;
    }

    private AccessToken NewRow(string token, User? user, string name, string scopes, string? clientId) => new()
    {
        Id = ids.Next(), AccountId = user?.AccountId, UserId = user?.Id, TokenHash = Hash(token),
        Name = string.IsNullOrWhiteSpace(name) ? "API client" : name.Trim()[..Math.Min(100, name.Trim().Length)],
        Scopes = ApiScopes.Normalise(scopes), ClientId = clientId,
        CreatedAt = clock.GetUtcNow().UtcDateTime,
    };

    public async Task RevokeAllAsync(long accountId, CancellationToken ct)
    {
        var hashes = await Db.Set<AccessToken>().Where(t => t.AccountId == accountId && t.RevokedAt == null).Select(t => t.TokenHash).ToListAsync(ct);
        await Db.Set<AccessToken>().Where(t => t.AccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, clock.GetUtcNow().UtcDateTime), ct);
        foreach (var h in hashes)
        {
            cache.Remove(CacheKey(h));
        }
    }

    /// <summary>Who a token acts for and its scopes, cached briefly so the API's hot paths skip the lookup.</summary>
    public async Task<TokenGrant?> ResolveAsync(string token, CancellationToken ct)
    {
        var hash = Hash(token);
        if (cache.TryGetValue(CacheKey(hash), out TokenGrant? hit))
        {
            return hit;
        }
        var row = await Db.Set<AccessToken>().AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Where(t => t.AccountId == null || Db.Accounts.Any(a => a.Id == t.AccountId && a.DeletionRequestedAt == null))
            .Select(t => new TokenGrant(t.UserId, t.AccountId, t.Scopes, t.ClientId)).FirstOrDefaultAsync(ct);
        cache.Set(CacheKey(hash), row, TimeSpan.FromSeconds(30));
        return row;
    }

    /// <summary>An account's tokens made by hand that still work, newest first (names and dates only: the secret is never stored).</summary>
    public Task<List<AccessToken>> ListAsync(long accountId, CancellationToken ct) =>
        Db.Set<AccessToken>().AsNoTracking().Where(t => t.AccountId == accountId && t.ClientId == null && t.RevokedAt == null).OrderByDescending(t => t.Id).ToListAsync(ct);

    /// <summary>An account's tokens issued to apps through OAuth that still work, newest first.</summary>
    public Task<List<AccessToken>> AppTokensAsync(long accountId, CancellationToken ct) =>
        Db.Set<AccessToken>().AsNoTracking().Where(t => t.AccountId == accountId && t.ClientId != null && t.RevokedAt == null).OrderByDescending(t => t.Id).ToListAsync(ct);

    /// <summary>Revokes every token an account gave one app; false when there was none.</summary>
    public async Task<bool> RevokeAppAsync(long accountId, string clientId, CancellationToken ct)
    {
        var rows = await Db.Set<AccessToken>().Where(t => t.AccountId == accountId && t.ClientId == clientId && t.RevokedAt == null).ToListAsync(ct);
        foreach (var row in rows)
        {
            row.RevokedAt = clock.GetUtcNow().UtcDateTime;
        }
        await Db.SaveChangesAsync(ct);
        foreach (var row in rows)
        {
            cache.Remove(CacheKey(row.TokenHash));
        }
        return rows.Count > 0;
    }

    /// <summary>Revokes a token by its value, if it was issued to the given app (OAuth revocation: an app revokes its own).</summary>
    public async Task RevokeIssuedAsync(string token, string clientId, CancellationToken ct)
    {
        var hash = Hash(token);
        var row = await Db.Set<AccessToken>().FirstOrDefaultAsync(t => t.TokenHash == hash && t.ClientId == clientId && t.RevokedAt == null, ct);
        if (row is null)
        {
            return;
        }
        row.RevokedAt = clock.GetUtcNow().UtcDateTime;
        await Db.SaveChangesAsync(ct);
        cache.Remove(CacheKey(hash));
    }

    public async Task<bool> RevokeAsync(long accountId, long tokenId, CancellationToken ct)
    {
        var token = await Db.Set<AccessToken>().FirstOrDefaultAsync(t => t.Id == tokenId && t.AccountId == accountId && t.RevokedAt == null, ct);
        if (token is null)
        {
            return false;
        }
        token.RevokedAt = clock.GetUtcNow().UtcDateTime;
        await Db.SaveChangesAsync(ct);
        cache.Remove(CacheKey(token.TokenHash));
        return true;
    }

    private static string CacheKey(string hash) => "token:" + hash;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Authenticates API requests that carry <c>Authorization: Bearer …</c>.</summary>
public sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Bearer";

    /// <summary>Whether a request is one a bearer token may authenticate: the JSON APIs and media files, never pages.</summary>
    public static bool Accepts(HttpRequest request) =>
        (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/media"))
        && request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        var resolved = token.Length is > 10 and < 200 ? await tokens.ResolveAsync(token, Context.RequestAborted) : null;
        if (resolved is null)
        {
            return AuthenticateResult.Fail("The access token is not valid");
        }
        var claims = new List<Claim>(4) { new(AccountClaims.Scopes, resolved.Scopes) };
        if (resolved.UserId is { } userId && resolved.AccountId is { } accountId)
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, userId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            claims.Add(new Claim(AccountClaims.AccountId, accountId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (resolved.ClientId is { } clientId)
        {
            claims.Add(new Claim(AccountClaims.ClientId, clientId));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Name)), Name));
    }
}

public static class AccountClaims
{
    public const string AccountId = "drawbridge:account";
    /// <summary>A bearer token's OAuth scopes, separated by spaces; absent for the sign-in cookie.</summary>
    public const string Scopes = "drawbridge:scopes";
    public const string ClientId = "drawbridge:client";

    public static long? AccountIdOf(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(AccountId), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
}
