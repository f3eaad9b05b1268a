using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Jobs;
using Drawbridge.Posts;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>One stored inbound activity to act on, on the inbound queue (so a burst of deliveries never delays local work).</summary>
public sealed record ProcessInboundActivity(long InboundActivityId) : IJobPayload<ProcessInboundActivity>
{
    public static string Kind => "federation-inbound";
    public static string Queue => JobQueues.Inbound;
}

/// <summary>Acts on a stored inbound activity (<see cref="InboundProcessor"/>), in the background.</summary>
public sealed class InboundActivityJob(InboundProcessor processor, TimeProvider clock) : JobHandler<ProcessInboundActivity>
{
    protected override async Task HandleAsync(DrawbridgeDb db, ProcessInboundActivity job, CancellationToken ct)
    {
        var id = job.InboundActivityId;
        var activity = await db.InboundActivities.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (activity is null || activity.ProcessedAt is not null)
        {
            return;
        }
        var outcome = await processor.ProcessAsync(activity, ct);
        db.ChangeTracker.Clear();
        await db.InboundActivities.Where(a => a.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.ProcessedAt, clock.GetUtcNow().UtcDateTime)
            .SetProperty(a => a.Outcome, outcome.Length > 500 ? outcome[..500] : outcome), ct);
    }
}

