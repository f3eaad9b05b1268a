using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Listening;

/// <summary>An organisation's opening hours, response target and digest, set by its admins. Without a row, the defaults hold.</summary>
public sealed class OrganisationListeningSettings
{
    public const int WeekdayMask = 0b0011111;

    public long OrganisationId { get; set; }
    public UkNation Nation { get; set; } = UkNation.EnglandAndWales;
    /// <summary>Minutes after midnight, UK time.</summary>
    public int OpensAtMinute { get; set; } = 9 * 60;
    public int ClosesAtMinute { get; set; } = 17 * 60;
    /// <summary>Bit 0 Monday … bit 6 Sunday.</summary>
    public int OpenDays { get; set; } = WeekdayMask;
    /// <summary>The time to a first public response the organisation promises, in working hours.</summary>
    public int ResponseTargetHours { get; set; } = 16;
    public bool WeeklyDigest { get; set; } = true;
    /// <summary>The start of the last week whose digest was mailed.</summary>
    public DateTime? LastDigestWeek { get; set; }
    public DateTime UpdatedAt { get; set; }

    public BusinessCalendar Calendar() => new(Nation, OpensAtMinute, ClosesAtMinute, OpenDays);

    public TimeSpan Target => TimeSpan.FromHours(ResponseTargetHours);
}

/// <summary>An account (a professional, or an organisation through its admins) chose to show its two-way score in public.</summary>
public sealed class TwoWayScoreConsent
{
    public long AccountId { get; set; }
    public DateTime PublicSince { get; set; }
}

internal sealed class ListeningSettingsConfiguration : IEntityTypeConfiguration<OrganisationListeningSettings>, IEntityTypeConfiguration<TwoWayScoreConsent>
{
    public void Configure(EntityTypeBuilder<OrganisationListeningSettings> b)
    {
        b.ToTable("organisation_listening_settings");
        b.HasKey(s => s.OrganisationId);
        b.Property(s => s.OrganisationId).ValueGeneratedNever();
    }

    public void Configure(EntityTypeBuilder<TwoWayScoreConsent> b)
    {
        b.ToTable("two_way_score_consents");
        b.HasKey(s => s.AccountId);
        b.Property(s => s.AccountId).ValueGeneratedNever();
    }
}

/// <summary>What an admin sends to change the settings; every field is checked and named when wrong.</summary>
public sealed record ListeningSettingsInput(string? Nation, string? Opens, string? Closes, IReadOnlyCollection<string>? OpenDays, int? ResponseTargetHours, bool? WeeklyDigest);

public sealed class ListeningSettingsService(DrawbridgeDb db, TimeProvider clock, Events.DomainEvents events, KeptListeningSettings kept)
{
    public static readonly (string Key, string Name, DayOfWeek Day)[] Days =
    [
        ("mon", "Monday", DayOfWeek.Monday), ("tue", "Tuesday", DayOfWeek.Tuesday), ("wed", "Wednesday", DayOfWeek.Wednesday),
        ("thu", "Thursday", DayOfWeek.Thursday), ("fri", "Friday", DayOfWeek.Friday), ("sat", "Saturday", DayOfWeek.Saturday), ("sun", "Sunday", DayOfWeek.Sunday),
    ];

    public static string NationKey(UkNation n) => n switch
    {
        UkNation.Scotland => "scotland",
        UkNation.NorthernIreland => "northern_ireland",
        _ => "england_and_wales",
    };

    public static string NationName(UkNation n) => n switch
    {
        UkNation.Scotland => "Scotland",
        UkNation.NorthernIreland => "Northern Ireland",
        _ => "England and Wales",
    };

    public static string Clock(int minute) => $"{minute / 60:00}:{minute % 60:00}";

