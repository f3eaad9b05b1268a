using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// This server's actors and objects as ActivityPub JSON: <c>/users/handle</c> (also <c>/@handle</c> by content
/// negotiation), its posts at <c>/users/handle/statuses/id</c> (also <c>/@handle/id</c>), and the actor's
/// collections. Public: they show what the HTML pages show to a visitor, no more (followers-only posts are not served).
/// </summary>
public static class ActorEndpoints
{
    public const string ContentType = "application/activity+json; charset=utf-8";
    public const string PublicCollection = "https://www.w3.org/ns/activitystreams#Public";

    public static void MapActors(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/{handle}", Actor);
        app.MapGet("/users/{handle}/statuses/{id:long}", Object).AddEndpointFilter(AuthorizedFetch.Filter);
        app.MapChangeObjects();
        app.MapGet("/users/{handle}/outbox", Outbox.GetAsync).AddEndpointFilter(AuthorizedFetch.Filter);
        app.MapGet("/users/{handle}/followers", (string handle, HttpContext http, ActorUrls urls, DrawbridgeDb db, Social.FollowService follows, CancellationToken ct) =>
            FollowCollections.GetAsync(handle, followers: true, http, urls, db, follows, ct)).AddEndpointFilter(AuthorizedFetch.Filter);
        app.MapGet("/users/{handle}/following", (string handle, HttpContext http, ActorUrls urls, DrawbridgeDb db, Social.FollowService follows, CancellationToken ct) =>
            FollowCollections.GetAsync(handle, followers: false, http, urls, db, follows, ct)).AddEndpointFilter(AuthorizedFetch.Filter);
        app.MapGet("/users/{handle}/collections/featured", (string handle, ActorUrls urls, DrawbridgeDb db, CancellationToken ct) =>
            Collection(handle, urls, db, a => urls.Featured(a), _ => Task.FromResult(0), ct)).AddEndpointFilter(AuthorizedFetch.Filter);
    }

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), ContentType);

    private static IResult Missing(string what) =>
        Results.Problem(title: "Not found", detail: what, statusCode: StatusCodes.Status404NotFound);

    private static Task<Account?> LocalAccountAsync(DrawbridgeDb db, string handle, CancellationToken ct)
    {
        var key = AccountService.HandleKey(handle);
        return db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
    }

    private static async Task<IResult> Actor(string handle, HttpContext http, ActorUrls urls, DrawbridgeDb db, LocalActorKeys keys, ContentRenderer renderer,
        AuthorizedFetch authorized, CancellationToken ct)
    {
        if (await LocalAccountAsync(db, handle, ct) is not { } account)
        {
            return Missing($"There is no account @{handle} here.");
        }
        var publicKey = await keys.PublicKeyPemAsync(account, ct);
        if (authorized.Required)
        {
            http.Response.Headers.CacheControl = "private, no-store";
            http.Response.Headers.Append("Vary", "Signature");
            // Unsigned: the key and the addresses only, so a server can check this actor's signatures and sign its own
            // first request; signed: all of it, to a server that may have it.
            if (!AuthorizedFetch.IsSigned(http.Request))
            {
                return Json(ActivityJson.KeyOnlyActor(account, urls, publicKey));
            }
            if (await authorized.RefusalAsync(http, ct) is { } refusal)
            {
                return AuthorizedFetch.Refuse(refusal);
            }
        }
        return Json(ActivityJson.Actor(account, urls, publicKey, renderer));
    }

    private static async Task<IResult> Object(string handle, long id, HttpContext http, ActorUrls urls, DrawbridgeDb db, AuthorizedFetch authorized, CancellationToken ct)
    {
        if (await LocalAccountAsync(db, handle, ct) is not { } author)
        {
            return Missing($"There is no account @{handle} here.");
        }
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.AuthorId == author.Id && p.Local && p.RepostOfId == null, ct);
        if (post is null || post.Status != PostStatus.Published)
        {
            return Missing("There is no such public post.");
        }
        if (post.Visibility >= Visibility.Followers)
        {
            // As Mastodon serves them: to a signed request from a server that may see the post, and to nobody else,
            // who learn nothing of it (the same 404 as for no post at all).
            if (await authorized.SignerAsync(http, ct) is not { Domain: { } domain } || !await ServerMaySeeAsync(db, post, domain, ct))
            {
                return Missing("There is no such public post.");
            }
            http.Response.Headers.CacheControl = "private, no-store";
            http.Response.Headers.Append("Vary", "Signature");
        }
        if (post.IsDeleted)
        {
            // Gone, and said so: servers that cached it drop it (Mastodon treats 410 as deleted).
            return Results.Text(ActivityJson.Tombstone(urls.Post(author, post.Id)).ToJsonString(), ContentType, statusCode: (int)HttpStatusCode.Gone);
        }
        var tags = await db.PostTags.AsNoTracking().Where(t => t.PostId == post.Id).Select(t => t.Tag).ToListAsync(ct);
        var inReplyTo = await ActivityJson.InReplyToAsync(db, urls, post, ct);
        var o = ActivityJson.Object(post, author, urls, tags, inReplyTo);
        await ActivityJson.AddressRemoteAsync(db, urls, o, post, ct);
        return Json(o);
    }

    /// <summary>
    /// Whether a remote server may have a followers-only or direct post: someone on it is mentioned in the post, or, for
    /// followers-only, someone on it follows the author (an accepted follow). Mastodon delivers such posts to the same servers.
    /// </summary>
    public static async Task<bool> ServerMaySeeAsync(DrawbridgeDb db, Post post, string domain, CancellationToken ct)
    {
        var mentioned = await db.PostMentions.AsNoTracking()
            .AnyAsync(m => m.PostId == post.Id && db.Accounts.Any(a => a.Id == m.AccountId && a.Domain == domain), ct);
        return mentioned || (post.Visibility == Visibility.Followers && await db.Follows.AsNoTracking()
            .AnyAsync(f => f.FolloweeId == post.AuthorId && f.State == Social.FollowState.Accepted && db.Accounts.Any(a => a.Id == f.FollowerId && a.Domain == domain), ct));
    }

    private static async Task<IResult> Collection(string handle, ActorUrls urls, DrawbridgeDb db, Func<Account, string> id, Func<Account, Task<int>> count, CancellationToken ct)
    {
        if (await LocalAccountAsync(db, handle, ct) is not { } account)
        {
            return Missing($"There is no account @{handle} here.");
        }
        // Nothing is featured yet: the count only.
        return Json(new JsonObject
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = id(account),
            ["type"] = "OrderedCollection",
            ["totalItems"] = await count(account),
        });
    }
}

