using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Timelines;

/// <summary>A post as a reader sees it: with its author, what it reposts, its media, and the reader's own marks.</summary>
/// <param name="Mentioned">The accounts the post mentions (here and on other servers), as clients list them.</param>
public sealed record PostView(Post Post, Account Author, PostView? RepostOf, IReadOnlyList<MediaAttachment> Media, bool Liked, bool Reposted,
    IReadOnlyList<Account>? Mentioned = null)
{
    /// <summary>The post whose content is shown (the original, for a repost).</summary>
    public PostView Shown => RepostOf ?? this;
}

public sealed record ThreadView(PostView Focus, IReadOnlyList<ThreadItem> Items, IReadOnlyList<GuestComment> GuestComments);

public sealed record ThreadItem(PostView Post, int Depth);

/// <summary>Which of an author's posts a profile shows: replies, reposts, only those with media, only those with a tag.</summary>
public sealed record ProfileFilter(bool WithReplies = true, bool WithReposts = true, bool OnlyMedia = false, string? Tag = null);

public sealed class TimelineService(DrawbridgeDb db)
{
    /// <summary>Posts this viewer may see: published, and followers-only ones only to followers, the author and those mentioned.</summary>
    private IQueryable<Post> Visible(long? viewerId)
    {
        var q = db.Posts.AsNoTracking().Where(p => p.Status == PostStatus.Published);
        if (viewerId is not { } v)
        {
            return q.Where(p => p.Visibility < Visibility.Followers);
        }
        return q.Where(p => p.Visibility < Visibility.Followers || p.AuthorId == v
                            || (p.Visibility == Visibility.Followers && db.Follows.Any(f => f.FollowerId == v && f.FolloweeId == p.AuthorId && f.State == FollowState.Accepted))
                            || db.PostMentions.Any(m => m.PostId == p.Id && m.AccountId == v))
            .Where(p => !db.Blocks.Any(b => b.BlockerId == p.AuthorId && b.BlockedId == v));
    }

    private IQueryable<Post> WithoutMuted(IQueryable<Post> q, long? viewerId) =>
        viewerId is { } v
            ? q.Where(p => !db.Mutes.Any(m => m.MuterId == v && m.MutedId == p.AuthorId) && !db.Blocks.Any(b => b.BlockerId == v && b.BlockedId == p.AuthorId))
            : q;

    private static async Task<List<long>> PageIdsAsync(IQueryable<long> ids, PageRequest page, CancellationToken ct)
    {
        if (page.MaxId is { } max)
        {
            ids = ids.Where(id => id < max);
        }
        if (page.SinceId is { } since)
        {
            ids = ids.Where(id => id > since);
        }
        if (page.MinId is { } min)
        {
            var ascending = await ids.Where(id => id > min).OrderBy(id => id).Take(page.Take).ToListAsync(ct);
            ascending.Reverse();
            return ascending;
        }
        return await ids.OrderByDescending(id => id).Take(page.Take).ToListAsync(ct);
    }

    /// <summary>
    /// The home timeline for pages and for paging forward in the API; the API's first and older pages take the
    /// cached path in <see cref="HomeTimelineJson"/>.
    /// </summary>
    public async Task<List<PostView>> HomeAsync(long viewerId, PageRequest page, CancellationToken ct)
    {
        var entries = db.HomeFeed.AsNoTracking().Where(h => h.OwnerId == viewerId)
            .Where(h => !db.Mutes.Any(m => m.MuterId == viewerId && m.MutedId == h.AuthorId))
            .Select(h => h.PostId);
        var ids = await PageIdsAsync(entries, page, ct);
        var posts = await db.Posts.AsNoTracking().Where(p => ids.Contains(p.Id) && p.Status == PostStatus.Published && p.DeletedAt == null).ToListAsync(ct);
        return await HydrateAsync(posts.OrderByDescending(p => p.Id).ToList(), viewerId, ct);
    }

    public async Task<List<PostView>> LocalAsync(long? viewerId, PageRequest page, CancellationToken ct)
    {
        var q = WithoutMuted(db.Posts.AsNoTracking().Where(p => p.Status == PostStatus.Published && p.Visibility == Visibility.Public
                                                            && p.DeletedAt == null && p.InReplyToId == null && p.RepostOfId == null && p.Local), viewerId);
        var ids = await PageIdsAsync(q.Select(p => p.Id), page, ct);
        return await LoadAsync(ids, viewerId, ct);
    }

    public async Task<List<PostView>> HashtagAsync(string tag, long? viewerId, PageRequest page, CancellationToken ct)
    {
        var key = tag.TrimStart('#').ToLowerInvariant();
        // Posts from a limited server stay out of this public listing (docs/federation.md, "Domain blocks").
        var posts = WithoutMuted(Visible(viewerId).Where(p => p.Visibility == Visibility.Public && p.DeletedAt == null
            && (p.Local || !db.Accounts.Any(a => a.Id == p.AuthorId && db.DomainBlocks.Any(d => d.Domain == a.Domain)))), viewerId);
        var q = db.PostTags.AsNoTracking().Where(t => t.Tag == key).Select(t => t.PostId).Where(id => posts.Any(p => p.Id == id));
        var ids = await PageIdsAsync(q, page, ct);
        return await LoadAsync(ids, viewerId, ct);
    }

