using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Accounts;

public enum AccountKind { Member = 0, Professional = 1, Organisation = 2 }

/// <summary>
/// What a member of staff may do: admins give roles and change settings, responders answer the public and work the
/// inbox, viewers read it. Responder keeps the value staff had before roles were split.
/// </summary>
public enum OrganisationRole { Responder = 0, Admin = 1, Viewer = 2 }

/// <summary>A sign-in identity. Each user owns exactly one personal account (member or professional).</summary>
public sealed class User : IdentityUser<long>
{
    public long AccountId { get; set; }
}

/// <summary>A public identity: a person (member or professional) or an organisation.</summary>
public sealed class Account
{
    public long Id { get; set; }
    public required string Handle { get; set; }
    /// <summary>Lower-case handle, unique: handles compare without case.</summary>
    public required string HandleKey { get; set; }
    public required string DisplayName { get; set; }
    public string Bio { get; set; } = "";
    public AccountKind Kind { get; set; }
    public string? Profession { get; set; }
    public string? Employer { get; set; }
    public long? AvatarMediaId { get; set; }
    /// <summary>Profile links, one "label|url" per line.</summary>
    public string Links { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletionRequestedAt { get; set; }
    public int FollowersCount { get; set; }
    public int FollowingCount { get; set; }
    public int PostsCount { get; set; }

    public IReadOnlyList<ProfileLink> ParsedLinks() => ProfileLink.Parse(Links);
}

public sealed record ProfileLink(string Label, string Url)
{
    public static IReadOnlyList<ProfileLink> Parse(string links) =>
        links.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|', 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => new ProfileLink(parts[0], parts[1]))
            .ToList();

    public static string Format(IEnumerable<ProfileLink> links) =>
        string.Join('\n', links.Select(l => $"{l.Label.Replace("|", "/", StringComparison.Ordinal)}|{l.Url}"));
}

public sealed class OrganisationMember
{
    public long OrganisationId { get; set; }
    public long AccountId { get; set; }
    public OrganisationRole Role { get; set; }
    /// <summary>The member of staff chose to have what the public addresses to them land in the organisation's inbox.</summary>
    public bool IncludeInInbox { get; set; }
}

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>, IEntityTypeConfiguration<OrganisationMember>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.ToTable("accounts");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Handle).HasMaxLength(30);
        b.Property(a => a.HandleKey).HasMaxLength(30);
        b.HasIndex(a => a.HandleKey).IsUnique();
        b.Property(a => a.DisplayName).HasMaxLength(100);
        b.Property(a => a.Bio).HasMaxLength(1000);
        b.Property(a => a.Profession).HasMaxLength(100);
        b.Property(a => a.Employer).HasMaxLength(200);
        b.Property(a => a.Links).HasMaxLength(2000);
    }

    public void Configure(EntityTypeBuilder<OrganisationMember> b)
    {
        b.ToTable("organisation_members");
        b.HasKey(m => new { m.OrganisationId, m.AccountId });
        b.HasIndex(m => m.AccountId);
    }
}