/// <summary>The ActivityPub JSON of local actors and posts, in the shapes Mastodon reads (docs/federation.md).</summary>
public static partial class ActivityJson
{
    public static JsonArray Context() => new(
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        new JsonObject
        {
            ["manuallyApprovesFollowers"] = "as:manuallyApprovesFollowers",
            ["sensitive"] = "as:sensitive",
            ["Hashtag"] = "as:Hashtag",
            ["toot"] = "http://joinmastodon.org/ns#",
            ["featured"] = new JsonObject { ["@id"] = "toot:featured", ["@type"] = "@id" },
            ["discoverable"] = "toot:discoverable",
            ["indexable"] = "toot:indexable",
            ["schema"] = "http://schema.org#",
            ["PropertyValue"] = "schema:PropertyValue",
            ["value"] = "schema:value",
        });

    public static JsonObject Actor(Account a, ActorUrls urls, string publicKeyPem, ContentRenderer renderer)
    {
        var id = urls.Actor(a);
        var attachment = new JsonArray();
        void Field(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                attachment.Add(new JsonObject { ["type"] = "PropertyValue", ["name"] = name, ["value"] = WebUtility.HtmlEncode(value) });
            }
        }
        Field("Profession", a.Profession);
        Field("Employer", a.Employer);
        foreach (var link in a.ParsedLinks().Where(l => AccountService.IsSafeHttpUrl(l.Url)))
        {
            attachment.Add(new JsonObject
            {
                ["type"] = "PropertyValue",
                ["name"] = link.Label,
                ["value"] = $"<a href=\"{WebUtility.HtmlEncode(link.Url)}\" rel=\"{ContentRenderer.LinkRel} me\" target=\"_blank\">{WebUtility.HtmlEncode(link.Url)}</a>",
            });
        }
        var actor = new JsonObject
        {
            ["@context"] = Context(),
            ["id"] = id,
            ["type"] = a.Kind == AccountKind.Organisation ? "Organization" : "Person",
            ["preferredUsername"] = a.Handle,
            ["name"] = a.DisplayName,
            ["summary"] = renderer.RenderNote(a.Bio, _ => null),
            ["url"] = urls.Profile(a),
            ["inbox"] = urls.Inbox(a),
            ["outbox"] = urls.Outbox(a),
            ["followers"] = urls.Followers(a),
            ["following"] = urls.Following(a),
            ["featured"] = urls.Featured(a),
            ["endpoints"] = new JsonObject { ["sharedInbox"] = urls.SharedInbox },
            ["manuallyApprovesFollowers"] = a.Locked,
            ["discoverable"] = true,
            ["indexable"] = true,
            ["published"] = a.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["publicKey"] = new JsonObject { ["id"] = urls.KeyId(a), ["owner"] = id, ["publicKeyPem"] = publicKeyPem },
            ["attachment"] = attachment,
        };
        if (a.AvatarMediaId is { } avatar)
        {
            actor["icon"] = new JsonObject { ["type"] = "Image", ["url"] = $"{urls.Base}/media/{avatar.ToString(CultureInfo.InvariantCulture)}" };
        }
        return actor;
    }

    /// <summary>The addressing Mastodon uses: public in to, unlisted with public in cc, followers-only to followers.</summary>
    public static (JsonArray To, JsonArray Cc) Addressing(Post post, Account author, ActorUrls urls) => post.Visibility switch
    {
        Visibility.Public => (new JsonArray(ActorEndpoints.PublicCollection), new JsonArray(urls.Followers(author))),
        Visibility.Unlisted => (new JsonArray(urls.Followers(author)), new JsonArray(ActorEndpoints.PublicCollection)),
        _ => (new JsonArray(urls.Followers(author)), new JsonArray()),
    };

    public static async Task<string?> InReplyToAsync(DrawbridgeDb db, ActorUrls urls, Post post, CancellationToken ct)
    {
        if (post.InReplyToId is not { } parentId)
        {
            return null;
        }
        var parent = await db.Posts.AsNoTracking().Where(p => p.Id == parentId)
            .Join(db.Accounts, p => p.AuthorId, a => a.Id, (p, a) => new { p.Id, p.Uri, p.Local, Author = a }).FirstOrDefaultAsync(ct);
        return parent is null ? null : parent.Local ? urls.Post(parent.Author, parent.Id) : parent.Uri;
    }

    /// <summary>
    /// A note as a Note; an article as an Article with its title (name), summary, HTML and page (url), so Mastodon shows
    /// the title and a link; an episode's audio or video as an attachment.
    /// </summary>
    public static JsonObject Object(Post post, Account author, ActorUrls urls, IReadOnlyList<string> tags, string? inReplyTo)
    {
        var (to, cc) = Addressing(post, author, urls);
        var o = new JsonObject
        {
            ["@context"] = Context(),
            ["id"] = urls.Post(author, post.Id),
            ["type"] = post.Kind == PostKind.Article ? "Article" : "Note",
            ["attributedTo"] = urls.Actor(author),
            ["inReplyTo"] = inReplyTo,
            ["published"] = (post.PublishAt ?? post.CreatedAt).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["url"] = urls.PostPage(author, post.Id),
            ["to"] = to,
            ["cc"] = cc,
            ["sensitive"] = false,
            ["content"] = AbsoluteLinks(post.ContentHtml, urls.Base),
            ["tag"] = new JsonArray(tags.Select(t => (JsonNode)new JsonObject
            {
                ["type"] = "Hashtag",
                ["href"] = $"{urls.Base}/tags/{Uri.EscapeDataString(t)}",
                ["name"] = "#" + t,
            }).ToArray()),
            ["attachment"] = new JsonArray(),
        };
        if (post.EditedAt is { } edited)
        {
            o["updated"] = edited.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        }
        if (post.Kind == PostKind.Article)
        {
            o["name"] = post.Title;
            o["summary"] = post.Summary;
        }
        var enclosure = post.EnclosureUrl ?? (post.EnclosureMediaId is { } mid ? $"{urls.Base}/media/{mid.ToString(CultureInfo.InvariantCulture)}" : null);
        if (enclosure is not null)
        {
            var mediaType = post.EnclosureType ?? "audio/mpeg";
            o["attachment"]!.AsArray().Add(new JsonObject
            {
                ["type"] = mediaType.StartsWith("video/", StringComparison.Ordinal) ? "Video" : mediaType.StartsWith("audio/", StringComparison.Ordinal) ? "Audio" : "Document",
                ["mediaType"] = mediaType,
                ["url"] = enclosure,
                ["name"] = post.Title,
            });
        }
        return o;
    }

    /// <summary>An actor with no more than its key and addresses: what authorized fetch serves to an unsigned request.</summary>
    public static JsonObject KeyOnlyActor(Account a, ActorUrls urls, string publicKeyPem)
    {
        var id = urls.Actor(a);
        return new JsonObject
        {
            ["@context"] = Context(),
            ["id"] = id,
            ["type"] = a.Kind == AccountKind.Organisation ? "Organization" : "Person",
            ["preferredUsername"] = a.Handle,
            ["url"] = urls.Profile(a),
            ["inbox"] = urls.Inbox(a),
            ["outbox"] = $"{id}/outbox",
            ["followers"] = urls.Followers(a),
            ["following"] = urls.Following(a),
            ["endpoints"] = new JsonObject { ["sharedInbox"] = urls.SharedInbox },
            ["manuallyApprovesFollowers"] = a.Locked,
            ["publicKey"] = new JsonObject { ["id"] = urls.KeyId(a), ["owner"] = id, ["publicKeyPem"] = publicKeyPem },
        };
    }

    /// <summary>Links within this site (<c>href="/…"</c>) made absolute: the content is read on other servers.</summary>
    public static string AbsoluteLinks(string html, string baseUrl) =>
        RelativeHref().Replace(html, m => $"href=\"{baseUrl}/");

    [System.Text.RegularExpressions.GeneratedRegex("href=\"/(?!/)", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex RelativeHref();

    /// <summary>
    /// Addresses a local post's object to the remote accounts it mentions and the remote author it replies to, as
    /// Mastodon does: each in <c>cc</c> and a <c>Mention</c> tag, and the links to them in the content pointing at
    /// their own pages rather than this server's page about them. Mentions written in the current unit of work count.
    /// </summary>
    public static async Task<List<Account>> AddressRemoteAsync(DrawbridgeDb db, ActorUrls urls, JsonObject o, Post post, CancellationToken ct)
    {
        var mentionIds = (await db.PostMentions.AsNoTracking().Where(m => m.PostId == post.Id).Select(m => m.AccountId).ToListAsync(ct))
            .Concat(db.PostMentions.Local.Where(m => m.PostId == post.Id).Select(m => m.AccountId)).Distinct().ToList();
        var remotes = mentionIds.Count == 0 ? [] : await db.Accounts.AsNoTracking().Where(a => mentionIds.Contains(a.Id) && a.Domain != null).ToListAsync(ct);
        if (post.InReplyToAuthorId is { } parentAuthor && !mentionIds.Contains(parentAuthor)
            && await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == parentAuthor && a.Domain != null, ct) is { } replied)
        {
            remotes.Add(replied);
        }
        remotes = remotes.Where(r => r.Uri is not null).ToList();
        var cc = o["cc"]!.AsArray();
        var tag = o["tag"]!.AsArray();
        var content = o["content"]?.GetValue<string>() ?? "";
        foreach (var remote in remotes)
        {
            cc.Add(remote.Uri);
            tag.Add(new JsonObject { ["type"] = "Mention", ["href"] = remote.Uri, ["name"] = $"@{remote.Handle}@{remote.Domain}" });
            var page = WebUtility.HtmlEncode(remote.Url ?? remote.Uri!);
            content = content.Replace($"href=\"{urls.Base}/@{remote.Handle}@{remote.Domain}\"", $"href=\"{page}\"", StringComparison.Ordinal);
        }
        o["content"] = content;
        return remotes;
    }

    public static JsonObject Tombstone(string id) => new()
    {
        ["@context"] = "https://www.w3.org/ns/activitystreams",
        ["id"] = id,
        ["type"] = "Tombstone",
    };
}