    public async Task<OrganisationListeningSettings> GetAsync(long organisationId, CancellationToken ct) =>
        await db.Set<OrganisationListeningSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.OrganisationId == organisationId, ct)
        ?? new OrganisationListeningSettings { OrganisationId = organisationId };

    /// <summary>
    /// The settings and their business calendar as every inbox page and response clock reads them: kept for
    /// <see cref="KeptListeningSettings.Keep"/>, and forgotten at once on this node when an admin saves new ones.
    /// </summary>
    public async Task<(OrganisationListeningSettings Settings, BusinessCalendar Calendar)> KeptAsync(long organisationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (kept.TryGet(organisationId, now) is { } hit)
        {
            return hit;
        }
        var settings = await GetAsync(organisationId, ct);
        var fresh = (settings, settings.Calendar());
        kept.Set(organisationId, fresh, now);
        return fresh;
    }

    public async Task<Outcome<OrganisationListeningSettings>> SaveAsync(OrganisationDesk desk, ListeningSettingsInput input, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<OrganisationListeningSettings>.Forbidden("Only the organisation's admins can change its settings");
        }
        var errors = new ErrorBag();
        var current = await GetAsync(desk.Organisation.Id, ct);
        var nation = current.Nation;
        if (input.Nation is not null)
        {
            var parsed = Enum.GetValues<UkNation>().Cast<UkNation?>().FirstOrDefault(n => NationKey(n!.Value) == input.Nation.Trim().ToLowerInvariant());
            if (parsed is null)
            {
                errors.Add("nation", "Nation must be england_and_wales, scotland or northern_ireland");
            }
            else
            {
                nation = parsed.Value;
            }
        }
        int? Minute(string? value, string field, string label)
        {
            if (value is null)
            {
                return null;
            }
            if (TimeOnly.TryParseExact(value.Trim(), "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t))
            {
                return t.Hour * 60 + t.Minute;
            }
            if (value.Trim() == "24:00" && field == "closes")
            {
                return 24 * 60;
            }
            errors.Add(field, $"{label} must be a time like 09:00");
            return null;
        }
        var opens = Minute(input.Opens, "opens", "Opening time") ?? current.OpensAtMinute;
        var closes = Minute(input.Closes, "closes", "Closing time") ?? current.ClosesAtMinute;
        if (closes <= opens && !errors.ToDictionary().ContainsKey("opens") && !errors.ToDictionary().ContainsKey("closes"))
        {
            errors.Add("closes", "Closing time must be after opening time");
        }
        var days = current.OpenDays;
        if (input.OpenDays is not null)
        {
            days = 0;
            foreach (var key in input.OpenDays)
            {
                var day = Days.FirstOrDefault(d => d.Key == key?.Trim().ToLowerInvariant());
                if (day.Key is null)
                {
                    errors.Add("openDays", $"'{key}' is not a day: use mon, tue, wed, thu, fri, sat or sun");
                    continue;
                }
                days |= BusinessCalendar.DayBit(day.Day);
            }
            if (days == 0 && !errors.ToDictionary().ContainsKey("openDays"))
            {
                errors.Add("openDays", "Choose at least one day the team is open");
            }
        }
        var target = input.ResponseTargetHours ?? current.ResponseTargetHours;
        if (target is < 1 or > 500)
        {
            errors.Add("responseTargetHours", "The response target must be between 1 and 500 working hours");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<OrganisationListeningSettings>();
        }
        var row = await db.Set<OrganisationListeningSettings>().FirstOrDefaultAsync(s => s.OrganisationId == desk.Organisation.Id, ct);
        if (row is null)
        {
            row = new OrganisationListeningSettings { OrganisationId = desk.Organisation.Id };
            db.Add(row);
        }
        row.Nation = nation;
        row.OpensAtMinute = opens;
        row.ClosesAtMinute = closes;
        row.OpenDays = days;
        row.ResponseTargetHours = target;
        row.WeeklyDigest = input.WeeklyDigest ?? row.WeeklyDigest;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        kept.Forget(desk.Organisation.Id);
        return Outcome<OrganisationListeningSettings>.Ok(row);
    }

    public Task<bool> IsScorePublicAsync(long accountId, CancellationToken ct) =>
        db.Set<TwoWayScoreConsent>().AsNoTracking().AnyAsync(c => c.AccountId == accountId, ct);

    /// <summary>Shows or hides an account's two-way score in public; the profile pages are evicted from the cache with the change.</summary>
    public async Task SetScorePublicAsync(long accountId, bool isPublic, CancellationToken ct)
    {
        var row = await db.Set<TwoWayScoreConsent>().FirstOrDefaultAsync(c => c.AccountId == accountId, ct);
        if (isPublic && row is null)
        {
            db.Add(new TwoWayScoreConsent { AccountId = accountId, PublicSince = clock.GetUtcNow().UtcDateTime });
        }
        else if (!isPublic && row is not null)
        {
            db.Remove(row);
        }
        else
        {
            return;
        }
        await events.RaiseAsync(db, new Events.AccountUpdated(accountId), ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>An organisation's consent is its admins' to give.</summary>
    public async Task<Outcome<bool>> SetOrganisationScorePublicAsync(OrganisationDesk desk, bool isPublic, CancellationToken ct)
    {
        if (!desk.IsAdmin)
        {
            return Outcome<bool>.Forbidden("Only the organisation's admins can publish its two-way score");
        }
        await SetScorePublicAsync(desk.Organisation.Id, isPublic, ct);
        return Outcome<bool>.Ok(isPublic);
    }
}

/// <summary>
/// Each organisation's listening settings and business calendar, kept in memory: the inbox page and every response
/// clock read them on each request. Another app node sees a change within <see cref="Keep"/>; this one at once.
/// </summary>
public sealed class KeptListeningSettings
{
    public static readonly TimeSpan Keep = TimeSpan.FromSeconds(30);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (DateTime Until, OrganisationListeningSettings Settings, BusinessCalendar Calendar)> _kept = new();

    public (OrganisationListeningSettings Settings, BusinessCalendar Calendar)? TryGet(long organisationId, DateTime now) =>
        _kept.TryGetValue(organisationId, out var k) && k.Until > now ? (k.Settings, k.Calendar) : null;

    public void Set(long organisationId, (OrganisationListeningSettings Settings, BusinessCalendar Calendar) value, DateTime now) =>
        _kept[organisationId] = (now + Keep, value.Settings, value.Calendar);

    public void Forget(long organisationId) => _kept.TryRemove(organisationId, out _);
}
