using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Listening;

/// <summary>Where a model is: waiting for or in training, ready to be switched on, or failed (with why).</summary>
public enum InsightsModelState { Queued = 0, Training = 1, Ready = 2, Failed = 3 }

/// <summary>
/// One model of an organisation's framework (or the shared default, with no organisation): the files it was trained
/// from, its training progress, its cross-validated quality per theme, and the trained model itself. At most one model
/// of an organisation is active; the one before it keeps classifying until an admin switches the new one on.
/// </summary>
public sealed class InsightsModelRecord
{
    public long Id { get; set; }
    /// <summary>Null for the default model every organisation without its own uses.</summary>
    public long? OrganisationId { get; set; }
    public string FrameworkName { get; set; } = "";
    public string FrameworkVersion { get; set; } = "";
    public string FrameworkJson { get; set; } = "";
    public string DataFileName { get; set; } = "";
    /// <summary>The labelled file as uploaded; read again (with the corrections since) to train the next model.</summary>
    public byte[] DataFile { get; set; } = [];
    /// <summary>"Windows-1252" when the file was read in that character set, as Excel saves CSV.</summary>
    public string? DataReadAs { get; set; }
    public int Rows { get; set; }
    public int Corrections { get; set; }
    public InsightsModelState State { get; set; }
    public string? Stage { get; set; }
    public int Done { get; set; }
    public int Total { get; set; }
    public string? Error { get; set; }
    /// <summary>Per theme: support, precision, recall and F1 from cross-validation, as JSON (<see cref="ModelQuality"/>).</summary>
    public string? QualityJson { get; set; }
    public byte[]? Model { get; set; }
    public bool IsActive { get; set; }
    public long? CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? TrainedAt { get; set; }
    public DateTime? ActivatedAt { get; set; }
}

/// <summary>A member of staff's correction of an item's themes: training data for the organisation's next model.</summary>
public sealed class ThemeCorrection
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }
    public long ItemId { get; set; }
    /// <summary>The framework the theme ids belong to.</summary>
    public string FrameworkName { get; set; } = "";
    /// <summary>Theme ids, "\n" between them; empty for "no theme fits".</summary>
    public string ThemeIds { get; set; } = "";
    public long CorrectedById { get; set; }
    public DateTime CorrectedAt { get; set; }
}

internal sealed class InsightsConfiguration : IEntityTypeConfiguration<InsightsModelRecord>, IEntityTypeConfiguration<ThemeCorrection>
{
    public void Configure(EntityTypeBuilder<InsightsModelRecord> b)
    {
        b.ToTable("insights_models");
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.FrameworkName).HasMaxLength(200);
        b.Property(m => m.FrameworkVersion).HasMaxLength(50);
        b.Property(m => m.DataFileName).HasMaxLength(260);
        b.Property(m => m.DataReadAs).HasMaxLength(30);
        b.Property(m => m.Stage).HasMaxLength(100);
        b.Property(m => m.Error).HasMaxLength(2000);
        b.HasIndex(m => new { m.OrganisationId, m.IsActive });
        b.HasIndex(m => new { m.OrganisationId, m.Id });
    }

    public void Configure(EntityTypeBuilder<ThemeCorrection> b)
    {
        b.ToTable("inbox_theme_corrections");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.FrameworkName).HasMaxLength(200);
        b.Property(c => c.ThemeIds).HasMaxLength(2000);
        b.HasIndex(c => new { c.OrganisationId, c.ItemId, c.Id });
    }
}
