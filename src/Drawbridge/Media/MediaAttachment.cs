using Drawbridge.Accounts;
using Drawbridge.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Media;

public enum MediaKind { Image = 0, Audio = 1, Video = 2 }

public sealed class MediaAttachment
{
    public long Id { get; set; }
    public long OwnerId { get; set; }
    public long? PostId { get; set; }
    public MediaKind Kind { get; set; }
    public required string ContentType { get; set; }
    /// <summary>File name inside the media folder of the data directory.</summary>
    public required string StoredName { get; set; }
    public string AltText { get; set; } = "";
    public int? Width { get; set; }
    public int? Height { get; set; }
    public long Size { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class MediaConfiguration : IEntityTypeConfiguration<MediaAttachment>
{
    public void Configure(EntityTypeBuilder<MediaAttachment> b)
    {
        b.ToTable("media");
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.ContentType).HasMaxLength(100);
        b.Property(m => m.StoredName).HasMaxLength(100);
        b.Property(m => m.AltText).HasMaxLength(1500);
        b.HasIndex(m => m.PostId);
        b.HasIndex(m => m.OwnerId);
        b.HasOne<Account>().WithMany().HasForeignKey(m => m.OwnerId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Post>().WithMany().HasForeignKey(m => m.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}
