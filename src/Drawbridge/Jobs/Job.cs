using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Jobs;

/// <summary>Durable background work: stored, claimed by one node at a time, retried with backoff.</summary>
public sealed class Job
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public string Payload { get; set; } = "";
    public DateTime RunAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public string? LastError { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime? FailedAt { get; set; }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> b)
    {
        b.ToTable("jobs");
        b.Property(j => j.Id).ValueGeneratedNever();
        b.Property(j => j.Kind).HasMaxLength(100);
        b.Property(j => j.LockedBy).HasMaxLength(100);
        b.HasIndex(j => new { j.CompletedAt, j.FailedAt, j.RunAt });
    }
}