/// <summary>
/// Local accounts' signing keys: made the first time federation needs one (2048-bit RSA, as Mastodon), kept in the
/// account's row. Two requests racing to make one both end with the one that was stored first.
/// </summary>
public sealed class LocalActorKeys(DrawbridgeDb db, ActorUrls urls, LocalSigningKeys signingKeys)
{
    public async Task<string> PublicKeyPemAsync(Account account, CancellationToken ct)
    {
        if (account.PublicKeyPem is { } pem && account.PrivateKeyPem is not null)
        {
            return pem;
        }
        var (publicPem, privatePem) = HttpSignatures.NewKeyPair();
        var keyId = urls.KeyId(account);
        await db.Accounts.Where(a => a.Id == account.Id && a.PrivateKeyPem == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.PublicKeyPem, publicPem).SetProperty(a => a.PrivateKeyPem, privatePem).SetProperty(a => a.PublicKeyId, keyId), ct);
        var stored = await db.Accounts.AsNoTracking().Where(a => a.Id == account.Id).Select(a => new { a.PublicKeyPem, a.PrivateKeyPem, a.PublicKeyId }).FirstAsync(ct);
        account.PublicKeyPem = stored.PublicKeyPem;
        account.PrivateKeyPem = stored.PrivateKeyPem;
        account.PublicKeyId = stored.PublicKeyId;
        return stored.PublicKeyPem!;
    }

    /// <summary>The signer for requests made on the account's behalf.</summary>
    public async Task<FederationHttp.Signer> SignerAsync(Account account, CancellationToken ct)
    {
        await PublicKeyPemAsync(account, ct);
        // The key id stored with the key: background work has no request to take this server's address from.
        return new FederationHttp.Signer(account.PublicKeyId ?? urls.KeyId(account), signingKeys.For(account.Id, account.PrivateKeyPem!));
    }
}

/// <summary>
/// Local accounts' private keys, imported once: parsing a PEM key costs more than the signature made with it, and a
/// post to many servers signs one request per inbox. An account whose key changes gets the new one (the PEM is
/// compared). The keys are shared and must not be disposed by those who sign with them.
/// </summary>
public sealed class LocalSigningKeys : IDisposable
{
    private const int MaxKeys = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (string Pem, System.Security.Cryptography.RSA Key)> _keys = new();

    public System.Security.Cryptography.RSA For(long accountId, string privateKeyPem)
    {
        if (_keys.TryGetValue(accountId, out var known) && string.Equals(known.Pem, privateKeyPem, StringComparison.Ordinal))
        {
            return known.Key;
        }
        var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        if (_keys.Count >= MaxKeys)
        {
            // Rarely reached (that many senders within the process's life): start over rather than grow. The keys
            // dropped are left to the finalizer, as a signature may be in progress with one.
            _keys.Clear();
        }
        _keys[accountId] = (privateKeyPem, rsa);
        return rsa;
    }

    public void Dispose()
    {
        foreach (var (_, key) in _keys.Values)
        {
            key.Dispose();
        }
        _keys.Clear();
    }
}
