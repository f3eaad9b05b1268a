using Drawbridge.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Listening;

/// <summary>Where an inbox item came from.</summary>
public enum InboxSource { Feedback = 0, Reply = 1, Mention = 2, GuestComment = 3 }

/// <summary>
/// Where an item is in the team's work. <see cref="Read"/>, <see cref="ChangePlanned"/> and <see cref="ChangeMade"/>
/// are Care Opinion's states, which the public understands; the others are a shared inbox's.
/// </summary>
public enum InboxState { New = 0, Read = 1, Assigned = 2, Responded = 3, ChangePlanned = 4, ChangeMade = 5, Closed = 6 }

/// <summary>One thing the public said to an organisation, or to a member of its staff who opted in.</summary>
public sealed class InboxItem
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    /// <summary>The organisation itself, or the member of staff it was addressed to.</summary>
    public long AddressedToId { get; set; }
    public InboxSource Source { get; set; }
    public InboxState State { get; set; }
    public long? AssigneeId { get; set; }
    /// <summary>The member who wrote it, when they have an account.</summary>
    public long? AuthorAccountId { get; set; }
    /// <summary>The name a guest gave (optional on the feedback form).</summary>
    public string? AuthorName { get; set; }
    /// <summary>Never shown outside the organisation: how to reach a guest who left it.</summary>
    public string? ContactEmail { get; set; }
    public long? PostId { get; set; }
    public long? GuestCommentId { get; set; }
    /// <summary>The service or ward it concerns, as the person named it.</summary>
    public string? Service { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Lower-cased text, service and name, for the inbox's search.</summary>
    public string SearchText { get; set; } = "";
    /// <summary>Why the licence-to-converse check held it (it looks like it carries identifiers), when it did.</summary>
    public string? HeldReason { get; set; }
    public string? Theme { get; set; }
    public string? Sentiment { get; set; }
    /// <summary>Safety, harm or distress: raised to the top of the inbox.</summary>
    public bool Critical { get; set; }
    /// <summary>Every theme the item was given, "; " between them (<see cref="Theme"/> is the first, the most likely).</summary>
    public string? Themes { get; set; }
    /// <summary>When the insights engine last classified it; null while it waits for a model.</summary>
    public DateTime? ClassifiedAt { get; set; }
    /// <summary>The model that classified it (<see cref="InsightsModelRecord"/>).</summary>
    public long? ClassifiedByModelId { get; set; }
    /// <summary>A member of staff set its themes: a new model does not overwrite them.</summary>
    public bool ThemeCorrected { get; set; }
    public string? ResponseText { get; set; }
    public long? ResponsePostId { get; set; }
    public long? RespondedById { get; set; }
    public bool RespondedAsOrganisation { get; set; }
    public DateTime? RespondedAt { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An internal note on an item: staff only, never public.</summary>
public sealed class InboxNote
{
    public long Id { get; set; }
    public long ItemId { get; set; }
    public long AuthorId { get; set; }
    public string Text { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>Who did what to an item, and when.</summary>
public sealed class InboxHistoryEntry
{
    public long Id { get; set; }
    public long ItemId { get; set; }
    /// <summary>Null when the system did it (intake, classification).</summary>
    public long? ActorId { get; set; }
    public string What { get; set; } = "";
    public DateTime At { get; set; }
}

/// <summary>
/// The member of staff who wrote a post the organisation published: the public sees the organisation, the
/// organisation's own people see who wrote it.
/// </summary>
public sealed class OrganisationPostAuthor
{
    public long PostId { get; set; }
    public long OrganisationId { get; set; }
    public long StaffAccountId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class InboxConfiguration :
    IEntityTypeConfiguration<InboxItem>, IEntityTypeConfiguration<InboxNote>, IEntityTypeConfiguration<InboxHistoryEntry>, IEntityTypeConfiguration<OrganisationPostAuthor>
{
    public void Configure(EntityTypeBuilder<InboxItem> b)
    {
        b.ToTable("inbox_items");
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.AuthorName).HasMaxLength(100);
        b.Property(i => i.ContactEmail).HasMaxLength(254);
        b.Property(i => i.Service).HasMaxLength(100);
        b.Property(i => i.Text).HasMaxLength(InboxLimits.Text);
        b.Property(i => i.SearchText).HasMaxLength(InboxLimits.Text + 300);
        b.Property(i => i.HeldReason).HasMaxLength(500);
        b.Property(i => i.Theme).HasMaxLength(100);
        b.Property(i => i.Sentiment).HasMaxLength(30);
        b.Property(i => i.Themes).HasMaxLength(1000);
        b.Property(i => i.ResponseText).HasMaxLength(InboxLimits.Response);
        // The inbox lists newest first within an organisation, critical items on top, filtered by state or theme.
        b.HasIndex(i => new { i.OrganisationId, i.Critical, i.Id });
        // State and theme lead, then the inbox's own order, so a filtered page reads its rows in order from the index
        // (with the order's columns last, SQLite would otherwise walk the critical-first index and test every row).
        b.HasIndex(i => new { i.OrganisationId, i.State, i.Critical, i.Id });
        b.HasIndex(i => new { i.OrganisationId, i.Theme, i.State, i.Critical, i.Id });
        b.HasIndex(i => new { i.OrganisationId, i.AssigneeId, i.Id });
        // The insights job's queue: an organisation's items still waiting for a model.
        b.HasIndex(i => new { i.OrganisationId, i.ClassifiedAt, i.Id });
        // One item per post or guest comment and organisation: intake may run twice.
        b.HasIndex(i => new { i.OrganisationId, i.PostId }).IsUnique();
        b.HasIndex(i => new { i.OrganisationId, i.GuestCommentId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<InboxNote> b)
    {
        b.ToTable("inbox_notes");
        b.Property(n => n.Id).ValueGeneratedNever();
        b.Property(n => n.Text).HasMaxLength(InboxLimits.Note);
        b.HasIndex(n => new { n.ItemId, n.Id });
    }

    public void Configure(EntityTypeBuilder<InboxHistoryEntry> b)
    {
        b.ToTable("inbox_history");
        b.Property(h => h.Id).ValueGeneratedNever();
        b.Property(h => h.What).HasMaxLength(300);
        b.HasIndex(h => new { h.ItemId, h.Id });
    }

    public void Configure(EntityTypeBuilder<OrganisationPostAuthor> b)
    {
        b.ToTable("organisation_post_authors");
        b.HasKey(a => a.PostId);
        b.Property(a => a.PostId).ValueGeneratedNever();
        b.HasIndex(a => new { a.OrganisationId, a.PostId });
    }
}

public static class InboxLimits
{
    public const int Text = 5000;
    public const int Response = 5000;
    public const int Note = 5000;
}

/// <summary>What a member of staff may do in an organisation.</summary>
public static class OrganisationRoles
{
    public static bool CanRespond(this OrganisationRole role) => role is OrganisationRole.Admin or OrganisationRole.Responder;

    public static string Name(this OrganisationRole role) => role switch
    {
        OrganisationRole.Admin => "admin",
        OrganisationRole.Responder => "responder",
        _ => "viewer",
    };

    /// <summary>Reads a role from the API or a form; "staff" (the name before roles were split) means responder.</summary>
    public static OrganisationRole? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "admin" => OrganisationRole.Admin,
        "responder" or "staff" or null or "" => OrganisationRole.Responder,
        "viewer" => OrganisationRole.Viewer,
        _ => null,
    };
}
