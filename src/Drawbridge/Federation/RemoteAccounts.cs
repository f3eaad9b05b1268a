using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Federation;

/// <summary>
/// Accounts of other servers: fetched by actor URI (signed, so servers in authorized-fetch mode answer) or found by
/// <c>user@domain</c> through WebFinger, stored as account rows with a domain, refreshed when a day old. Their public
/// keys verify what they sign; a key that stops verifying is fetched again once (keys rotate).
/// </summary>
public sealed partial class RemoteAccounts(
    DrawbridgeDb db, FederationHttp http, InstanceActor instance, Snowflake ids, TimeProvider clock, ContentRenderer renderer,
    DomainBlocks blocks, DomainEvents events, IMemoryCache cache, ILogger<RemoteAccounts> log)
{
    /// <summary>How long a fetched actor is trusted before it is fetched again.</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromDays(1);

    private static readonly string[] ActorTypes = ["Person", "Service", "Organization", "Group", "Application"];

    /// <summary>The domain as the fediverse writes it after the @: the host in lower case, with the port when not the default.</summary>
    public static string DomainOf(Uri uri) => uri.IsDefaultPort ? uri.IdnHost.ToLowerInvariant() : $"{uri.IdnHost.ToLowerInvariant()}:{uri.Port}";

    public static string? DomainOf(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out var u) ? DomainOf(u) : null;

    /// <summary>The stored account with this actor id, fetched (or refreshed when stale, or when <paramref name="refresh"/>) as needed.</summary>
    public async Task<Account?> ResolveAsync(string actorUri, bool refresh, CancellationToken ct)
    {
        var existing = await db.Accounts.FirstOrDefaultAsync(a => a.Uri == actorUri && a.Domain != null, ct);
        if (existing is not null && !refresh && existing.LastFetchedAt is { } at && clock.GetUtcNow().UtcDateTime - at < Stale)
        {
            return existing;
        }
        try
        {
            return await FetchAsync(actorUri, existing, ct);
        }
        catch (FederationFetchException e) when (existing is not null)
        {
            // A server that is down for a while keeps its accounts as they were.
            log.LogInformation("Could not refresh {Actor}: {Reason}", actorUri, e.Message);
            return existing;
        }
    }

    /// <summary>Finds <c>user@domain</c> (with or without a leading @ or <c>acct:</c>) through the domain's WebFinger.</summary>
    public async Task<Account?> ResolveHandleAsync(string acct, CancellationToken ct)
    {
        acct = acct.Trim();
        if (acct.StartsWith("acct:", StringComparison.OrdinalIgnoreCase))
        {
            acct = acct[5..];
        }
        acct = acct.TrimStart('@');
        var at = acct.LastIndexOf('@');
        if (at <= 0 || at == acct.Length - 1)
        {
            return null;
        }
        var user = acct[..at];
        var domain = acct[(at + 1)..].ToLowerInvariant();
        if (!Uri.TryCreate($"https://{domain}/", UriKind.Absolute, out var check) || DomainOf(check) != domain.Replace(":443", "", StringComparison.Ordinal))
        {
            return null;
        }
        var key = AccountService.HandleKey(user);
        var known = await db.Accounts.FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == domain, ct);
        if (known?.Uri is { } knownUri && known.LastFetchedAt is { } fetched && clock.GetUtcNow().UtcDateTime - fetched < Stale)
        {
            return known;
        }
        if (await blocks.IsSuspendedAsync(domain, ct))
        {
            return null;
        }
        var resource = Uri.EscapeDataString($"acct:{user}@{domain}");
        JsonDocument? jrd = null;
        foreach (var scheme in http.Options.AllowPrivateNetworks ? new[] { "https", "http" } : ["https"])
        {
            try
            {
                jrd = await http.GetJsonAsync(new Uri($"{scheme}://{domain}/.well-known/webfinger?resource={resource}"), "application/jrd+json, application/json", null, ct);
                break;
            }
            catch (FederationFetchException e)
            {
                log.LogInformation("WebFinger of {Acct} over {Scheme} failed: {Reason}", acct, scheme, e.Message);
            }
        }
        if (jrd is null)
        {
            return known;
        }
        using (jrd)
        {
            if (jrd.RootElement.ValueKind != JsonValueKind.Object || !jrd.RootElement.TryGetProperty("links", out var links) || links.ValueKind != JsonValueKind.Array)
            {
                return known;
            }
            foreach (var link in links.EnumerateArray())
            {
                if (link.ValueKind == JsonValueKind.Object && Activity.Str(link, "rel") == "self" && Activity.Str(link, "href") is { } href
                    && (Activity.Str(link, "type") ?? "").Contains("json", StringComparison.Ordinal))
                {
                    return await ResolveAsync(href, refresh: true, ct);
                }
            }
        }
        return known;
    }

    /// <summary>
    /// The public key with this id and the actor that owns it: from the store, or fetched (the key id is the actor's
    /// URI with a fragment on Mastodon, a key document naming its owner on some others).
    /// </summary>
    public async Task<(Account Owner, AsymmetricAlgorithm Key)?> KeyAsync(string keyId, bool refresh, CancellationToken ct)
    {
        var cacheKey = "fed-key:" + keyId;
        if (!refresh && cache.TryGetValue(cacheKey, out (Account Owner, AsymmetricAlgorithm Key) hit))
        {
            return hit;
        }
        var owner = refresh ? null : await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.PublicKeyId == keyId && a.Domain != null, ct);
        if (owner is null)
        {
            var withoutFragment = keyId.Split('#')[0];
            owner = await ResolveAsync(withoutFragment, refresh, ct);
            if (owner is null || owner.PublicKeyId != keyId)
            {
                // GoToSocial and others publish the key at its own URL, naming the actor that owns it.
                using var doc = await http.GetJsonAsync(new Uri(withoutFragment), FederationHttp.ActivityJson, await instance.SignerAsync(ct), ct);
                if (Activity.Str(doc.RootElement, "owner") is { } ownerUri && Activity.Str(doc.RootElement, "publicKeyPem") is not null)
                {
                    owner = await ResolveAsync(ownerUri, refresh, ct);
                }
            }
        }
        if (owner?.PublicKeyPem is not { } pem || owner.PublicKeyId != keyId)
        {
            return null;
        }
        var key = HttpSignatures.ImportPublicKey(pem);
        var entry = (owner, key);
        cache.Set(cacheKey, entry, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1), Size = 1 });
        return entry;
    }

    /// <summary>Forgets a cached key, so the next signature made with it is checked against a fresh fetch.</summary>
    public void ForgetKey(string keyId) => cache.Remove("fed-key:" + keyId);

    private async Task<Account?> FetchAsync(string actorUri, Account? existing, CancellationToken ct)
    {
        if (!Uri.TryCreate(actorUri, UriKind.Absolute, out var uri))
        {
            throw new FederationFetchException($"{actorUri} is not an address");
        }
        var domain = DomainOf(uri);
        if (await blocks.IsSuspendedAsync(domain, ct))
        {
            throw new FederationFetchException($"{domain} is suspended here");
        }
        using var doc = await http.GetJsonAsync(uri, FederationHttp.ActivityJson, await instance.SignerAsync(ct), ct);
        var actor = doc.RootElement;
        if (actor.ValueKind != JsonValueKind.Object || Activity.Str(actor, "id") is not { } id || !ActorTypes.Contains(Activity.Str(actor, "type")))
        {
            throw new FederationFetchException($"{actorUri} is not an actor");
        }
        // The document speaks for its own server only: an actor whose id is on another host is not believed.
        if (DomainOf(id) != domain)
        {
            throw new FederationFetchException($"{actorUri} answered with an actor of another server ({id})");
        }
        if (id != actorUri)
        {
            existing ??= await db.Accounts.FirstOrDefaultAsync(a => a.Uri == id && a.Domain != null, ct);
        }
        var username = Activity.Str(actor, "preferredUsername") is { Length: > 0 and <= AccountConfiguration.HandleMax } u && UsernamePattern().IsMatch(u) ? u : null;
        if (username is null)
        {
            throw new FederationFetchException($"{actorUri} has no usable preferredUsername");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var isNew = existing is null;
        var account = existing ?? await db.Accounts.FirstOrDefaultAsync(a => a.HandleKey == AccountService.HandleKey(username) && a.Domain == domain, ct);
        if (account is null)
        {
            account = new Account { Id = ids.Next(), Handle = username, HandleKey = AccountService.HandleKey(username), DisplayName = username, Domain = domain, CreatedAt = now };
            db.Accounts.Add(account);
        }
        account.Uri = id;
        account.Handle = username;
        account.HandleKey = AccountService.HandleKey(username);
        account.DisplayName = Clip(Activity.Str(actor, "name") is { Length: > 0 } name ? name : username, 100);
        account.Bio = Clip(PlainText(Activity.Str(actor, "summary") ?? ""), 1000);
        account.Url = HttpUrl(Activity.UrlOf(actor, "url")) ?? id;
        account.InboxUri = HttpUrl(Activity.Str(actor, "inbox"));
        account.OutboxUri = HttpUrl(Activity.Str(actor, "outbox"));
        account.FollowersUri = HttpUrl(Activity.Str(actor, "followers"));
        account.FeaturedUri = HttpUrl(Activity.Str(actor, "featured"));
        account.SharedInboxUri = actor.TryGetProperty("endpoints", out var endpoints) && endpoints.ValueKind == JsonValueKind.Object ? HttpUrl(Activity.Str(endpoints, "sharedInbox")) : null;
        account.Locked = actor.TryGetProperty("manuallyApprovesFollowers", out var locked) && locked.ValueKind == JsonValueKind.True;
        // Organisations here have staff and an inbox; a remote one has neither, so every remote actor is shown as a person.
        account.Kind = AccountKind.Member;
        account.AvatarUrl = HttpUrl(ImageUrl(actor, "icon"));
        account.HeaderUrl = HttpUrl(ImageUrl(actor, "image"));
        if (actor.TryGetProperty("publicKey", out var publicKey))
        {
            var key = publicKey.ValueKind == JsonValueKind.Array ? publicKey.EnumerateArray().FirstOrDefault() : publicKey;
            if (key.ValueKind == JsonValueKind.Object && Activity.Str(key, "publicKeyPem") is { } pem && Activity.Str(key, "id") is { } keyId
                && (Activity.Str(key, "owner") ?? id) == id && DomainOf(keyId) == domain)
            {
                try
                {
                    using var _ = HttpSignatures.ImportPublicKey(pem);
                    account.PublicKeyPem = pem;
                    account.PublicKeyId = keyId;
                }
                catch (Exception e) when (e is SignatureException or CryptographicException or FormatException)
                {
                    log.LogInformation("The key of {Actor} could not be read: {Reason}", id, e.Message);
                }
            }
        }
        account.LastFetchedAt = now;
        if (!isNew)
        {
            await events.RaiseAsync(db, new AccountUpdated(account.Id), ct);
        }
        await db.SaveChangesAsync(ct);
        if (account.PublicKeyId is { } kid)
        {
            ForgetKey(kid);
        }
        return account;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string? HttpUrl(string? url) =>
        url is { Length: <= AccountConfiguration.UriMax } && Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) ? url : null;

    private static string? ImageUrl(JsonElement actor, string name)
    {
        if (!actor.TryGetProperty(name, out var image))
        {
            return null;
        }
        if (image.ValueKind == JsonValueKind.Array)
        {
            image = image.EnumerateArray().FirstOrDefault();
        }
        return image.ValueKind switch
        {
            JsonValueKind.String => image.GetString(),
            JsonValueKind.Object => Activity.UrlOf(image, "url"),
            _ => null,
        };
    }

    /// <summary>A remote bio is HTML: sanitised, then kept as text (paragraphs and line breaks as new lines), so every page shows it escaped.</summary>
    private string PlainText(string html)
    {
        var safe = renderer.Sanitize(html);
        var text = BreakPattern().Replace(safe, "\n");
        text = TagPattern().Replace(text, "");
        return WebUtility.HtmlDecode(text).Trim();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"<br\s*/?>|</p>\s*<p>", RegexOptions.IgnoreCase)]
    private static partial Regex BreakPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();
}