    public async Task<List<PostView>> ProfileAsync(long authorId, long? viewerId, bool withReplies, bool articlesOnly, PageRequest page, CancellationToken ct)
    {
        var q = Visible(viewerId).Where(p => p.AuthorId == authorId && p.DeletedAt == null);
        if (!withReplies)
        {
            q = q.Where(p => p.InReplyToId == null);
        }
        if (articlesOnly)
        {
            q = q.Where(p => p.Kind == PostKind.Article);
        }
        var ids = await PageIdsAsync(q.Select(p => p.Id), page, ct);
        return await LoadAsync(ids, viewerId, ct);
    }

    public async Task<List<PostView>> ProfileAsync(long authorId, long? viewerId, ProfileFilter filter, PageRequest page, CancellationToken ct)
    {
        var q = Visible(viewerId).Where(p => p.AuthorId == authorId && p.DeletedAt == null);
        if (!filter.WithReplies)
        {
            q = q.Where(p => p.InReplyToId == null);
        }
        if (!filter.WithReposts || filter.OnlyMedia)
        {
            q = q.Where(p => p.RepostOfId == null);
        }
        if (filter.OnlyMedia)
        {
            q = q.Where(p => db.Media.Any(m => m.PostId == p.Id));
        }
        if (filter.Tag is { } tag)
        {
            q = q.Where(p => db.PostTags.Any(t => t.PostId == p.Id && t.Tag == tag));
        }
        var ids = await PageIdsAsync(q.Select(p => p.Id), page, ct);
        return await LoadAsync(ids, viewerId, ct);
    }

    /// <summary>A list's timeline: its members' posts the owner may see, with replies as the list's policy says.</summary>
    public async Task<List<PostView>> ListAsync(AccountList list, PageRequest page, CancellationToken ct)
    {
        var owner = list.OwnerId;
        var members = db.ListMembers.Where(m => m.ListId == list.Id).Select(m => m.AccountId);
        var q = WithoutMuted(Visible(owner).Where(p => p.DeletedAt == null && members.Contains(p.AuthorId)), owner);
        q = list.RepliesPolicy switch
        {
            ListReplies.None => q.Where(p => p.InReplyToId == null),
            ListReplies.List => q.Where(p => p.InReplyToId == null || p.InReplyToAuthorId == p.AuthorId || members.Contains(p.InReplyToAuthorId!.Value)),
            _ => q.Where(p => p.InReplyToId == null || p.InReplyToAuthorId == owner || p.InReplyToAuthorId == p.AuthorId
                              || db.Follows.Any(f => f.FollowerId == owner && f.FolloweeId == p.InReplyToAuthorId && f.State == FollowState.Accepted)),
        };
        var ids = await PageIdsAsync(q.Select(p => p.Id), page, ct);
        return await LoadAsync(ids, owner, ct);
    }

    /// <summary>These posts, newest first, as far as the viewer may see them.</summary>
    public async Task<List<PostView>> ByIdsAsync(IReadOnlyCollection<long> postIds, long? viewerId, CancellationToken ct)
    {
        var posts = await Visible(viewerId).Where(p => postIds.Contains(p.Id) && p.DeletedAt == null).ToListAsync(ct);
        return await HydrateAsync(posts.OrderByDescending(p => p.Id).ToList(), viewerId, ct);
    }

