using Drawbridge.Events;
using Drawbridge.Timelines;

namespace Drawbridge.Web;

/// <summary>
/// Every cache eviction a change causes, in one place. They run after the change commits: evicting earlier would let
/// a reader cache the page again before the change is visible. (Followers' home timelines are forgotten by the
/// fan-out job, once their entries are written.)
/// </summary>
public sealed class CacheEviction(PublicPageCache pages, HomeFeedCache feeds) :
    IEventHandler<PostPublished>, IEventHandler<PostEdited>, IEventHandler<PostDeleted>,
    IEventHandler<PostLiked>, IEventHandler<PostUnliked>, IEventHandler<PostReposted>, IEventHandler<PostUnreposted>,
    IEventHandler<AccountFollowed>, IEventHandler<AccountUnfollowed>, IEventHandler<AccountMuted>,
    IEventHandler<AccountUpdated>, IEventHandler<AccountDeleted>
{
    public async Task HandleAsync(PostPublished e, CancellationToken ct)
    {
        if (e.InReplyToId is { } parent)
        {
            await pages.PostChangedAsync(parent, e.ConversationId, ct);
        }
        feeds.Forget(e.AuthorId); // their own entry
        await pages.ListingsChangedAsync(ct); // the front page, the author's profile, the tags
    }

    public async Task HandleAsync(PostEdited e, CancellationToken ct) => await pages.PostChangedAsync(e.PostId, e.ConversationId, ct);

    public async Task HandleAsync(PostDeleted e, CancellationToken ct)
    {
        await pages.PostChangedAsync(e.PostId, e.ConversationId, ct);
        feeds.ForgetAll(); // the post left every timeline it was in
        if (e.InReplyToId is { } repliedTo)
        {
            await pages.PostChangedAsync(repliedTo, e.ConversationId, ct);
        }
        if (e.RepostOfId is { } reposted)
        {
            await pages.PostChangedAsync(reposted, e.RepostOfConversationId ?? reposted, ct);
        }
    }

    public async Task HandleAsync(PostLiked e, CancellationToken ct)
    {
        await pages.PostChangedAsync(e.PostId, e.ConversationId, ct);
        feeds.Forget(e.AccountId); // their like mark
    }

    public async Task HandleAsync(PostUnliked e, CancellationToken ct)
    {
        await pages.PostChangedAsync(e.PostId, e.ConversationId, ct);
        feeds.Forget(e.AccountId);
    }

    public async Task HandleAsync(PostReposted e, CancellationToken ct)
    {
        await pages.PostChangedAsync(e.OriginalId, e.OriginalConversationId, ct);
        feeds.Forget(e.AccountId); // their repost mark and their own entry
    }

    public async Task HandleAsync(PostUnreposted e, CancellationToken ct)
    {
        await pages.PostChangedAsync(e.OriginalId, e.OriginalConversationId, ct);
        feeds.ForgetAll(); // the repost left its followers' timelines
    }

    public async Task HandleAsync(AccountFollowed e, CancellationToken ct)
    {
        feeds.Forget(e.FollowerId);
        await pages.ListingsChangedAsync(ct); // profiles show follower counts
    }

    public async Task HandleAsync(AccountUnfollowed e, CancellationToken ct)
    {
        feeds.Forget(e.FollowerId);
        await pages.ListingsChangedAsync(ct);
    }

    public Task HandleAsync(AccountMuted e, CancellationToken ct)
    {
        feeds.Forget(e.MuterId);
        return Task.CompletedTask;
    }

    // Name and avatar show on every post of theirs; a deleted account's posts vanish from every page.
    public async Task HandleAsync(AccountUpdated e, CancellationToken ct) => await pages.EverythingChangedAsync(ct);

    public async Task HandleAsync(AccountDeleted e, CancellationToken ct) => await pages.EverythingChangedAsync(ct);
}
