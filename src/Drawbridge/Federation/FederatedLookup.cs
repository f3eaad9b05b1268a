using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// What search asks of federation: <c>@user@domain</c> found through WebFinger, an actor's or a post's URL fetched and
/// stored, so that a person can find someone on another server, or a post they saw there, from here.
/// </summary>
public sealed partial class FederatedLookup(DrawbridgeDb db, RemoteAccounts remote, InboundProcessor processor, FederationHttp http,
    InstanceActor instance, ActorUrls urls, ILogger<FederatedLookup> log)
{
    public async Task<(Account? Account, Post? Post)> ResolveAsync(string? text, CancellationToken ct)
    {
        var q = (text ?? "").Trim();
        try
        {
            if (AcctPattern().IsMatch(q))
            {
                var domain = q[(q.LastIndexOf('@') + 1)..].ToLowerInvariant();
                return domain == urls.Domain.ToLowerInvariant() ? (null, null) : (await remote.ResolveHandleAsync(q, ct), null);
            }
            if (q.Length > AccountConfiguration.UriMax || !Uri.TryCreate(q, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
                || uri.Authority.Equals(new Uri(urls.Base).Authority, StringComparison.OrdinalIgnoreCase))
            {
                return (null, null);
            }
            if (await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => !p.Local && (p.Uri == q || p.Url == q), ct) is { } post)
            {
                return (null, post);
            }
            if (await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Domain != null && (a.Uri == q || a.Url == q), ct) is { } account)
            {
                return (account, null);
            }
            using var doc = await http.GetJsonAsync(uri, FederationHttp.ActivityJson, await instance.SignerAsync(ct), ct);
            var o = doc.RootElement;
            if (Activity.Str(o, "id") is not { } id || !Activity.SameOrigin(id, q))
            {
                return (null, null);
            }
            switch (Activity.TypeOf(o))
            {
                case "Person" or "Service" or "Organization" or "Group" or "Application":
                    return (await remote.ResolveAsync(id, refresh: false, ct), null);
                case "Note" or "Article" or "Question" or "Page":
                    if (Activity.IdOf(o, "attributedTo") is { } author && Activity.SameOrigin(author, id) && await remote.ResolveAsync(author, refresh: false, ct) is { } actor)
                    {
                        var (stored, _) = await processor.StoreObjectAsync(o, o, actor, ct);
                        return (null, stored);
                    }
                    break;
            }
        }
        catch (FederationFetchException e)
        {
            log.LogInformation("Search could not resolve {Query}: {Reason}", q, e.Message);
        }
        catch (JsonException)
        {
        }
        return (null, null);
    }

    [GeneratedRegex(@"^@?[A-Za-z0-9_.\-]+@[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")]
    private static partial Regex AcctPattern();
}
