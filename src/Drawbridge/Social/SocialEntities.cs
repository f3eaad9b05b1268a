using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Social;

public sealed class Follow
{
    public long FollowerId { get; set; }
    public long FolloweeId { get; set; }
    public DateTime CreatedAt { get; set; }
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

public enum NotificationKind { Follow = 0, Reply = 1, Mention = 2, Like = 3, Repost = 4, GuestComment = 5 }

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
    }

    public void Configure(EntityTypeBuilder<Block> b)
    {
        b.ToTable("blocks");
        b.HasKey(x => new { x.BlockerId, x.BlockedId });
        b.HasIndex(x => x.BlockedId);
    }

    public void Configure(EntityTypeBuilder<Mute> b)
    {
        b.ToTable("mutes");
        b.HasKey(x => new { x.MuterId, x.MutedId });
    }

    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.Property(n => n.Id).ValueGeneratedNever();
        b.HasIndex(n => new { n.RecipientId, n.Id });
    }
}
