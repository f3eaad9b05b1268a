using Drawbridge.Accounts;
using Drawbridge.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Posts;

public enum PostKind { Note = 0, Article = 1 }

/// <summary>Who may see a post. <see cref="Direct"/> comes only from other servers: a post addressed to the people it mentions.</summary>
public enum Visibility { Public = 0, Unlisted = 1, Followers = 2, Direct = 3 }

/// <summary>Where a post is in its life. Only <see cref="Published"/> posts appear anywhere public.</summary>
public enum PostStatus { Draft = 0, Scheduled = 1, Published = 2, Held = 3 }

public sealed class Post
{
    public long Id { get; set; }
    public long AuthorId { get; set; }
    public PostKind Kind { get; set; }
    /// <summary>What the author wrote: plain text for notes, Markdown for articles.</summary>
    public string Content { get; set; } = "";
    /// <summary>Sanitised HTML rendered from <see cref="Content"/>.</summary>
    public string ContentHtml { get; set; } = "";
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public long? InReplyToId { get; set; }
    public long? InReplyToAuthorId { get; set; }
    /// <summary>The root post's id: every post in a thread shares it.</summary>
    public long ConversationId { get; set; }
    public long? RepostOfId { get; set; }
    public Visibility Visibility { get; set; }
    public PostStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PublishAt { get; set; }
    public DateTime? EditedAt { get; set; }
    /// <summary>Set when deleted: the row stays as a tombstone so the thread keeps its shape.</summary>
    public DateTime? DeletedAt { get; set; }
    public int LikesCount { get; set; }
    public int RepostsCount { get; set; }
    public int RepliesCount { get; set; }
    public string? EnclosureUrl { get; set; }
    public string? EnclosureType { get; set; }
    public long? EnclosureLength { get; set; }
    public long? EnclosureMediaId { get; set; }
    /// <summary>Safety warnings the author saw and confirmed before publishing (rule ids, comma separated).</summary>
    public string? SafetyConfirmed { get; set; }
    public DateTime? SafetyConfirmedAt { get; set; }
    /// <summary>Why a post is held from public view, when it is.</summary>
    public string? HeldReason { get; set; }
    /// <summary>The ActivityPub id of the post. Set for remote posts; local ones may derive it from the public URL.</summary>
    public string? Uri { get; set; }
    /// <summary>Written on this server (true for every post stored before federation), as opposed to fetched from another.</summary>
    public bool Local { get; set; } = true;
    /// <summary>A remote post's HTML page.</summary>
    public string? Url { get; set; }

    public bool IsDeleted => DeletedAt is not null;
    public bool IsReply => InReplyToId is not null;
}

public sealed class PostEdit
{
    public long Id { get; set; }
    public long PostId { get; set; }
    public int Version { get; set; }
    public string Content { get; set; } = "";
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public DateTime EditedAt { get; set; }
}

public sealed class PostTag
{
    public long PostId { get; set; }
    public required string Tag { get; set; }
}

public sealed class PostMention
{
    public long PostId { get; set; }
    public long AccountId { get; set; }
}

