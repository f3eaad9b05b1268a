using Drawbridge.Accounts;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Social;

/// <summary>Accepted is 0 so every follow stored before follow requests existed reads as accepted.</summary>
public enum FollowState { Accepted = 0, Requested = 1 }

public sealed class Follow
{
    public long FollowerId { get; set; }
    public long FolloweeId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Only accepted follows count, fan out and see followers-only posts.</summary>
    public FollowState State { get; set; }
    /// <summary>The id of the Follow activity, so a remote Accept, Reject or Undo finds this follow.</summary>
    public string? Uri { get; set; }
}

public sealed class Block
{
    public long BlockerId { get; set; }
    public long BlockedId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Mute
{
    public long MuterId { get; set; }
    public long MutedId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum NotificationKind { Follow = 0, Reply = 1, Mention = 2, Like = 3, Repost = 4, GuestComment = 5, FollowRequest = 6, FollowAccepted = 7 }

public sealed class Notification
{
    public long Id { get; set; }
    public long RecipientId { get; set; }
    public NotificationKind Kind { get; set; }
    public long? ActorId { get; set; }
    public long? PostId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
}

internal sealed class SocialConfiguration :
    IEntityTypeConfiguration<Follow>, IEntityTypeConfiguration<Block>, IEntityTypeConfiguration<Mute>,
    IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Follow> b)
    {
        b.ToTable("follows");
        b.HasKey(f => new { f.FollowerId, f.FolloweeId });
        b.HasIndex(f => new { f.FolloweeId, f.FollowerId });
        b.Property(f => f.Uri).HasMaxLength(AccountConfiguration.UriMax);
        b.Property(f => f.State).HasDefaultValue(FollowState.Accepted);
        b.HasIndex(f => f.Uri).IsUnique().HasFilter("\"Uri\" IS NOT NULL");
        b.HasOne<Account>().WithMany().HasForeignKey(f => f.FollowerId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(f => f.FolloweeId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Block> b)
    {
        b.ToTable("blocks");
        b.HasKey(x => new { x.BlockerId, x.BlockedId });
        b.HasIndex(x => x.BlockedId);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.BlockerId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.BlockedId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Mute> b)
    {
        b.ToTable("mutes");
        b.HasKey(x => new { x.MuterId, x.MutedId });
        b.HasIndex(x => x.MutedId);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.MuterId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.MutedId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.Property(n => n.Id).ValueGeneratedNever();
        b.HasIndex(n => new { n.RecipientId, n.Id });
        b.HasIndex(n => n.ActorId);
        b.HasIndex(n => n.PostId);
        b.HasOne<Account>().WithMany().HasForeignKey(n => n.RecipientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(n => n.ActorId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Post>().WithMany().HasForeignKey(n => n.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}
