using System.Globalization;
using System.Text.Json.Nodes;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Posts;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// What local people do, sent to the servers it concerns: each domain event that a remote server should hear of
/// becomes an activity, staged for delivery in the change's own transaction (so it is sent if and only if the change
/// commits). Only local actors' changes are sent, and only to remote accounts' inboxes. Addressing follows Mastodon:
/// public and unlisted posts to the followers (one request per server's shared inbox), followers-only posts to the
/// followers only; remote accounts a post mentions, and the author of a remote post it replies to, get it too.
/// docs/federation.md lists every activity field by field.
/// </summary>
public sealed class OutboundActivities(ActivityDelivery delivery, ActorUrls urls, LocalActorKeys keys, ContentRenderer renderer, Snowflake ids, TimeProvider clock, ILogger<OutboundActivities> log) :
    ITransactionalEventHandler<PostPublished>, ITransactionalEventHandler<PostEdited>, ITransactionalEventHandler<PostDeleted>,
    ITransactionalEventHandler<PostLiked>, ITransactionalEventHandler<PostUnliked>,
    ITransactionalEventHandler<PostReposted>, ITransactionalEventHandler<PostUnreposted>,
    ITransactionalEventHandler<FollowRequested>, ITransactionalEventHandler<AccountFollowed>, ITransactionalEventHandler<FollowRejected>,
    ITransactionalEventHandler<AccountUnfollowed>, ITransactionalEventHandler<AccountBlocked>, ITransactionalEventHandler<AccountUnblocked>,
    ITransactionalEventHandler<AccountUpdated>, ITransactionalEventHandler<AccountDeleted>,
    ITransactionalEventHandler<ChangePublished>, ITransactionalEventHandler<ChangeRevised>, ITransactionalEventHandler<ChangeWithdrawn>
{
    private const string Public = ActorEndpoints.PublicCollection;

    private static async Task<Account?> LocalAsync(DrawbridgeDb db, long id, CancellationToken ct) =>
        await db.Accounts.FindAsync([id], ct) is { Domain: null } a ? a : null;

    private static async Task<Account?> RemoteAsync(DrawbridgeDb db, long id, CancellationToken ct) =>
        await db.Accounts.FindAsync([id], ct) is { Domain: not null } a ? a : null;

    /// <summary>
    /// Whether a change of this account's concerns another server: it has remote followers, or
    /// <paramref name="alsoInboxes"/> names remote inboxes. Most changes on most servers don't, and stage nothing.
    /// </summary>
    private async Task<bool> AnyoneRemoteAsync(DrawbridgeDb db, long accountId, IReadOnlyCollection<string> alsoInboxes, CancellationToken ct) =>
        (alsoInboxes.Count > 0 || await db.Follows.AnyAsync(f => f.FolloweeId == accountId && f.State == FollowState.Accepted
            && db.Accounts.Any(a => a.Id == f.FollowerId && a.Domain != null), ct)) && Ready();

    /// <summary>Activities need this server's address: from <c>Drawbridge:PublicUrl</c>, or the request being served.</summary>
    private bool Ready()
    {
        if (urls.Known)
        {
            return true;
        }
        log.LogWarning("Set Drawbridge:PublicUrl: an activity for another server was not sent, since this server's address is unknown outside a request");
        return false;
    }

    private static string? InboxOf(Account remote) => remote.InboxUri ?? remote.SharedInboxUri;

    private string Now() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private string Stamp() => ids.Next().ToString(CultureInfo.InvariantCulture);

    private JsonObject Activity(string id, string type, Account actor, JsonNode? obj, JsonArray? to = null, JsonArray? cc = null)
    {
        var activity = new JsonObject
        {
            ["@context"] = ActivityJson.Context(),
            ["id"] = id,
            ["type"] = type,
            ["actor"] = urls.Actor(actor),
        };
        if (to is not null)
        {
            activity["to"] = to;
        }
        if (cc is not null)
        {
            activity["cc"] = cc;
        }
        activity["object"] = obj;
        return activity;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Posts: Create, Update, Delete

    /// <summary>A local post's object with everyone it is addressed to, and the remote inboxes beyond the followers that must get it.</summary>
    private async Task<(JsonObject Object, List<string> Inboxes)?> PostObjectAsync(DrawbridgeDb db, long postId, CancellationToken ct)
    {
        var post = await db.Posts.FindAsync([postId], ct);
        if (post is null || !post.Local || post.RepostOfId is not null || await LocalAsync(db, post.AuthorId, ct) is not { } author)
        {
            return null;
        }
        // Tags and mentions written in this unit of work are not saved yet: the tracked ones count too.
        var tags = (await db.PostTags.AsNoTracking().Where(t => t.PostId == postId).Select(t => t.Tag).ToListAsync(ct))
            .Concat(db.PostTags.Local.Where(t => t.PostId == postId).Select(t => t.Tag)).Distinct(StringComparer.Ordinal).ToList();
        var o = ActivityJson.Object(post, author, urls, tags, await ActivityJson.InReplyToAsync(db, urls, post, ct));
        o.Remove("@context");
        var inboxes = new List<string>();
        foreach (var remote in await ActivityJson.AddressRemoteAsync(db, urls, o, post, ct))
        {
            if (InboxOf(remote) is { } inbox)
            {
                inboxes.Add(remote.SharedInboxUri ?? inbox);
            }
        }
        return (o, inboxes);
    }

    public async Task HandleAsync(PostPublished e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.AuthorId, ct) is not { } author || await PostObjectAsync(db, e.PostId, ct) is not { } built
            || !await AnyoneRemoteAsync(db, author.Id, built.Inboxes, ct))
        {
            return;
        }
        var (o, inboxes) = built;
        var create = Activity(urls.Activity(author, e.PostId, "create"), "Create", author, o, o["to"]!.DeepClone().AsArray(), o["cc"]!.DeepClone().AsArray());
        create["published"] = o["published"]!.DeepClone();
        delivery.EnqueueToFollowers(db, author.Id, create, inboxes);
    }

    public async Task HandleAsync(PostEdited e, DrawbridgeDb db, CancellationToken ct)
    {
        if (!e.Published || await LocalAsync(db, e.AuthorId, ct) is not { } author || await PostObjectAsync(db, e.PostId, ct) is not { } built
            || !await AnyoneRemoteAsync(db, author.Id, built.Inboxes, ct))
        {
            return;
        }
        var (o, inboxes) = built;
        o["updated"] ??= Now();
        var update = Activity(urls.Activity(author, e.PostId, "update-" + Stamp()), "Update", author, o, o["to"]!.DeepClone().AsArray(), o["cc"]!.DeepClone().AsArray());
        delivery.EnqueueToFollowers(db, author.Id, update, inboxes);
    }

    public async Task HandleAsync(PostDeleted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (!e.WasPublished || await LocalAsync(db, e.AuthorId, ct) is not { } author)
        {
            return;
        }
        if (e.RepostOfId is { } original)
        {
            await UndoAnnounceAsync(db, author, e.PostId, original, ct);
            return;
        }
        var post = await db.Posts.FindAsync([e.PostId], ct);
        if (post is null || !post.Local)
        {
            return;
        }
        var (to, cc) = ActivityJson.Addressing(post, author, urls);
        var inboxes = new List<string>();
        if (post.InReplyToAuthorId is { } parentAuthor && await RemoteAsync(db, parentAuthor, ct) is { } replied && InboxOf(replied) is { } inbox)
        {
            inboxes.Add(replied.SharedInboxUri ?? inbox);
        }
        var mentioned = await db.PostMentions.AsNoTracking().Where(m => m.PostId == post.Id)
            .Join(db.Accounts.Where(a => a.Domain != null), m => m.AccountId, a => a.Id, (m, a) => a.SharedInboxUri ?? a.InboxUri).ToListAsync(ct);
        inboxes.AddRange(mentioned.OfType<string>());
        if (!await AnyoneRemoteAsync(db, author.Id, inboxes, ct))
        {
            return;
        }
        var tombstone = new JsonObject { ["id"] = urls.Post(author, post.Id), ["type"] = "Tombstone", ["atomUri"] = urls.Post(author, post.Id) };
        var delete = Activity(urls.Activity(author, post.Id, "delete"), "Delete", author, tombstone, to, cc);
        delivery.EnqueueToFollowers(db, author.Id, delete, inboxes);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // "You said, we did": an organisation's published change records, as Articles to its followers

    private async Task<(Account Organisation, Listening.ChangeRecord Change)?> ChangeAsync(DrawbridgeDb db, long changeId, long organisationId, CancellationToken ct)
    {
        if (await LocalAsync(db, organisationId, ct) is not { } organisation
            || await db.Set<Listening.ChangeRecord>().FindAsync([changeId], ct) is not { } change || change.OrganisationId != organisationId
            || !await AnyoneRemoteAsync(db, organisation.Id, [], ct))
        {
            return null;
        }
        return (organisation, change);
    }

    private void SendChange(DrawbridgeDb db, Account organisation, Listening.ChangeRecord change, string type, string verb)
    {
        var o = ChangeObjects.Article(change, organisation, urls);
        o.Remove("@context");
        var activity = Activity($"{ChangeObjects.Id(urls, organisation, change.Id)}/activity#{verb}", type, organisation, o,
            o["to"]!.DeepClone().AsArray(), o["cc"]!.DeepClone().AsArray());
        delivery.EnqueueToFollowers(db, organisation.Id, activity, []);
    }

    public async Task HandleAsync(ChangePublished e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await ChangeAsync(db, e.ChangeId, e.OrganisationId, ct) is { } found)
        {
            // Published again after a withdrawal: a new Create, told apart by its stamp.
            SendChange(db, found.Organisation, found.Change, "Create", "create-" + Stamp());
        }
    }

    public async Task HandleAsync(ChangeRevised e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await ChangeAsync(db, e.ChangeId, e.OrganisationId, ct) is { } found)
        {
            SendChange(db, found.Organisation, found.Change, "Update", "update-" + Stamp());
        }
    }

    public async Task HandleAsync(ChangeWithdrawn e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await ChangeAsync(db, e.ChangeId, e.OrganisationId, ct) is not { Organisation: var organisation })
        {
            return;
        }
        var id = ChangeObjects.Id(urls, organisation, e.ChangeId);
        var tombstone = new JsonObject { ["id"] = id, ["type"] = "Tombstone" };
        var delete = Activity($"{id}/activity#delete-{Stamp()}", "Delete", organisation, tombstone,
            new JsonArray(Public), new JsonArray(urls.Followers(organisation)));
        delivery.EnqueueToFollowers(db, organisation.Id, delete, []);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Likes and reposts

    private async Task<(Account Author, string Uri)?> PostUriAsync(DrawbridgeDb db, long postId, CancellationToken ct)
    {
        var row = await db.Posts.AsNoTracking().Where(p => p.Id == postId)
            .Join(db.Accounts, p => p.AuthorId, a => a.Id, (p, a) => new { p.Local, p.Uri, Author = a }).FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }
        var uri = row.Local ? urls.Post(row.Author, postId) : row.Uri;
        return uri is null ? null : (row.Author, uri);
    }

    public async Task HandleAsync(PostLiked e, DrawbridgeDb db, CancellationToken ct)
    {
        // A like goes to the post's author only, and only when that author lives elsewhere.
        if (await LocalAsync(db, e.AccountId, ct) is not { } liker || await PostUriAsync(db, e.PostId, ct) is not ({ } author, { } uri) || author.IsLocal || InboxOf(author) is not { } inbox || !Ready())
        {
            return;
        }
        var like = Activity(LikeId(liker, e.PostId), "Like", liker, uri);
        delivery.Enqueue(db, liker.Id, like, [inbox]);
    }

    public async Task HandleAsync(PostUnliked e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.AccountId, ct) is not { } liker || await PostUriAsync(db, e.PostId, ct) is not ({ } author, { } uri) || author.IsLocal || InboxOf(author) is not { } inbox || !Ready())
        {
            return;
        }
        var like = Activity(LikeId(liker, e.PostId), "Like", liker, uri);
        like.Remove("@context");
        var undo = Activity($"{LikeId(liker, e.PostId)}/undo/{Stamp()}", "Undo", liker, like);
        delivery.Enqueue(db, liker.Id, undo, [inbox]);
    }

    // One like per account and post, so its id is stable: an Undo names exactly the Like it takes back.
    private string LikeId(Account liker, long postId) => $"{urls.Actor(liker)}#likes/{postId.ToString(CultureInfo.InvariantCulture)}";

    private JsonObject Announce(Account reposter, long repostId, string originalUri, Account originalAuthor, string published)
    {
        var cc = new JsonArray(urls.Followers(reposter));
        if (!originalAuthor.IsLocal && originalAuthor.Uri is { } authorUri)
        {
            cc.Add(authorUri);
        }
        else if (originalAuthor.IsLocal)
        {
            cc.Add(urls.Actor(originalAuthor));
        }
        var announce = Activity(urls.Activity(reposter, repostId, "announce"), "Announce", reposter, originalUri, new JsonArray(Public), cc);
        announce["published"] = published;
        return announce;
    }

    public async Task HandleAsync(PostReposted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.AccountId, ct) is not { } reposter || await PostUriAsync(db, e.OriginalId, ct) is not ({ } author, { } uri))
        {
            return;
        }
        var also = !author.IsLocal && InboxOf(author) is { } inbox ? new[] { author.SharedInboxUri ?? inbox } : [];
        if (!await AnyoneRemoteAsync(db, reposter.Id, also, ct))
        {
            return;
        }
        var repost = await db.Posts.FindAsync([e.RepostId], ct);
        var published = (repost?.CreatedAt ?? clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        delivery.EnqueueToFollowers(db, reposter.Id, Announce(reposter, e.RepostId, uri, author, published), also);
    }

    public async Task HandleAsync(PostUnreposted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.AccountId, ct) is { } reposter)
        {
            await UndoAnnounceAsync(db, reposter, e.RepostId, e.OriginalId, ct);
        }
    }

    private async Task UndoAnnounceAsync(DrawbridgeDb db, Account reposter, long repostId, long originalId, CancellationToken ct)
    {
        if (await PostUriAsync(db, originalId, ct) is not ({ } author, { } uri))
        {
            return;
        }
        var also = !author.IsLocal && InboxOf(author) is { } inbox ? new[] { author.SharedInboxUri ?? inbox } : [];
        if (!await AnyoneRemoteAsync(db, reposter.Id, also, ct))
        {
            return;
        }
        var announce = Announce(reposter, repostId, uri, author, Now());
        announce.Remove("@context");
        var undo = Activity(urls.Activity(reposter, repostId, "undo-announce"), "Undo", reposter, announce, new JsonArray(Public), new JsonArray(urls.Followers(reposter)));
        delivery.EnqueueToFollowers(db, reposter.Id, undo, also);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Follows

    /// <summary>A local account asks to follow a remote one: every remote follow waits for the other server's Accept.</summary>
    public async Task HandleAsync(FollowRequested e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.FollowerId, ct) is not { } follower || await RemoteAsync(db, e.FolloweeId, ct) is not { } followee
            || followee.Uri is null || InboxOf(followee) is not { } inbox || !Ready())
        {
            return;
        }
        var follow = await db.Follows.FirstOrDefaultAsync(f => f.FollowerId == follower.Id && f.FolloweeId == followee.Id, ct);
        if (follow is null)
        {
            return;
        }
        // The Follow's id is kept on the follow, so the other server's Accept, Reject or a later Undo finds it.
        follow.Uri ??= $"{urls.Actor(follower)}#follows/{Stamp()}";
        var activity = Activity(follow.Uri, "Follow", follower, followee.Uri);
        delivery.Enqueue(db, follower.Id, activity, [inbox]);
    }

    /// <summary>A remote account's follow of a local one took effect (at once, or accepted by its owner): Accept it.</summary>
    public async Task HandleAsync(AccountFollowed e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await RemoteAsync(db, e.FollowerId, ct) is not { } follower || await LocalAsync(db, e.FolloweeId, ct) is not { } followee
            || follower.Uri is null || InboxOf(follower) is not { } inbox || !Ready())
        {
            return;
        }
        var accept = Activity($"{urls.Actor(followee)}#accepts/{Stamp()}", "Accept", followee, FollowObject(e.Uri, follower.Uri, urls.Actor(followee)));
        delivery.Enqueue(db, followee.Id, accept, [inbox]);
    }

    public async Task HandleAsync(FollowRejected e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await RemoteAsync(db, e.FollowerId, ct) is not { } follower || await LocalAsync(db, e.FolloweeId, ct) is not { } followee
            || follower.Uri is null || InboxOf(follower) is not { } inbox || !Ready())
        {
            return;
        }
        var reject = Activity($"{urls.Actor(followee)}#rejects/{Stamp()}", "Reject", followee, FollowObject(e.Uri, follower.Uri, urls.Actor(followee)));
        delivery.Enqueue(db, followee.Id, reject, [inbox]);
    }

    /// <summary>A local account stops following a remote one, or withdraws its request: Undo the Follow.</summary>
    public async Task HandleAsync(AccountUnfollowed e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.FollowerId, ct) is not { } follower || await RemoteAsync(db, e.FolloweeId, ct) is not { } followee
            || followee.Uri is null || InboxOf(followee) is not { } inbox || !Ready())
        {
            return;
        }
        var follow = FollowObject(e.Uri ?? $"{urls.Actor(follower)}#follows/{followee.Id.ToString(CultureInfo.InvariantCulture)}", urls.Actor(follower), followee.Uri);
        var undo = Activity($"{follow["id"]}/undo", "Undo", follower, follow);
        delivery.Enqueue(db, follower.Id, undo, [inbox]);
    }

    private static JsonObject FollowObject(string? id, string actor, string target)
    {
        var follow = new JsonObject { ["type"] = "Follow", ["actor"] = actor, ["object"] = target };
        if (id is not null)
        {
            follow["id"] = id;
        }
        return follow;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Blocks

    private string BlockId(Account blocker, long blockedId) => $"{urls.Actor(blocker)}#blocks/{blockedId.ToString(CultureInfo.InvariantCulture)}";

    public async Task HandleAsync(AccountBlocked e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.BlockerId, ct) is not { } blocker || await RemoteAsync(db, e.BlockedId, ct) is not { } blocked
            || blocked.Uri is null || InboxOf(blocked) is not { } inbox || !Ready())
        {
            return;
        }
        delivery.Enqueue(db, blocker.Id, Activity(BlockId(blocker, blocked.Id), "Block", blocker, blocked.Uri), [inbox]);
    }

    public async Task HandleAsync(AccountUnblocked e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.BlockerId, ct) is not { } blocker || await RemoteAsync(db, e.BlockedId, ct) is not { } blocked
            || blocked.Uri is null || InboxOf(blocked) is not { } inbox || !Ready())
        {
            return;
        }
        var block = Activity(BlockId(blocker, blocked.Id), "Block", blocker, blocked.Uri);
        block.Remove("@context");
        delivery.Enqueue(db, blocker.Id, Activity($"{BlockId(blocker, blocked.Id)}/undo/{Stamp()}", "Undo", blocker, block), [inbox]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The account itself

    public async Task HandleAsync(AccountUpdated e, DrawbridgeDb db, CancellationToken ct)
    {
        // A deletion request changes nothing remote servers show until the account is gone (then: Delete).
        if (await LocalAsync(db, e.AccountId, ct) is not { DeletionRequestedAt: null } account || !await AnyoneRemoteAsync(db, account.Id, [], ct))
        {
            return;
        }
        var actor = ActivityJson.Actor(account, urls, await keys.PublicKeyPemAsync(account, ct), renderer);
        actor.Remove("@context");
        var update = Activity($"{urls.Actor(account)}#updates/{Stamp()}", "Update", account, actor, new JsonArray(Public), new JsonArray(urls.Followers(account)));
        delivery.EnqueueToFollowers(db, account.Id, update);
    }

    public async Task HandleAsync(AccountDeleted e, DrawbridgeDb db, CancellationToken ct)
    {
        if (await LocalAsync(db, e.AccountId, ct) is not { } account)
        {
            return;
        }
        // Read now: the follows go in the same unit of work.
        var inboxes = await ActivityDelivery.FollowerInboxesAsync(db, account.Id, ct);
        if (inboxes.Count == 0 || !Ready())
        {
            return;
        }
        var delete = Activity($"{urls.Actor(account)}#delete", "Delete", account, urls.Actor(account), new JsonArray(Public), new JsonArray(urls.Followers(account)));
        delivery.Enqueue(db, account.Id, delete, inboxes);
    }
}
