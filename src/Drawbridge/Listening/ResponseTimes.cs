using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>
/// An organisation's clock at one moment: its calendar and target, and the instant before which an unanswered item
/// has waited longer than the target (so "overdue" is one indexable comparison, not a calculation per row).
/// </summary>
public sealed record ResponseClock(OrganisationListeningSettings Settings, BusinessCalendar Calendar, DateTime Now, DateTime OverdueBefore)
{
    /// <summary>Waiting for a first public response, and past the target.</summary>
    public bool IsOverdue(InboxItem i) => i.RespondedAt is null && i.State != InboxState.Closed && i.ReceivedAt < OverdueBefore;

    public TimeSpan? FirstResponse(InboxItem i) => i.RespondedAt is { } r ? Calendar.Between(i.ReceivedAt, r) : null;

    public TimeSpan? ToClose(InboxItem i) => i.ClosedAt is { } c ? Calendar.Between(i.ReceivedAt, c) : null;

    public DateTime DueAt(InboxItem i) => Calendar.Add(i.ReceivedAt, Settings.Target);

    /// <summary>Whether a response came within the target; null while the item is still inside it, unanswered.</summary>
    public bool? WithinTarget(DateTime receivedAt, DateTime? respondedAt) => respondedAt is { } r
        ? Calendar.Between(receivedAt, r) <= Settings.Target
        : receivedAt < OverdueBefore ? false : null;
}

/// <summary>How quickly a team answered, over a window of received items.</summary>
public sealed record ResponseSummary(
    DateTime From, DateTime To, int Received, int Responded, int Closed, int Overdue,
    double? MedianFirstResponseHours, double? MedianToCloseHours, int WithinTarget, int Due, IReadOnlyList<ResponseBucket> Distribution)
{
    /// <summary>Share of the items that are due (answered, or past the target) answered within the target.</summary>
    public double? WithinTargetShare => Due == 0 ? null : (double)WithinTarget / Due;
}

public sealed record ResponseBucket(string Label, int Count);

/// <summary>The slimmest view of an item the reports need, read in one projection.</summary>
public sealed record ItemFacts(long Id, DateTime ReceivedAt, DateTime? RespondedAt, DateTime? ClosedAt, InboxState State, string? Theme, string? Sentiment, string? Service, bool Critical);

public sealed class ResponseTimes(DrawbridgeDb db, ListeningSettingsService settings, TimeProvider clock)
{
    /// <summary>The distribution's buckets, in working hours; the last is open-ended.</summary>
    public static readonly (string Label, double UpToHours)[] Buckets =
    [
        ("Under 1 hour", 1), ("1 to 4 hours", 4), ("4 to 8 hours", 8), ("8 to 16 hours", 16), ("16 to 40 hours", 40), ("Over 40 hours", double.MaxValue),
    ];

    public const string NotYetAnswered = "Not yet answered";

    public async Task<ResponseClock> ClockAsync(long organisationId, CancellationToken ct, DateTime? at = null)
    {
        var (s, calendar) = await settings.KeptAsync(organisationId, ct);
        var now = at ?? clock.GetUtcNow().UtcDateTime;
        return new ResponseClock(s, calendar, now, calendar.Subtract(now, s.Target));
    }

    public IQueryable<ItemFacts> Facts(long organisationId, DateTime from, DateTime to, string? service = null)
    {
        var q = db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == organisationId && i.ReceivedAt >= from && i.ReceivedAt < to);
        if (!string.IsNullOrWhiteSpace(service))
        {
            q = q.Where(i => i.Service == service);
        }
        return q.Select(i => new ItemFacts(i.Id, i.ReceivedAt, i.RespondedAt, i.ClosedAt, i.State, i.Theme, i.Sentiment, i.Service, i.Critical));
    }

    public async Task<ResponseSummary> SummaryAsync(long organisationId, DateTime from, DateTime to, CancellationToken ct, string? service = null)
    {
        var clk = await ClockAsync(organisationId, ct);
        var facts = await Facts(organisationId, from, to, service).ToListAsync(ct);
        return Summarise(clk, facts, from, to);
    }

    public static ResponseSummary Summarise(ResponseClock clk, IReadOnlyList<ItemFacts> facts, DateTime from, DateTime to)
    {
        var first = new List<double>();
        var close = new List<double>();
        var counts = new int[Buckets.Length];
        int withinTarget = 0, due = 0, overdue = 0, responded = 0, closed = 0, waiting = 0;
        foreach (var f in facts)
        {
            if (f.RespondedAt is { } r)
            {
                responded++;
                var hours = clk.Calendar.Between(f.ReceivedAt, r).TotalHours;
                first.Add(hours);
                counts[Array.FindIndex(Buckets, b => hours < b.UpToHours)]++;
            }
            else
            {
                waiting++;
            }
            if (f.ClosedAt is { } c)
            {
                closed++;
                close.Add(clk.Calendar.Between(f.ReceivedAt, c).TotalHours);
            }
            if (f.RespondedAt is null && f.State != InboxState.Closed && f.ReceivedAt < clk.OverdueBefore)
            {
                overdue++;
            }
            if (f.State == InboxState.Closed && f.RespondedAt is null)
            {
                continue; // closed without a public answer (spam, a duplicate): neither within nor outside the target
            }
            switch (clk.WithinTarget(f.ReceivedAt, f.RespondedAt))
            {
                case true:
                    due++;
                    withinTarget++;
                    break;
                case false:
                    due++;
                    break;
            }
        }
        var buckets = Buckets.Select((b, i) => new ResponseBucket(b.Label, counts[i])).Append(new ResponseBucket(NotYetAnswered, waiting)).ToList();
        return new ResponseSummary(from, to, facts.Count, responded, closed, overdue, Median(first), Median(close), withinTarget, due, buckets);
    }

    public static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>"3.5 hours", "2 days 1 hour" of working time, for people.</summary>
    public static string Describe(TimeSpan working) => DescribeHours(working.TotalHours);

    public static string DescribeHours(double? hours)
    {
        if (hours is not { } h)
        {
            return "none yet";
        }
        if (h < 1)
        {
            var minutes = (int)Math.Round(h * 60);
            return minutes == 1 ? "1 minute" : $"{minutes} minutes";
        }
        var rounded = Math.Round(h, 1);
        return rounded == 1 ? "1 working hour" : $"{rounded.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} working hours";
    }
}