/// <summary>
/// This server as an actor of its own (<c>/actor</c>, an Application): it signs the fetches made for no one in
/// particular, so servers that require signed fetches (authorized fetch) answer them.
/// </summary>
public sealed class InstanceActor(DrawbridgeDb db, ActorUrls urls, TimeProvider clock, IMemoryCache cache)
{
    public const string KeyName = "instance";

    public async Task<ServerKey?> KeyAsync(bool create, CancellationToken ct)
    {
        if (cache.TryGetValue("fed-instance-key", out ServerKey? known) && known is not null)
        {
            return known;
        }
        var key = await db.ServerKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Name == KeyName, ct);
        if (key is null && create)
        {
            var (publicPem, privatePem) = HttpSignatures.NewKeyPair();
            try
            {
                db.ServerKeys.Add(new ServerKey { Name = KeyName, PublicKeyPem = publicPem, PrivateKeyPem = privatePem, KeyId = $"{urls.InstanceActor}#main-key", CreatedAt = clock.GetUtcNow().UtcDateTime });
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Made at the same moment by another request: the stored one wins.
                db.ChangeTracker.Clear();
            }
            key = await db.ServerKeys.AsNoTracking().FirstAsync(k => k.Name == KeyName, ct);
        }
        if (key is not null)
        {
            cache.Set("fed-instance-key", key, new MemoryCacheEntryOptions { Size = 1 });
        }
        return key;
    }

    /// <summary>The signer for this server's own fetches; null when the server doesn't know its own address yet.</summary>
    public async Task<FederationHttp.Signer?> SignerAsync(CancellationToken ct)
    {
        ServerKey? key;
        try
        {
            key = await KeyAsync(create: true, ct);
        }
        catch (InvalidOperationException)
        {
            return null; // no PublicUrl and no request to learn the address from
        }
        if (key is null)
        {
            return null;
        }
        var rsa = RSA.Create();
        rsa.ImportFromPem(key.PrivateKeyPem);
        return new FederationHttp.Signer(key.KeyId, rsa);
    }
}

/// <summary>
/// Finds the key a signature names, for <see cref="HttpSignatures.VerifyAsync"/> on the inboxes and under authorized
/// fetch: never from a suspended server, fetched when unknown (again when <see cref="Refresh"/> is set, to follow a
/// rotated key). Remembers who owns the key it found and, when it found none, why.
/// </summary>
public sealed class SignatureKeyLookup(RemoteAccounts remote, DomainBlocks blocks)
{
    public Account? Signer { get; private set; }

    /// <summary>Why no key could be had (a suspended server, a failed fetch); null when none of that happened.</summary>
    public string? Problem { get; private set; }

    public bool Refresh { get; set; }

    public async Task<AsymmetricAlgorithm?> ResolveAsync(string keyId, CancellationToken ct)
    {
        if (await blocks.IsSuspendedAsync(RemoteAccounts.DomainOf(keyId), ct))
        {
            Problem = $"{RemoteAccounts.DomainOf(keyId)} is suspended on this server";
            return null;
        }
        try
        {
            var found = await remote.KeyAsync(keyId, Refresh, ct);
            Signer = found?.Owner;
            return found?.Key;
        }
        catch (FederationFetchException e)
        {
            Problem = e.Message;
            return null;
        }
    }
}
