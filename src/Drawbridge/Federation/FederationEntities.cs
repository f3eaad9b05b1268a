using Drawbridge.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Federation;

/// <summary>
/// An activity another server delivered to an inbox, its signature verified: kept until it has been processed, and
/// after, so a second delivery of the same id is recognised and changes nothing.
/// </summary>
public sealed class InboundActivity
{
    public long Id { get; set; }
    /// <summary>The activity's own id (its URI): unique, the key of idempotency.</summary>
    public required string ActivityUri { get; set; }
    public required string Type { get; set; }
    /// <summary>The actor whose key signed the delivery.</summary>
    public required string ActorUri { get; set; }
    /// <summary>The local account whose inbox it came to; null for the shared inbox.</summary>
    public long? RecipientId { get; set; }
    /// <summary>The JSON as received.</summary>
    public required string Body { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DateTime? ProcessedAt { get; set; }
    /// <summary>Why it was not acted on, when it wasn't (an unknown object, an unsupported type).</summary>
    public string? Outcome { get; set; }
}

/// <summary>How far a domain block goes.</summary>
public enum DomainBlockSeverity
{
    /// <summary>Accepted, but its accounts and posts stay out of public timelines.</summary>
    Limit = 0,
    /// <summary>Everything from the domain is refused, and what was stored from it is removed.</summary>
    Suspend = 1,
}

/// <summary>An administrator's decision about another server.</summary>
public sealed class DomainBlock
{
    /// <summary>The domain as accounts carry it (lower case, with a port when not the default).</summary>
    public required string Domain { get; set; }
    public DomainBlockSeverity Severity { get; set; }
    /// <summary>Why, for the administrators who come after.</summary>
    public string? Reason { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A report (Flag) another server sent about local accounts or posts, kept for moderators.</summary>
public sealed class RemoteReport
{
    public long Id { get; set; }
    public required string ActivityUri { get; set; }
    /// <summary>The reporting actor (often the remote server's instance actor), when it is known here.</summary>
    public long? ReporterId { get; set; }
    public required string ReporterUri { get; set; }
    public long? TargetAccountId { get; set; }
    /// <summary>Ids of the local posts it names, comma separated.</summary>
    public string PostIds { get; set; } = "";
    public string Comment { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>This server's own signing key (the instance actor at <c>/actor</c>), made the first time it is needed.</summary>
public sealed class ServerKey
{
    public required string Name { get; set; }
    public required string PublicKeyPem { get; set; }
    public required string PrivateKeyPem { get; set; }
    /// <summary>The key's id as published when it was made (background work has no request to take the address from).</summary>
    public required string KeyId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class FederationConfiguration :
    IEntityTypeConfiguration<InboundActivity>, IEntityTypeConfiguration<DomainBlock>, IEntityTypeConfiguration<RemoteReport>,
    IEntityTypeConfiguration<ServerKey>
{
    public void Configure(EntityTypeBuilder<InboundActivity> b)
    {
        b.ToTable("inbound_activities");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.ActivityUri).HasMaxLength(AccountConfiguration.UriMax);
        b.HasIndex(a => a.ActivityUri).IsUnique();
        b.Property(a => a.Type).HasMaxLength(64);
        b.Property(a => a.ActorUri).HasMaxLength(AccountConfiguration.UriMax);
        b.Property(a => a.Body).HasMaxLength(InboxEndpoints.MaxBodyBytes);
        b.Property(a => a.Outcome).HasMaxLength(500);
        b.HasIndex(a => a.ReceivedAt);
        b.HasOne<Account>().WithMany().HasForeignKey(a => a.RecipientId).OnDelete(DeleteBehavior.SetNull);
    }

    public void Configure(EntityTypeBuilder<DomainBlock> b)
    {
        b.ToTable("domain_blocks");
        b.HasKey(d => d.Domain);
        b.Property(d => d.Domain).HasMaxLength(253);
        b.Property(d => d.Reason).HasMaxLength(500);
    }

    public void Configure(EntityTypeBuilder<RemoteReport> b)
    {
        b.ToTable("remote_reports");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.ActivityUri).HasMaxLength(AccountConfiguration.UriMax);
        b.HasIndex(r => r.ActivityUri).IsUnique();
        b.Property(r => r.ReporterUri).HasMaxLength(AccountConfiguration.UriMax);
        b.Property(r => r.PostIds).HasMaxLength(2000);
        b.Property(r => r.Comment).HasMaxLength(5000);
        b.HasOne<Account>().WithMany().HasForeignKey(r => r.ReporterId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Account>().WithMany().HasForeignKey(r => r.TargetAccountId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ServerKey> b)
    {
        b.ToTable("server_keys");
        b.HasKey(k => k.Name);
        b.Property(k => k.Name).HasMaxLength(64);
        b.Property(k => k.PublicKeyPem).HasMaxLength(8000);
        b.Property(k => k.PrivateKeyPem).HasMaxLength(8000);
        b.Property(k => k.KeyId).HasMaxLength(AccountConfiguration.UriMax);
    }
}
