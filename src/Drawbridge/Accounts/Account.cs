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
    /// <summary>The user part of user@domain. Local sign-up keeps to 30 characters; remote servers allow longer.</summary>
    public required string Handle { get; set; }
    /// <summary>Lower-case handle, unique per domain: handles compare without case.</summary>
    public required string HandleKey { get; set; }
    /// <summary>The server the account lives on, lower case (punycode); null for an account of this server.</summary>
    public string? Domain { get; set; }
    /// <summary>The canonical ActivityPub id of the actor. Set for remote accounts; local ones may derive it from the public URL.</summary>
    public string? Uri { get; set; }
    /// <summary>The profile page people open (remote accounts).</summary>
    public string? Url { get; set; }
    public string? InboxUri { get; set; }
    public string? SharedInboxUri { get; set; }
    public string? OutboxUri { get; set; }
    public string? FollowersUri { get; set; }
    public string? FeaturedUri { get; set; }
    public string? PublicKeyPem { get; set; }
    /// <summary>Only for local accounts, made the first time federation needs it; never for remote ones.</summary>
    public string? PrivateKeyPem { get; set; }
    /// <summary>The key's id (keyId in HTTP signatures), usually the actor URI with #main-key.</summary>
    public string? PublicKeyId { get; set; }
    /// <summary>Follows need the account's approval: a follow is a request until accepted.</summary>
    public bool Locked { get; set; }
    /// <summary>When a remote account's actor document was last fetched.</summary>
    public DateTime? LastFetchedAt { get; set; }
    public required string DisplayName { get; set; }
    public string Bio { get; set; } = "";
    public AccountKind Kind { get; set; }
    public string? Profession { get; set; }
    public string? Employer { get; set; }
    public long? AvatarMediaId { get; set; }
    /// <summary>The wide picture at the top of the profile.</summary>
    public long? HeaderMediaId { get; set; }
    /// <summary>Profile links, one "label|url" per line.</summary>
    public string Links { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletionRequestedAt { get; set; }
    public int FollowersCount { get; set; }
    public int FollowingCount { get; set; }
    public int PostsCount { get; set; }

    public bool IsLocal => Domain is null;

    /// <summary>"handle" for a local account, "handle@domain" for a remote one.</summary>
    public string Acct => Domain is null ? Handle : $"{Handle}@{Domain}";

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

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>, IEntityTypeConfiguration<OrganisationMember>, IEntityTypeConfiguration<User>
{
    public const int HandleMax = 255;
    public const int UriMax = 2048;

    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.ToTable("accounts");
        b.Property(a => a.Id).ValueGeneratedNever();
        // Remote servers allow longer user names than local sign-up does (Misskey and Pleroma: well over 30).
        b.Property(a => a.Handle).HasMaxLength(HandleMax);
        b.Property(a => a.HandleKey).HasMaxLength(HandleMax);
        b.Property(a => a.Domain).HasMaxLength(253);
        // NULL never equals NULL in a unique index (SQLite and PostgreSQL alike), so one unique (HandleKey, Domain)
        // index would let two local accounts share a handle: local and remote handles each get a filtered index.
        b.HasIndex(a => a.HandleKey).IsUnique().HasFilter("\"Domain\" IS NULL").HasDatabaseName("IX_accounts_HandleKey_Local");
        b.HasIndex(a => new { a.HandleKey, a.Domain }).IsUnique().HasFilter("\"Domain\" IS NOT NULL").HasDatabaseName("IX_accounts_HandleKey_Domain_Remote");
        b.HasIndex(a => a.Uri).IsUnique().HasFilter("\"Uri\" IS NOT NULL");
        foreach (var uri in new[] { nameof(Account.Uri), nameof(Account.Url), nameof(Account.InboxUri), nameof(Account.SharedInboxUri), nameof(Account.OutboxUri), nameof(Account.FollowersUri), nameof(Account.FeaturedUri), nameof(Account.PublicKeyId) })
        {
            b.Property(uri).HasMaxLength(UriMax);
        }
        b.Property(a => a.PublicKeyPem).HasMaxLength(8000);
        b.Property(a => a.PrivateKeyPem).HasMaxLength(8000);
        b.Property(a => a.DisplayName).HasMaxLength(100);
        b.Property(a => a.Bio).HasMaxLength(1000);
        b.Property(a => a.Profession).HasMaxLength(100);
        b.Property(a => a.Employer).HasMaxLength(200);
        b.Property(a => a.Links).HasMaxLength(2000);
    }

    public void Configure(EntityTypeBuilder<User> b)
    {
        b.HasIndex(u => u.AccountId);
        b.HasOne<Account>().WithMany().HasForeignKey(u => u.AccountId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<OrganisationMember> b)
    {
        b.ToTable("organisation_members");
        b.HasKey(m => new { m.OrganisationId, m.AccountId });
        b.HasIndex(m => m.AccountId);
        b.HasOne<Account>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
