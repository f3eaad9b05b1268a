using Drawbridge.Posts;

namespace Drawbridge.Events;

// Each event carries the ids a handler needs without reading the database again, and nothing a handler could
// mistake for current state: handlers that need the whole row read it (in the transaction, or in a job).

/// <summary>A post became public: written now, at its scheduled time, or released by a moderator.</summary>
/// <param name="InReplyToId">The parent, for a reply.</param>
/// <param name="ParentConversationId">The parent's conversation (the same as the post's), for a reply.</param>
/// <param name="Mentioned">Local accounts the post mentions.</param>
public sealed record PostPublished(
    long PostId, long AuthorId, Visibility Visibility, long ConversationId,
    long? InReplyToId, long? InReplyToAuthorId, IReadOnlyList<long> Mentioned) : IDomainEvent;

/// <summary>A published (or draft) post's text changed.</summary>
public sealed record PostEdited(long PostId, long AuthorId, long ConversationId, bool Published) : IDomainEvent;

/// <summary>A post was deleted (a tombstone) or removed (drafts, scheduled posts, reposts).</summary>
/// <param name="WasPublished">Whether it had been public: only then did it reach timelines, search and counts.</param>
public sealed record PostDeleted(
    long PostId, long AuthorId, long ConversationId, bool WasPublished,
    long? InReplyToId, long? RepostOfId, long? RepostOfConversationId) : IDomainEvent;

public sealed record PostLiked(long AccountId, long PostId, long AuthorId, long ConversationId) : IDomainEvent;

public sealed record PostUnliked(long AccountId, long PostId, long AuthorId, long ConversationId) : IDomainEvent;

/// <summary>A repost is a post of its own (<paramref name="RepostId"/>) pointing at the original.</summary>
public sealed record PostReposted(long AccountId, long RepostId, long OriginalId, long OriginalAuthorId, long OriginalConversationId) : IDomainEvent;

public sealed record PostUnreposted(long AccountId, long RepostId, long OriginalId, long OriginalAuthorId, long OriginalConversationId) : IDomainEvent;

/// <summary>A follow took effect: at once, or when a locked account accepted the request.</summary>
/// <param name="Uri">The Follow activity's id, for a follow that came from or goes to another server.</param>
public sealed record AccountFollowed(long FollowerId, long FolloweeId, bool WasRequested, string? Uri) : IDomainEvent;

/// <summary>A follow of a locked account waits for its approval.</summary>
public sealed record FollowRequested(long FollowerId, long FolloweeId, string? Uri) : IDomainEvent;

/// <summary>A locked account turned a follow request down.</summary>
public sealed record FollowRejected(long FollowerId, long FolloweeId, string? Uri) : IDomainEvent;

/// <summary>A follow ended, or a follow request was withdrawn (<paramref name="WasAccepted"/> false).</summary>
public sealed record AccountUnfollowed(long FollowerId, long FolloweeId, bool WasAccepted, string? Uri) : IDomainEvent;

public sealed record AccountBlocked(long BlockerId, long BlockedId) : IDomainEvent;

public sealed record AccountUnblocked(long BlockerId, long BlockedId) : IDomainEvent;

public sealed record AccountMuted(long MuterId, long MutedId, bool Muted) : IDomainEvent;

/// <summary>A profile changed (name, bio, links, locked), or its deletion was requested or cancelled.</summary>
public sealed record AccountUpdated(long AccountId) : IDomainEvent;

/// <summary>An account's grace period ended and it was removed: posts tombstoned, graph gone.</summary>
public sealed record AccountDeleted(long AccountId) : IDomainEvent;

/// <summary>A guest left a comment on an article (held, awaiting approval or approved at once).</summary>
public sealed record GuestCommentReceived(long CommentId, long ArticleId, long ArticleAuthorId) : IDomainEvent;

/// <summary>A notification was written for an account (raised by the handlers that write them, in the same change).</summary>
public sealed record NotificationCreated(long NotificationId, long RecipientId) : IDomainEvent;

/// <summary>An account's filters changed (created, edited, deleted): its apps fetch them again.</summary>
public sealed record FiltersChanged(long OwnerId) : IDomainEvent;

/// <summary>An organisation's admin published a "you said, we did" change record: it is public from now on.</summary>
public sealed record ChangePublished(long ChangeId, long OrganisationId) : IDomainEvent;

/// <summary>A published change record was edited (its words, or planned → made).</summary>
public sealed record ChangeRevised(long ChangeId, long OrganisationId) : IDomainEvent;

/// <summary>A published change record was withdrawn: it is no longer public.</summary>
public sealed record ChangeWithdrawn(long ChangeId, long OrganisationId) : IDomainEvent;