/// <summary>
/// What each accepted activity does here (docs/federation.md, "Activities accepted"). Every change goes through the
/// services local people use (FollowService, PostInteractions, PostEditing), so notifications, timelines, search and delivery follow
/// from the same domain events. An activity about something unknown, or not the actor's to change, changes nothing
/// and says why in its outcome.
/// </summary>
public sealed partial class InboundProcessor(
    DrawbridgeDb db, RemoteAccounts remote, ActorUrls urls, FollowService follows, PostInteractions interactions, PostEditing editing, ContentRenderer renderer,
    ISafetyScreen safety, DomainEvents events, Snowflake ids, TimeProvider clock, FederationHttp http, InstanceActor instance,
    DomainBlocks blocks, ILogger<InboundProcessor> log)
{
    public async Task<string> ProcessAsync(InboundActivity stored, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(stored.Body, new JsonDocumentOptions { MaxDepth = 32 });
        var activity = doc.RootElement;
        var actor = await remote.ResolveAsync(stored.ActorUri, refresh: false, ct);
        if (actor is null)
        {
            return "The actor could not be found";
        }
        try
        {
            return stored.Type switch
            {
                "Follow" => await FollowAsync(activity, actor, ct),
                "Undo" => await UndoAsync(activity, actor, ct),
                "Accept" => await AnswerAsync(activity, actor, accepted: true, ct),
                "Reject" => await AnswerAsync(activity, actor, accepted: false, ct),
                "Create" => await CreateAsync(activity, actor, ct),
                "Update" => await UpdateAsync(activity, actor, ct),
                "Delete" => await DeleteAsync(activity, actor, ct),
                "Like" => await LikeAsync(activity, actor, ct),
                "Announce" => await AnnounceAsync(activity, actor, ct),
                "Block" => await BlockAsync(activity, actor, ct),
                "Move" => await MoveAsync(activity, actor, ct),
                "Flag" => await FlagAsync(activity, actor, stored, ct),
                _ => $"{stored.Type} is not acted on",
            };
        }
        catch (FederationFetchException e)
        {
            return "A fetch failed: " + e.Message;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding things

    /// <summary>The local account an actor URI names (<c>/users/handle</c> or <c>/@handle</c> on this server).</summary>
    private async Task<Account?> LocalAccountAsync(string? uri, CancellationToken ct)
    {
        if (uri is null || urls.HandleOf(uri) is not { } handle)
        {
            return null;
        }
        var key = AccountService.HandleKey(handle);
        return await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
    }

    /// <summary>A post an id names: a local one by its id or page, or a remote one by its URI or URL.</summary>
    private async Task<Post?> PostAsync(string? uri, CancellationToken ct)
    {
        if (uri is null)
        {
            return null;
        }
        if (LocalPostId(uri) is { } id)
        {
            return await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.Local, ct);
        }
        return await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Uri == uri, ct);
    }

    /// <summary>The id of a local post from its ActivityPub id (<c>/users/h/statuses/id</c>) or page (<c>/@h/id</c>).</summary>
    private long? LocalPostId(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || !Uri.TryCreate(urls.Base, UriKind.Absolute, out var self)
            || !u.Authority.Equals(self.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var parts = u.AbsolutePath.Trim('/').Split('/');
        var last = parts.Length switch
        {
            4 when parts[0] == "users" && parts[2] == "statuses" => parts[3],
            2 when parts[0].StartsWith('@') => parts[1],
            _ => null,
        };
        return long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Follows

    private async Task<string> FollowAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        if (await LocalAccountAsync(Activity.IdOf(activity, "object"), ct) is not { } target)
        {
            return "The followed account is not one of this server's";
        }
        var uri = Activity.Str(activity, "id");
        var existing = await db.Follows.AsNoTracking().FirstOrDefaultAsync(f => f.FollowerId == actor.Id && f.FolloweeId == target.Id, ct);
        if (existing is not null)
        {
            // Following again (their server lost track): the follow stands under its new id, answered again.
            await db.Follows.Where(f => f.FollowerId == actor.Id && f.FolloweeId == target.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Uri, uri), ct);
            if (existing.State == FollowState.Accepted)
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await events.RaiseAsync(db, new RemoteFollowAnswered(actor.Id, target.Id, uri, Accepted: true), ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            return "Already following";
        }
        var outcome = await follows.FollowAsync(actor.Id, target.Id, ct, uri);
        if (outcome.Failure == OutcomeFailure.Forbidden)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await events.RaiseAsync(db, new RemoteFollowAnswered(actor.Id, target.Id, uri, Accepted: false), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return "Refused: a block stands between them";
        }
        return outcome.Succeeded ? (target.Locked ? "Follow requested" : "Followed") : outcome.FirstError;
    }

    private async Task<string> AnswerAsync(JsonElement activity, Account actor, bool accepted, CancellationToken ct)
    {
        // The Follow answered: by its id (ours), or embedded with its actor (a local account) and object (this actor).
        var followUri = Activity.IdOf(activity, "object");
        var follow = followUri is null ? null : await db.Follows.AsNoTracking().FirstOrDefaultAsync(f => f.Uri == followUri && f.FolloweeId == actor.Id, ct);
        if (follow is null && Activity.ObjectOf(activity, "object") is { } embedded && Activity.TypeOf(embedded) == "Follow"
            && Activity.IdOf(embedded, "object") == actor.Uri && await LocalAccountAsync(Activity.IdOf(embedded, "actor"), ct) is { } local)
        {
            follow = await db.Follows.AsNoTracking().FirstOrDefaultAsync(f => f.FollowerId == local.Id && f.FolloweeId == actor.Id, ct);
        }
        if (follow is null)
        {
            return "No follow of this account by a local one";
        }
        if (accepted)
        {
            if (follow.State == FollowState.Accepted)
            {
                return "Already accepted";
            }
            var outcome = await follows.AcceptFollowRequestAsync(actor.Id, follow.FollowerId, ct);
            return outcome.Succeeded ? "Follow accepted" : outcome.FirstError;
        }
        var rejected = follow.State == FollowState.Requested
            ? await follows.RejectFollowRequestAsync(actor.Id, follow.FollowerId, ct)
            : await follows.UnfollowAsync(follow.FollowerId, actor.Id, ct);
        return rejected.Succeeded ? "Follow rejected" : rejected.FirstError;
    }

    private async Task<string> UndoAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        var objectId = Activity.IdOf(activity, "object");
        var embedded = Activity.ObjectOf(activity, "object");
        var type = embedded is { } e ? Activity.TypeOf(e) : null;
        if (embedded is { } o && Activity.IdOf(o, "actor") is { } undoneActor && undoneActor != actor.Uri)
        {
            return "Only an activity's own actor may undo it";
        }
        // Without the activity embedded, the follow or repost it names may still be known by its id.
        if (type is null && objectId is not null)
        {
            if (await db.Follows.AsNoTracking().AnyAsync(f => f.Uri == objectId && f.FollowerId == actor.Id, ct))
            {
                type = "Follow";
            }
            else if (await db.Posts.AsNoTracking().AnyAsync(p => p.Uri == objectId && p.AuthorId == actor.Id && p.RepostOfId != null, ct))
            {
                type = "Announce";
            }
        }
        switch (type)
        {
            case "Follow":
            {
                var follow = await db.Follows.AsNoTracking().FirstOrDefaultAsync(f => f.Uri == objectId && f.FollowerId == actor.Id, ct);
                var followeeId = follow?.FolloweeId ?? (embedded is { } f ? (await LocalAccountAsync(Activity.IdOf(f, "object"), ct))?.Id : null);
                if (followeeId is not { } id)
                {
                    return "No such follow";
                }
                var outcome = await follows.UnfollowAsync(actor.Id, id, ct);
                return outcome.Succeeded ? "Unfollowed" : outcome.FirstError;
            }
            case "Like":
            {
                if (await PostAsync(embedded is { } l ? Activity.IdOf(l, "object") : null, ct) is not { } post)
                {
                    return "No such post";
                }
                var outcome = await interactions.LikeAsync(actor.Id, post.Id, false, ct);
                return outcome.Succeeded ? "Unliked" : outcome.FirstError;
            }
            case "Announce":
            {
                var repost = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Uri == objectId && p.AuthorId == actor.Id && p.RepostOfId != null, ct);
                var originalId = repost?.RepostOfId ?? (await PostAsync(embedded is { } a ? Activity.IdOf(a, "object") : null, ct))?.Id;
                if (originalId is not { } id)
                {
                    return "No such repost";
                }
                var outcome = await interactions.RepostAsync(actor.Id, id, false, ct);
                return outcome.Succeeded ? "Repost undone" : outcome.FirstError;
            }
            case "Block":
            {
                if (await LocalAccountAsync(embedded is { } b ? Activity.IdOf(b, "object") : null, ct) is not { } target)
                {
                    return "No such block";
                }
                var outcome = await follows.BlockAsync(actor.Id, target.Id, false, ct);
                return outcome.Succeeded ? "Unblocked" : outcome.FirstError;
            }
            default:
                return $"Undo of {type ?? "an unknown activity"} is not acted on";
        }
    }

    private async Task<string> BlockAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        if (await LocalAccountAsync(Activity.IdOf(activity, "object"), ct) is not { } target)
        {
            return "The blocked account is not one of this server's";
        }
        var outcome = await follows.BlockAsync(actor.Id, target.Id, true, ct);
        return outcome.Succeeded ? "Blocked" : outcome.FirstError;
    }

    private async Task<string> MoveAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        if (Activity.IdOf(activity, "object") != actor.Uri || Activity.IdOf(activity, "target") is not { } targetUri || targetUri == actor.Uri)
        {
            return "A Move must move its own actor to another";
        }
        // The new account must name the old one as itself (alsoKnownAs), or anyone could claim anyone's followers.
        using (var doc = await http.GetJsonAsync(new Uri(targetUri), FederationHttp.ActivityJson, await instance.SignerAsync(ct), ct))
        {
            if (!Activity.Ids(doc.RootElement, "alsoKnownAs").Contains(actor.Uri))
            {
                return "The target does not name the moved account in alsoKnownAs";
            }
        }
        if (await remote.ResolveAsync(targetUri, refresh: true, ct) is not { } target)
        {
            return "The target could not be found";
        }
        await db.Accounts.Where(a => a.Id == actor.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.MovedToAccountId, target.Id), ct);
        var followers = await db.Follows.AsNoTracking()
            .Where(f => f.FolloweeId == actor.Id && f.State == FollowState.Accepted)
            .Join(db.Accounts.Where(a => a.Domain == null), f => f.FollowerId, a => a.Id, (f, a) => a.Id).ToListAsync(ct);
        foreach (var local in followers)
        {
            await follows.UnfollowAsync(local, actor.Id, ct);
            await follows.FollowAsync(local, target.Id, ct);
        }
        return $"Moved; {followers.Count} local followers now follow the new account";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Posts

    private async Task<string> CreateAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        if (Activity.ObjectOf(activity, "object") is not { } note)
        {
            return "Create without an embedded object is not acted on";
        }
        var (_, outcome) = await StoreObjectAsync(note, activity, actor, ct);
        return outcome;
    }

    /// <summary>
    /// Stores a remote Note, Article or Question (as a note) of <paramref name="actor"/>'s: delivered in a Create
    /// (<paramref name="activity"/>, whose addressing counts too), or fetched (then the object itself).
    /// </summary>
    public Task<(Post? Post, string Outcome)> StoreObjectAsync(JsonElement note, JsonElement activity, Account actor, CancellationToken ct) =>
        StoreObjectAsync(note, activity, actor, [], ct);

    /// <summary>How many posts up a thread are fetched to give an unknown reply its context.</summary>
    public const int MaxParentFetches = 3;

    private async Task<(Post? Post, string Outcome)> StoreObjectAsync(JsonElement note, JsonElement activity, Account actor, HashSet<string> fetched, CancellationToken ct)
    {
        var type = Activity.TypeOf(note);
        if (type is not ("Note" or "Article" or "Question" or "Page"))
        {
            return (null, $"Create of {type} is not acted on");
        }
        if (Activity.Str(note, "id") is not { } id || !Activity.SameOrigin(id, actor.Uri!) || Activity.IdOf(note, "attributedTo") != actor.Uri)
        {
            return (null, "The object is not the actor's own");
        }
        if (await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Uri == id, ct) is { } known)
        {
            return (known, "Already stored");
        }
        var inReplyTo = Activity.IdOf(note, "inReplyTo");
        var parent = await PostAsync(inReplyTo, ct);
        if (parent is null && inReplyTo is not null && LocalPostId(inReplyTo) is null)
        {
            fetched.Add(id);
            parent = await FetchParentAsync(inReplyTo, fetched, ct);
        }
        var visibility = VisibilityOf(activity, note, actor);
        var mentioned = await MentionedAsync(note, ct);
        if (visibility == Visibility.Direct && mentioned.Count == 0 && parent is null)
        {
            return (null, "A private post addressed to nobody here");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var post = new Post { Id = ids.Next(), AuthorId = actor.Id, Local = false, Uri = id, Status = PostStatus.Published, CreatedAt = now };
        Fill(post, note, type);
        post.Visibility = visibility;
        post.CreatedAt = DateTime.TryParse(Activity.Str(note, "published"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var published) && published < now.AddMinutes(5)
            ? published : now;
        if (parent is not null && parent.Status == PostStatus.Published && !parent.IsDeleted)
        {
            post.InReplyToId = parent.Id;
            post.InReplyToAuthorId = parent.AuthorId;
            post.ConversationId = parent.ConversationId;
        }
        else
        {
            post.ConversationId = post.Id;
        }

        // The licence to converse: a reply or mention addressed to people here is checked as a local reply is, and one
        // carrying someone's identifiers is held for a moderator instead of shown.
        var addressedHere = post.InReplyToId is not null && parent!.Local || mentioned.Count > 0;
        if (addressedHere)
        {
            var blocks = safety.Screen($"{post.Title}\n{post.Summary}\n{post.Content}", false).Where(f => f.Severity == FindingSeverity.Block).ToList();
            if (blocks.Count > 0)
            {
                post.Status = PostStatus.Held;
                post.HeldReason = "Held privately: it looks like it contains personal identifiers or clinical details (" +
                                  string.Join(", ", blocks.Select(b => b.Rule).Distinct()) + "). A moderator will check it.";
            }
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Posts.Add(post);
        await db.SaveChangesAsync(ct);
        if (post.Status == PostStatus.Published)
        {
            await PublishAsync(post, parent, note, mentioned, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (post, post.Status == PostStatus.Held ? "Stored and held: " + post.HeldReason : "Stored");
    }

    /// <summary>
    /// The post an unknown reply answers, fetched from its server and stored so the thread has its context: a GET signed
    /// by the instance actor through the SSRF guard (size and time limits), at most <see cref="MaxParentFetches"/> posts
    /// up the thread, never the same post twice. Whatever fails leaves the reply without a parent.
    /// </summary>
    private async Task<Post?> FetchParentAsync(string uri, HashSet<string> fetched, CancellationToken ct)
    {
        if (fetched.Count > MaxParentFetches || !fetched.Add(uri) || uri.Length > AccountConfiguration.UriMax
            || !Uri.TryCreate(uri, UriKind.Absolute, out var target) || target.Scheme is not ("https" or "http"))
        {
            return null;
        }
        try
        {
            if (await blocks.IsSuspendedAsync(RemoteAccounts.DomainOf(target), ct))
            {
                return null;
            }
            using var doc = await http.GetJsonAsync(target, FederationHttp.ActivityJson, await instance.SignerAsync(ct), ct);
            var o = doc.RootElement;
            // The document must be the post asked for (or the same server's canonical id for it), by an actor of that server.
            if (o.ValueKind != JsonValueKind.Object || Activity.Str(o, "id") is not { } id || !Activity.SameOrigin(id, uri)
                || Activity.IdOf(o, "attributedTo") is not { } author || !Activity.SameOrigin(author, id)
                || await remote.ResolveAsync(author, refresh: false, ct) is not { } actor)
            {
                return null;
            }
            var (stored, outcome) = await StoreObjectAsync(o, o, actor, fetched, ct);
            log.LogInformation("Fetched {Uri} for a reply's context: {Outcome}", uri, outcome);
            return stored;
        }
        catch (FederationFetchException e)
        {
            log.LogInformation("Could not fetch {Uri} for a reply's context: {Reason}", uri, e.Message);
        }
        catch (JsonException)
        {
            log.LogInformation("Could not read {Uri} for a reply's context", uri);
        }
        return null;
    }

    /// <summary>What publishing a remote post changes: counts, tags, mentions, and the event the rest follows from.</summary>
    private async Task PublishAsync(Post post, Post? parent, JsonElement note, IReadOnlyList<long> mentioned, CancellationToken ct)
    {
        await db.Accounts.Where(a => a.Id == post.AuthorId).ExecuteUpdateAsync(s => s.SetProperty(a => a.PostsCount, a => a.PostsCount + 1), ct);
        if (post.InReplyToId is { } parentId)
        {
            await db.Posts.Where(p => p.Id == parentId).ExecuteUpdateAsync(s => s.SetProperty(p => p.RepliesCount, p => p.RepliesCount + 1), ct);
        }
        foreach (var tag in TagsOf(note, post))
        {
            db.PostTags.Add(new PostTag { PostId = post.Id, Tag = tag });
        }
        foreach (var id in mentioned)
        {
            db.PostMentions.Add(new PostMention { PostId = post.Id, AccountId = id });
        }
        var replyTo = post.InReplyToId is null ? null : parent;
        await events.RaiseAsync(db, new PostPublished(post.Id, post.AuthorId, post.Visibility, post.ConversationId, replyTo?.Id, replyTo?.AuthorId, mentioned), ct);
    }

    private static IReadOnlyList<string> TagsOf(JsonElement note, Post post)
    {
        var tags = Activity.Objects(note, "tag").Where(t => Activity.TypeOf(t) == "Hashtag" && Activity.Str(t, "name") is { Length: > 1 })
            .Select(t => Activity.Str(t, "name")!.TrimStart('#').ToLowerInvariant())
            .Where(t => t.Length is > 0 and <= 100 && t.All(c => char.IsLetterOrDigit(c) || c == '_'));
        return tags.Concat(ContentRenderer.Hashtags($"{post.Title} {post.Summary} {post.Content}")).Distinct().Take(30).ToList();
    }

    /// <summary>The local accounts a post mentions (its Mention tags).</summary>
    private async Task<List<long>> MentionedAsync(JsonElement note, CancellationToken ct)
    {
        var ids = new List<long>();
        foreach (var href in Activity.Objects(note, "tag").Where(t => Activity.TypeOf(t) == "Mention").Select(t => Activity.Str(t, "href")).Distinct().Take(30))
        {
            if (await LocalAccountAsync(href, ct) is { } local && !ids.Contains(local.Id))
            {
                ids.Add(local.Id);
            }
        }
        return ids;
    }

    /// <summary>Mastodon's addressing: Public in to is public, in cc unlisted; the followers collection alone is followers-only; else only those mentioned.</summary>
    private static Visibility VisibilityOf(JsonElement activity, JsonElement note, Account actor)
    {
        var to = Activity.Ids(note, "to").Concat(Activity.Ids(activity, "to")).ToList();
        var cc = Activity.Ids(note, "cc").Concat(Activity.Ids(activity, "cc")).ToList();
        if (to.Any(Activity.IsPublic))
        {
            return Visibility.Public;
        }
        if (cc.Any(Activity.IsPublic))
        {
            return Visibility.Unlisted;
        }
        var followers = actor.FollowersUri;
        return followers is not null && to.Concat(cc).Contains(followers) ? Visibility.Followers : Visibility.Direct;
    }

    /// <summary>Content, title, summary and link of a post from its object: the HTML sanitised, the text kept for search and checks.</summary>
    private void Fill(Post post, JsonElement note, string? type)
    {
        post.Kind = type == "Article" ? PostKind.Article : PostKind.Note;
        var html = Activity.Str(note, "content") ?? ContentMap(note) ?? "";
        var summary = Activity.Str(note, "summary");
        var name = Activity.Str(note, "name");
        var body = new StringBuilder();
        if (post.Kind == PostKind.Article)
        {
            post.Title = Clip(name ?? "Untitled", 200);
            post.Summary = summary is null ? null : Clip(PlainText(summary), 500);
        }
        else
        {
            post.Title = null;
            post.Summary = null;
            if (!string.IsNullOrWhiteSpace(summary))
            {
                // A content warning: said first, so nobody meets the text unwarned.
                body.Append("<p><strong>Content warning: ").Append(WebUtility.HtmlEncode(PlainText(summary))).Append("</strong></p>");
            }
            if (type == "Question" && !string.IsNullOrWhiteSpace(name) && string.IsNullOrWhiteSpace(html))
            {
                html = WebUtility.HtmlEncode(name);
            }
        }
        body.Append(html);
        // Attachments are linked, never embedded: their files stay on their server, outside this site's pages.
        var attachments = Activity.Objects(note, "attachment").Select(a => (Url: Activity.UrlOf(a, "url"), Type: Activity.Str(a, "mediaType") ?? Activity.TypeOf(a) ?? "file", Name: Activity.Str(a, "name")))
            .Where(a => a.Url is { Length: <= 2000 } && Uri.TryCreate(a.Url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http").Take(8).ToList();
        if (attachments.Count > 0)
        {
            body.Append("<ul class=\"db-remote-media\">");
            foreach (var a in attachments)
            {
                var what = a.Type.StartsWith("image", StringComparison.OrdinalIgnoreCase) ? "Image" : a.Type.StartsWith("video", StringComparison.OrdinalIgnoreCase) ? "Video"
                    : a.Type.StartsWith("audio", StringComparison.OrdinalIgnoreCase) ? "Audio" : "Attachment";
                body.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(a.Url)).Append("\">").Append(what)
                    .Append(string.IsNullOrWhiteSpace(a.Name) ? "" : ": " + WebUtility.HtmlEncode(Clip(a.Name, 300))).Append(" (on the author's server)</a></li>");
            }
            body.Append("</ul>");
        }
        post.ContentHtml = renderer.Sanitize(body.ToString());
        post.Content = Clip(PlainText(html), PostChecks.ArticleLimit);
        post.Url = Activity.UrlOf(note, "url") is { Length: <= AccountConfiguration.UriMax } url && Uri.TryCreate(url, UriKind.Absolute, out var pageUri) && pageUri.Scheme is "https" or "http" ? url : post.Uri;
        if (post.Kind == PostKind.Article && Activity.Objects(note, "attachment").FirstOrDefault() is { ValueKind: JsonValueKind.Object } enclosure
            && Activity.Str(enclosure, "mediaType") is { } mediaType && (mediaType.StartsWith("audio/", StringComparison.Ordinal) || mediaType.StartsWith("video/", StringComparison.Ordinal)))
        {
            post.EnclosureType = Clip(mediaType, 100);
            post.EnclosureUrl = attachments.FirstOrDefault().Url;
        }
    }

    private static string? ContentMap(JsonElement note) =>
        note.TryGetProperty("contentMap", out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.String).GetString()
            : null;

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private string PlainText(string html)
    {
        var safe = renderer.Sanitize(html);
        var text = BreakPattern().Replace(safe, "\n");
        text = TagPattern().Replace(text, "");
        return WebUtility.HtmlDecode(text).Trim();
    }

    [GeneratedRegex(@"<br\s*/?>|</p>\s*<p[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BreakPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();

    private async Task<string> UpdateAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        var objectId = Activity.IdOf(activity, "object");
        var embedded = Activity.ObjectOf(activity, "object");
        var type = embedded is { } e ? Activity.TypeOf(e) : null;
        if (type is "Person" or "Service" or "Organization" or "Group" or "Application")
        {
            if (objectId != actor.Uri)
            {
                return "Only an actor may update itself";
            }
            await remote.ResolveAsync(actor.Uri!, refresh: true, ct);
            return "Account refreshed";
        }
        if (type is not ("Note" or "Article" or "Question" or "Page") || embedded is not { } note)
        {
            return $"Update of {type} is not acted on";
        }
        var post = await db.Posts.FirstOrDefaultAsync(p => p.Uri == objectId && !p.Local, ct);
        if (post is null)
        {
            return "No such post";
        }
        if (post.AuthorId != actor.Id || Activity.IdOf(note, "attributedTo") != actor.Uri)
        {
            return "Only the author may edit a post";
        }
        if (post.IsDeleted)
        {
            return "The post was deleted";
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var version = await db.PostEdits.CountAsync(x => x.PostId == post.Id, ct) + 1;
        db.PostEdits.Add(new PostEdit { Id = ids.Next(), PostId = post.Id, Version = version, Content = post.Content, Title = post.Title, Summary = post.Summary, EditedAt = post.EditedAt ?? post.CreatedAt });
        var kind = post.Kind;
        Fill(post, note, type);
        post.Kind = kind;
        post.EditedAt = now;
        if (post.Status == PostStatus.Published)
        {
            await db.PostTags.Where(t => t.PostId == post.Id).ExecuteDeleteAsync(ct);
            foreach (var tag in TagsOf(note, post))
            {
                db.PostTags.Add(new PostTag { PostId = post.Id, Tag = tag });
            }
        }
        await events.RaiseAsync(db, new PostEdited(post.Id, post.AuthorId, post.ConversationId, post.Status == PostStatus.Published), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return "Edited";
    }

    private async Task<string> DeleteAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        var objectId = Activity.IdOf(activity, "object");
        if (objectId is null)
        {
            return "Delete of nothing";
        }
        if (objectId == actor.Uri)
        {
            // The account is gone from its server: so is what this server kept of it.
            var removed = await RemoteAccountRemoval.RemoveAsync(db, db.Accounts.Where(a => a.Id == actor.Id), ct);
            return removed > 0 ? "Account removed" : "Already removed";
        }
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Uri == objectId && !p.Local, ct);
        if (post is null)
        {
            return "No such post";
        }
        if (post.AuthorId != actor.Id)
        {
            return "Only the author may delete a post";
        }
        var outcome = await editing.DeleteAsync(actor.Id, post.Id, asModerator: false, ct);
        return outcome.Succeeded ? "Deleted" : outcome.FirstError;
    }

    private async Task<string> LikeAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        if (await PostAsync(Activity.IdOf(activity, "object"), ct) is not { } post)
        {
            return "No such post";
        }
        var outcome = await interactions.LikeAsync(actor.Id, post.Id, true, ct);
        return outcome.Succeeded ? "Liked" : outcome.FirstError;
    }

    private async Task<string> AnnounceAsync(JsonElement activity, Account actor, CancellationToken ct)
    {
        var id = Activity.Str(activity, "id");
        if (await PostAsync(Activity.IdOf(activity, "object"), ct) is not { } post)
        {
            return "The reposted post is not known here";
        }
        if (id is not null && await db.Posts.AsNoTracking().AnyAsync(p => p.Uri == id, ct))
        {
            return "Already stored";
        }
        var outcome = await interactions.RepostAsync(actor.Id, post.Id, true, ct);
        if (!outcome.Succeeded)
        {
            return outcome.FirstError;
        }
        if (outcome.Value is { RepostOfId: not null } repost && id is not null)
        {
            await db.Posts.Where(p => p.Id == repost.Id && p.Uri == null).ExecuteUpdateAsync(s => s.SetProperty(p => p.Uri, id).SetProperty(p => p.Local, false), ct);
        }
        return "Reposted";
    }

    private async Task<string> FlagAsync(JsonElement activity, Account actor, InboundActivity stored, CancellationToken ct)
    {
        long? target = null;
        var postIds = new List<long>();
        foreach (var id in Activity.Ids(activity, "object").Take(50))
        {
            if (LocalPostId(id) is { } postId && await db.Posts.AsNoTracking().Where(p => p.Id == postId && p.Local).Select(p => (long?)p.AuthorId).FirstOrDefaultAsync(ct) is { } author)
            {
                postIds.Add(postId);
                target ??= author;
            }
            else if (await LocalAccountAsync(id, ct) is { } account)
            {
                target ??= account.Id;
            }
        }
        if (target is null)
        {
            return "The report names nobody here";
        }
        db.RemoteReports.Add(new RemoteReport
        {
            Id = ids.Next(),
            ActivityUri = stored.ActivityUri,
            ReporterId = actor.Id,
            ReporterUri = actor.Uri!,
            TargetAccountId = target,
            PostIds = Clip(string.Join(',', postIds.Distinct().Select(p => p.ToString(CultureInfo.InvariantCulture))), 2000),
            Comment = Clip(Activity.Str(activity, "content") ?? "", 5000),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
        log.LogInformation("Report {Id} from {Actor} recorded", stored.ActivityUri, actor.Uri);
        return "Report recorded";
    }
}

/// <summary>
/// A remote Follow that needs an answer no follow change raises: a repeated Follow of an account already followed
/// (Accept again), or one refused because a block stands between them (Reject).
/// </summary>
public sealed record RemoteFollowAnswered(long FollowerId, long FolloweeId, string? FollowUri, bool Accepted) : IDomainEvent;

/// <summary>Sends the answer of a <see cref="RemoteFollowAnswered"/> to the follower's server, staged with the change.</summary>
public sealed class RemoteFollowAnswers(ActivityDelivery delivery, ActorUrls urls, Snowflake ids) : ITransactionalEventHandler<RemoteFollowAnswered>
{
    public async Task HandleAsync(RemoteFollowAnswered e, DrawbridgeDb db, CancellationToken ct)
    {
        var follower = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == e.FollowerId && a.Domain != null, ct);
        var followee = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == e.FolloweeId && a.Domain == null, ct);
        if (follower?.Uri is null || followee is null || (follower.InboxUri ?? follower.SharedInboxUri) is not { } inbox)
        {
            return;
        }
        var actor = urls.Actor(followee);
        var type = e.Accepted ? "Accept" : "Reject";
        var answer = new System.Text.Json.Nodes.JsonObject
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = $"{actor}#{type.ToLowerInvariant()}s/{ids.Next().ToString(CultureInfo.InvariantCulture)}",
            ["type"] = type,
            ["actor"] = actor,
            ["object"] = new System.Text.Json.Nodes.JsonObject { ["id"] = e.FollowUri, ["type"] = "Follow", ["actor"] = follower.Uri, ["object"] = actor },
        };
        delivery.Enqueue(db, followee.Id, answer, [inbox]);
    }
}

/// <summary>Removes remote accounts with everything that hangs on them, keeping local accounts' counts true.</summary>
public static class RemoteAccountRemoval
{
    public static async Task<int> RemoveAsync(DrawbridgeDb db, IQueryable<Account> accounts, CancellationToken ct)
    {
        accounts = accounts.Where(a => a.Domain != null);
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.HomeFeed.Where(h => accounts.Any(a => a.Id == h.AuthorId)).ExecuteDeleteAsync(ct);
        var followed = await db.Follows.Where(f => accounts.Any(a => a.Id == f.FollowerId) && f.State == FollowState.Accepted)
            .GroupBy(f => f.FolloweeId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var f in followed)
        {
            await db.Accounts.Where(a => a.Id == f.Key).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowersCount, a => a.FollowersCount - f.Count), ct);
        }
        var following = await db.Follows.Where(f => accounts.Any(a => a.Id == f.FolloweeId) && f.State == FollowState.Accepted)
            .GroupBy(f => f.FollowerId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var f in following)
        {
            await db.Accounts.Where(a => a.Id == f.Key).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowingCount, a => a.FollowingCount - f.Count), ct);
        }
        // Replies here to their posts stay, as replies to a removed post; likes and reposts of local posts go with them.
        var liked = await db.Likes.Where(l => accounts.Any(a => a.Id == l.AccountId)).GroupBy(l => l.PostId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var l in liked)
        {
            await db.Posts.Where(p => p.Id == l.Key).ExecuteUpdateAsync(s => s.SetProperty(p => p.LikesCount, p => p.LikesCount - l.Count), ct);
        }
        var removed = await accounts.ExecuteDeleteAsync(ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
        return removed;
    }
}
