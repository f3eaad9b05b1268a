using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Timelines;

/// <summary>
/// One post in one account's home timeline, written at publish time (fan-out on write; see
/// docs/decisions/0002-home-timeline-fan-out-on-write.md). Reading a home page is then one index range.
/// </summary>
public sealed class HomeFeedEntry
{
    public long OwnerId { get; set; }
    public long PostId { get; set; }
    public long AuthorId { get; set; }
}

internal sealed class HomeFeedConfiguration : IEntityTypeConfiguration<HomeFeedEntry>
{
    public void Configure(EntityTypeBuilder<HomeFeedEntry> b)
    {
        b.ToTable("home_feed");
        b.HasKey(e => new { e.OwnerId, e.PostId });
        b.HasIndex(e => e.PostId);
    }
}