public sealed class Like
{
    public long AccountId { get; set; }
    public long PostId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum GuestCommentStatus { Pending = 0, Approved = 1, Rejected = 2, Held = 3 }

/// <summary>A comment on an article from someone without an account, as on a blog.</summary>
public sealed class GuestComment
{
    public long Id { get; set; }
    public long ArticleId { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public required string EmailKey { get; set; }
    public required string Content { get; set; }
    public GuestCommentStatus Status { get; set; }
    public string? HeldReason { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>An author trusts a guest commenter (by email): their comments appear without approval.</summary>
public sealed class TrustedCommenter
{
    public long AuthorId { get; set; }
    public required string EmailKey { get; set; }
}

internal sealed class PostConfiguration :
    IEntityTypeConfiguration<Post>, IEntityTypeConfiguration<PostEdit>, IEntityTypeConfiguration<PostTag>,
    IEntityTypeConfiguration<PostMention>, IEntityTypeConfiguration<Like>, IEntityTypeConfiguration<GuestComment>,
    IEntityTypeConfiguration<TrustedCommenter>
{
    public void Configure(EntityTypeBuilder<Post> b)
    {
        b.ToTable("posts");
        b.Property(p => p.Id).ValueGeneratedNever();
        b.Property(p => p.Content).HasMaxLength(100_000);
        b.Property(p => p.Title).HasMaxLength(200);
        b.Property(p => p.Summary).HasMaxLength(500);
        b.Property(p => p.EnclosureUrl).HasMaxLength(2000);
        b.Property(p => p.EnclosureType).HasMaxLength(100);
        b.HasIndex(p => new { p.AuthorId, p.Id });
        b.HasIndex(p => new { p.ConversationId, p.Id });
        b.HasIndex(p => p.InReplyToId);
        // Only scheduled posts: as a full index SQLite's planner preferred it over the primary key for
        // "Id IN (…) AND Status = Published" and walked every published post (found by bench/run).
        b.HasIndex(p => new { p.Status, p.PublishAt }).HasFilter("\"Status\" = 1");
        // "Has this reader reposted it?" is asked for every post on a page: both columns, so it is one index probe.
        b.HasIndex(p => new { p.RepostOfId, p.AuthorId });
        b.Property(p => p.Uri).HasMaxLength(AccountConfiguration.UriMax);
        b.Property(p => p.Url).HasMaxLength(AccountConfiguration.UriMax);
        b.HasIndex(p => p.Uri).IsUnique().HasFilter("\"Uri\" IS NOT NULL");
        // The column's default fills every earlier post (and rows written without it) as local; true is the
        // sentinel, so a false is always written and never mistaken for "not set".
        b.Property(p => p.Local).HasDefaultValue(true).HasSentinel(true);
        b.HasOne<Account>().WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.Cascade);
        // Posts are deleted as tombstones, so these mostly guard against dangling ids; a reply outlives a removed
        // parent (drafts and reposts are removed outright), a repost goes with its original.
        b.HasOne<Post>().WithMany().HasForeignKey(p => p.InReplyToId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Post>().WithMany().HasForeignKey(p => p.RepostOfId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<PostEdit> b)
    {
        b.ToTable("post_edits");
        b.Property(e => e.Id).ValueGeneratedNever();
        b.HasIndex(e => new { e.PostId, e.Version }).IsUnique();
        b.HasOne<Post>().WithMany().HasForeignKey(e => e.PostId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<PostTag> b)
    {
        b.ToTable("post_tags");
        b.HasKey(t => new { t.Tag, t.PostId });
        b.Property(t => t.Tag).HasMaxLength(100);
        b.HasIndex(t => t.PostId);
        b.HasOne<Post>().WithMany().HasForeignKey(t => t.PostId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<PostMention> b)
    {
        b.ToTable("post_mentions");
        b.HasKey(m => new { m.PostId, m.AccountId });
        b.HasIndex(m => m.AccountId);
        b.HasOne<Post>().WithMany().HasForeignKey(m => m.PostId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Like> b)
    {
        b.ToTable("likes");
        b.HasKey(l => new { l.AccountId, l.PostId });
        b.HasIndex(l => l.PostId);
        b.HasOne<Account>().WithMany().HasForeignKey(l => l.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Post>().WithMany().HasForeignKey(l => l.PostId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<GuestComment> b)
    {
        b.ToTable("guest_comments");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Name).HasMaxLength(100);
        b.Property(c => c.Email).HasMaxLength(254);
        b.Property(c => c.EmailKey).HasMaxLength(254);
        b.Property(c => c.Content).HasMaxLength(5000);
        b.HasIndex(c => new { c.ArticleId, c.Id });
        b.HasOne<Post>().WithMany().HasForeignKey(c => c.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<TrustedCommenter> b)
    {
        b.ToTable("trusted_commenters");
        b.HasKey(t => new { t.AuthorId, t.EmailKey });
        b.HasOne<Account>().WithMany().HasForeignKey(t => t.AuthorId).OnDelete(DeleteBehavior.Cascade);
    }
}