    public async Task<PostView?> PostAsync(long postId, long? viewerId, CancellationToken ct)
    {
        var post = await Visible(viewerId).FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null)
        {
            return null;
        }
        return (await HydrateAsync([post], viewerId, ct)).FirstOrDefault();
    }

    /// <summary>The whole conversation around a post, in reading order (depth first), tombstones included.</summary>
    public async Task<ThreadView?> ThreadAsync(long postId, long? viewerId, CancellationToken ct)
    {
        var focus = await Visible(viewerId).FirstOrDefaultAsync(p => p.Id == postId && p.RepostOfId == null, ct);
        if (focus is null)
        {
            return null;
        }
        var all = await WithoutMuted(Visible(viewerId).Where(p => p.ConversationId == focus.ConversationId), viewerId)
            .OrderBy(p => p.Id).Take(1000).ToListAsync(ct);
        // The post asked for is always shown: past the first 1,000 of a long conversation, or by an account the reader muted.
        if (!all.Exists(p => p.Id == focus.Id))
        {
            all.Add(focus);
            all.Sort((a, b) => a.Id.CompareTo(b.Id));
        }
        var views = (await HydrateAsync(all, viewerId, ct)).ToDictionary(v => v.Post.Id);
        var children = all.Where(p => p.InReplyToId is not null).ToLookup(p => p.InReplyToId!.Value);
        var items = new List<ThreadItem>();
        void Walk(long id, int depth)
        {
            if (views.TryGetValue(id, out var view))
            {
                items.Add(new ThreadItem(view, depth));
            }
            foreach (var child in children[id])
            {
                Walk(child.Id, Math.Min(depth + 1, 6));
            }
        }
        var root = all.FirstOrDefault(p => p.Id == focus.ConversationId);
        if (root is not null)
        {
            Walk(root.Id, 0);
        }
        // Replies whose parent can't be seen still belong in the thread.
        foreach (var orphan in all.Where(p => p.InReplyToId is { } parent && !views.ContainsKey(parent) && p.Id != root?.Id))
        {
            Walk(orphan.Id, 1);
        }
        var guests = focus.Kind == PostKind.Article
            ? await db.GuestComments.AsNoTracking().Where(c => c.ArticleId == focus.Id && c.Status == GuestCommentStatus.Approved).OrderBy(c => c.Id).ToListAsync(ct)
            : [];
        return new ThreadView(views[focus.Id], items, guests);
    }

    private async Task<List<PostView>> LoadAsync(List<long> ids, long? viewerId, CancellationToken ct)
    {
        var posts = await db.Posts.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        return await HydrateAsync(posts.OrderBy(p => order[p.Id]).ToList(), viewerId, ct);
    }

    /// <summary>Loads authors, reposted originals, media and the viewer's likes for a page of posts in a few queries.</summary>
    /// <summary>Which of these posts the reader has liked, and which they have reposted.</summary>
    public async Task<(HashSet<long> Liked, HashSet<long> Reposted)> MarksAsync(long viewerId, List<long> postIds, CancellationToken ct)
    {
        var liked = await db.Likes.Where(l => l.AccountId == viewerId && postIds.Contains(l.PostId)).Select(l => l.PostId).ToListAsync(ct);
        var reposted = await db.Posts.Where(p => p.AuthorId == viewerId && p.RepostOfId != null && postIds.Contains(p.RepostOfId.Value))
            .Select(p => p.RepostOfId!.Value).ToListAsync(ct);
        return (liked.ToHashSet(), reposted.ToHashSet());
    }

    public async Task<List<PostView>> HydrateAsync(List<Post> posts, long? viewerId, CancellationToken ct)
    {
        if (posts.Count == 0)
        {
            return [];
        }
        var originalIds = posts.Where(p => p.RepostOfId is not null).Select(p => p.RepostOfId!.Value).Distinct().ToList();
        var originals = originalIds.Count == 0 ? [] : await db.Posts.AsNoTracking().Where(p => originalIds.Contains(p.Id) && p.Status == PostStatus.Published).ToListAsync(ct);
        var all = posts.Concat(originals).ToList();
        var postIds = all.Select(p => p.Id).Distinct().ToList();
        var authorIds = all.Select(p => p.AuthorId).Distinct().ToList();
        var authors = await db.Accounts.AsNoTracking().Where(a => authorIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        // A tombstone shows no files (a moderator's removal keeps them, out of sight, while it can be appealed).
        var livePostIds = all.Where(p => !p.IsDeleted).Select(p => p.Id).Distinct().ToList();
        var media = (await db.Media.AsNoTracking().Where(m => m.PostId != null && livePostIds.Contains(m.PostId.Value)).ToListAsync(ct))
            .ToLookup(m => m.PostId!.Value);
        var (liked, reposted) = viewerId is { } v ? await MarksAsync(v, postIds, ct) : ([], []);
        var mentioned = (await db.PostMentions.AsNoTracking().Where(m => postIds.Contains(m.PostId))
            .Join(db.Accounts.AsNoTracking(), m => m.AccountId, a => a.Id, (m, a) => new { m.PostId, Account = a }).ToListAsync(ct))
            .ToLookup(m => m.PostId, m => m.Account);
        var originalViews = originals.Where(o => authors.ContainsKey(o.AuthorId))
            .ToDictionary(o => o.Id, o => new PostView(o, authors[o.AuthorId], null, media[o.Id].ToList(), liked.Contains(o.Id), reposted.Contains(o.Id), mentioned[o.Id].ToList()));
        var result = new List<PostView>(posts.Count);
        foreach (var p in posts)
        {
            if (!authors.TryGetValue(p.AuthorId, out var author) || author.DeletionRequestedAt is not null || (author.SuspendedAt is not null && author.Id != viewerId))
            {
                continue;
            }
            PostView? original = null;
            if (p.RepostOfId is { } oid && !originalViews.TryGetValue(oid, out original))
            {
                continue; // the original is gone
            }
            result.Add(new PostView(p, author, original, media[p.Id].ToList(), liked.Contains(p.Id), reposted.Contains(p.Id), mentioned[p.Id].ToList()));
        }
        return result;
    }
}
