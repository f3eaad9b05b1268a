using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Federation;

/// <summary>
/// Administrators' decisions about other servers. A suspended domain is refused at the inbox and never fetched, and
/// what was stored from it is removed; a limited one is accepted but kept out of public timelines. Checked on every
/// delivery, so the list is held in memory and reloaded when it changes (and every minute, for other nodes).
/// </summary>
public sealed class DomainBlocks(DrawbridgeDb db, IMemoryCache cache, TimeProvider clock)
{
    private const string CacheKey = "fed-domain-blocks";

    private async Task<Dictionary<string, DomainBlockSeverity>> AllAsync(CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey, out Dictionary<string, DomainBlockSeverity>? known) && known is not null)
        {
            return known;
        }
        var list = await db.DomainBlocks.AsNoTracking().ToDictionaryAsync(d => d.Domain, d => d.Severity, ct);
        cache.Set(CacheKey, list, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1), Size = 1 });
        return list;
    }

    /// <summary>The block on a domain or any domain it is a subdomain of (blocking example.com blocks a.example.com).</summary>
    public async Task<DomainBlockSeverity?> SeverityAsync(string? domain, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(domain))
        {
            return null;
        }
        var all = await AllAsync(ct);
        if (all.Count == 0)
        {
            return null;
        }
        domain = domain.ToLowerInvariant();
        DomainBlockSeverity? found = null;
        for (var d = domain; d.Length > 0;)
        {
            if (all.TryGetValue(d, out var s) && (found is null || s > found))
            {
                found = s;
            }
            var dot = d.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                break;
            }
            d = d[(dot + 1)..];
        }
        return found;
    }

    public async Task<bool> IsSuspendedAsync(string? domain, CancellationToken ct) => await SeverityAsync(domain, ct) == DomainBlockSeverity.Suspend;

    public Task<List<DomainBlock>> ListAsync(CancellationToken ct) => db.DomainBlocks.AsNoTracking().OrderBy(d => d.Domain).ToListAsync(ct);

    /// <summary>A domain as entered by an administrator, normalised; null when it isn't one.</summary>
    public static string? Normalise(string? input)
    {
        var d = (input ?? "").Trim().TrimEnd('/').ToLowerInvariant();
        if (d.StartsWith("https://", StringComparison.Ordinal) || d.StartsWith("http://", StringComparison.Ordinal))
        {
            d = RemoteAccounts.DomainOf(d) ?? "";
        }
        if (d.Length is 0 or > 253 || !Uri.TryCreate($"https://{d}/", UriKind.Absolute, out var u) || RemoteAccounts.DomainOf(u) != d.Replace(":443", "", StringComparison.Ordinal) || !d.Contains('.', StringComparison.Ordinal) && !d.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }
        return d;
    }

    /// <summary>Blocks (or changes the block on) a domain. Suspending removes the domain's accounts, and with them their posts, follows and likes.</summary>
    public async Task<Outcome<DomainBlock>> BlockAsync(string input, DomainBlockSeverity severity, string? reason, CancellationToken ct)
    {
        if (Normalise(input) is not { } domain)
        {
            return Outcome<DomainBlock>.Invalid("domain", "Enter a domain, like social.example");
        }
        if (!Enum.IsDefined(severity))
        {
            return Outcome<DomainBlock>.Invalid("severity", "Choose limit or suspend");
        }
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > 500 })
        {
            return Outcome<DomainBlock>.Invalid("reason", "Keep the reason to 500 characters");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var block = await db.DomainBlocks.FirstOrDefaultAsync(d => d.Domain == domain, ct);
        if (block is null)
        {
            block = new DomainBlock { Domain = domain, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.DomainBlocks.Add(block);
        }
        block.Severity = severity;
        block.Reason = reason;
        await db.SaveChangesAsync(ct);
        if (severity == DomainBlockSeverity.Suspend)
        {
            var suffix = "." + domain;
            await RemoteAccountRemoval.RemoveAsync(db, db.Accounts.Where(a => a.Domain != null && (a.Domain == domain || a.Domain.EndsWith(suffix))), ct);
        }
        await tx.CommitAsync(ct);
        cache.Remove(CacheKey);
        return Outcome<DomainBlock>.Ok(block);
    }

    public async Task<bool> UnblockAsync(string domain, CancellationToken ct)
    {
        var removed = await db.DomainBlocks.Where(d => d.Domain == domain).ExecuteDeleteAsync(ct) > 0;
        cache.Remove(CacheKey);
        return removed;
    }
}
