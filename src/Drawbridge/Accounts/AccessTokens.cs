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

/// <summary>A bearer token for API clients. Only its SHA-256 hash is stored.</summary>
public sealed class AccessToken
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long UserId { get; set; }
    public required string TokenHash { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

internal sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> b)
    {
        b.ToTable("access_tokens");
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.TokenHash).HasMaxLength(64);
        b.Property(t => t.Name).HasMaxLength(100);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasIndex(t => t.AccountId);
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

    public async Task<string> IssueAsync(User user, string name, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        Db.Set<AccessToken>().Add(new AccessToken
        {
            Id = ids.Next(),
            AccountId = user.AccountId,
            UserId = user.Id,
            TokenHash = Hash(token),
            Name = string.IsNullOrWhiteSpace(name) ? "API client" : name.Trim()[..Math.Min(100, name.Trim().Length)],
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await Db.SaveChangesAsync(ct);
        return token;
    }

    public async Task RevokeAllAsync(long accountId, CancellationToken ct)
    {
        var hashes = await Db.Set<AccessToken>().Where(t => t.AccountId == accountId && t.RevokedAt == null).Select(t => t.TokenHash).ToListAsync(ct);
        await Db.Set<AccessToken>().Where(t => t.AccountId == accountId).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, clock.GetUtcNow().UtcDateTime), ct);
        foreach (var h in hashes)
        {
            cache.Remove(CacheKey(h));
        }
    }

    /// <summary>The (user, account) a token belongs to, cached briefly so the API's hot paths skip the lookup.</summary>
    public async Task<(long UserId, long AccountId)?> ResolveAsync(string token, CancellationToken ct)
    {
        var hash = Hash(token);
        if (cache.TryGetValue(CacheKey(hash), out (long, long)? hit))
        {
            return hit;
        }
        var row = await Db.Set<AccessToken>().AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Where(t => Db.Accounts.Any(a => a.Id == t.AccountId && a.DeletionRequestedAt == null))
            .Select(t => new { t.UserId, t.AccountId }).FirstOrDefaultAsync(ct);
        (long, long)? result = row is null ? null : (row.UserId, row.AccountId);
        cache.Set(CacheKey(hash), result, TimeSpan.FromSeconds(30));
        return result;
    }

    /// <summary>An account's tokens that still work, newest first (names and dates only: the secret is never stored).</summary>
    public Task<List<AccessToken>> ListAsync(long accountId, CancellationToken ct) =>
        Db.Set<AccessToken>().AsNoTracking().Where(t => t.AccountId == accountId && t.RevokedAt == null).OrderByDescending(t => t.Id).ToListAsync(ct);

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
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, resolved.Value.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(AccountClaims.AccountId, resolved.Value.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name));
    }
}

public static class AccountClaims
{
    public const string AccountId = "drawbridge:account";

    public static long? AccountIdOf(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(AccountId), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
}
