using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Jobs;

/// <summary>Durable background work: stored, claimed by one node at a time, retried with backoff.</summary>
public sealed class Job
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    /// <summary>The named queue it runs on (<see cref="JobQueues"/>): each has its own workers, so one can't hold up another.</summary>
    public string Queue { get; set; } = JobQueues.Default;
    /// <summary>The job's typed payload as JSON (a record per kind, <see cref="IJobPayload{TSelf}"/>).</summary>
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
        b.Property(j => j.Queue).HasMaxLength(32).HasDefaultValue(JobQueues.Default);
        b.Property(j => j.LockedBy).HasMaxLength(100);
        b.HasIndex(j => new { j.CompletedAt, j.FailedAt, j.RunAt });
        // What each queue's workers look for: the open jobs of their queue, soonest first.
        b.HasIndex(j => new { j.Queue, j.RunAt }).HasFilter("\"CompletedAt\" IS NULL AND \"FailedAt\" IS NULL");
    }
}
