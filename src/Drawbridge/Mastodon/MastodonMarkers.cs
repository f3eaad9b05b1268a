using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Drawbridge.Mastodon;

/// <summary>
/// Where a person stopped reading a timeline (home, notifications), so their apps open at the same place on every
/// device (Mastodon's markers). The position is the app's own string: an id the app read last.
/// </summary>
public sealed class TimelineMarker
{
    public long AccountId { get; set; }
    public required string Timeline { get; set; }
    public required string LastReadId { get; set; }
    /// <summary>Counts the changes, so an app can tell a stale marker.</summary>
    public int Version { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class TimelineMarkerConfiguration : IEntityTypeConfiguration<TimelineMarker>
{
    public void Configure(EntityTypeBuilder<TimelineMarker> b)
    {
        b.ToTable("timeline_markers");
        b.HasKey(m => new { m.AccountId, m.Timeline });
        b.Property(m => m.Timeline).HasMaxLength(20);
        b.Property(m => m.LastReadId).HasMaxLength(40);
        b.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>GET and POST /api/v1/markers (methods/markers.md).</summary>
public static class MastodonMarkers
{
    private static readonly string[] Timelines = ["home", "notifications"];

    public static void MapMastodonMarkers(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/markers", GetAsync).RequireScope("read:statuses");
        v1.MapPost("/markers", SaveAsync).RequireScope("write:statuses");
    }

    private static MastodonMarker Entity(TimelineMarker m) => new(m.LastReadId, m.Version, m.UpdatedAt);

    /// <summary><c>timeline[]=home&amp;timeline[]=notifications</c> (or <c>timeline=</c>): the markers asked for that exist.</summary>
    private static async Task<IResult> GetAsync(HttpContext http, DrawbridgeDb db, CancellationToken ct)
    {
        var q = http.Request.Query;
        var asked = q["timeline[]"].Concat(q["timeline"]).Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct().ToList();
        if (asked.FirstOrDefault(t => !Timelines.Contains(t)) is { } unknown)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, $"timeline must be home or notifications, not '{unknown}'");
        }
        var me = MastodonAuth.Me(http);
        var rows = await db.Set<TimelineMarker>().AsNoTracking().Where(m => m.AccountId == me && asked.Contains(m.Timeline)).ToListAsync(ct);
        return MastodonResults.Json(rows.ToDictionary(m => m.Timeline, Entity), MastodonJson.Default.DictionaryStringMastodonMarker);
    }

    /// <summary><c>home[last_read_id]=…</c> as a form, or <c>{"home":{"last_read_id":"…"}}</c>: saves and answers with the markers saved.</summary>
    private static async Task<IResult> SaveAsync(HttpContext http, DrawbridgeDb db, TimeProvider clock, CancellationToken ct)
    {
        var input = await MastodonInput.ReadAsync(http.Request, ct);
        if (input is null)
        {
            return MastodonResults.Error(StatusCodes.Status400BadRequest, "The request body could not be read as a form or a JSON object");
        }
        var given = new Dictionary<string, string>();
        foreach (var timeline in Timelines)
        {
            if (input.Nested(timeline, "last_read_id") is { } id)
            {
                if (id.Length is 0 or > 40)
                {
                    return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, $"Validation failed: {timeline}[last_read_id] must be an id of at most 40 characters");
                }
                given[timeline] = id;
            }
        }
        if (given.Count == 0)
        {
            return MastodonResults.Error(StatusCodes.Status422UnprocessableEntity, "Validation failed: give home[last_read_id] or notifications[last_read_id]");
        }
        var me = MastodonAuth.Me(http);
        var now = clock.GetUtcNow().UtcDateTime;
        var keys = given.Keys.ToList();
        var rows = await db.Set<TimelineMarker>().Where(m => m.AccountId == me && keys.Contains(m.Timeline)).ToListAsync(ct);
        foreach (var (timeline, id) in given)
        {
            var row = rows.FirstOrDefault(r => r.Timeline == timeline);
            if (row is null)
            {
                rows.Add(row = new TimelineMarker { AccountId = me, Timeline = timeline, LastReadId = id });
                db.Add(row);
            }
            else if (row.LastReadId == id)
            {
                continue;
            }
            row.LastReadId = id;
            row.Version++;
            row.UpdatedAt = now;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two devices saved the same new marker at once: the other one's stands, as if it came second.
            return MastodonResults.Error(StatusCodes.Status409Conflict, "The marker was changed at the same time; try again");
        }
        return MastodonResults.Json(rows.ToDictionary(m => m.Timeline, Entity), MastodonJson.Default.DictionaryStringMastodonMarker);
    }
}
