using System.Globalization;
using System.Net;
using System.Text;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Listening;

/// <summary>One chart's data: named series of counts over the same categories (weeks, buckets).</summary>
public sealed record ChartData(string Title, string Description, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series)
{
    public int Total => Series.Sum(s => s.Values.Sum());
}

public sealed record ChartSeries(string Name, IReadOnlyList<int> Values);

/// <summary>A theme's count in the latest weeks against the weeks before: what is growing.</summary>
public sealed record ThemeTrend(string Theme, int Recent, int Before)
{
    public int Change => Recent - Before;
}

public sealed record DashboardData(
    DateTime From, DateTime To, string? Service, IReadOnlyList<string> Services,
    ChartData Sentiment, ChartData Themes, ChartData ResponseTimes, IReadOnlyList<ThemeTrend> Rising, ResponseSummary Summary);

/// <summary>
/// The organisation's dashboard: themes and sentiment by week (for one service or all), how long first responses took,
/// and the themes growing fastest. Emerging topics that the framework misses are not stored yet, so "rising" is by theme.
/// </summary>
public sealed class DashboardService(DrawbridgeDb db, ResponseTimes responseTimes)
{
    public const int MaxWeeks = 52;
    private const int TopThemes = 6;
    public const string Unclassified = "Not classified yet";
    public const string OtherThemes = "Other themes";

    /// <summary>Monday 00:00 UTC of the week holding this instant.</summary>
    public static DateTime WeekStart(DateTime utc) => utc.Date.AddDays(-(((int)utc.DayOfWeek + 6) % 7));

    public async Task<DashboardData> BuildAsync(OrganisationDesk desk, int weeks, string? service, CancellationToken ct)
    {
        weeks = Math.Clamp(weeks, 2, MaxWeeks);
        var clk = await responseTimes.ClockAsync(desk.Organisation.Id, ct);
        var to = clk.Now;
        var from = WeekStart(to).AddDays(-7 * (weeks - 1));
        var facts = await responseTimes.Facts(desk.Organisation.Id, from, to, service).ToListAsync(ct);
        var services = await db.Set<InboxItem>().AsNoTracking().Where(i => i.OrganisationId == desk.Organisation.Id && i.Service != null)
            .Select(i => i.Service!).Distinct().OrderBy(s => s).Take(200).ToListAsync(ct);
        var scope = service is null ? "all services" : service;
        var categories = Enumerable.Range(0, weeks).Select(w => from.AddDays(7 * w).ToString("d MMM", CultureInfo.GetCultureInfo("en-GB"))).ToList();
        int Week(DateTime at) => Math.Clamp((int)((at - from).TotalDays / 7), 0, weeks - 1);

        var sentimentNames = new[] { "positive", "neutral", "negative" };
        var sentiment = sentimentNames.Select(n => new ChartSeries(n, Counts(facts.Where(f => f.Sentiment == n), weeks, Week))).ToList();
        var unknownSentiment = Counts(facts.Where(f => f.Sentiment is null || !sentimentNames.Contains(f.Sentiment)), weeks, Week);
        if (unknownSentiment.Sum() > 0)
        {
            sentiment.Add(new ChartSeries(Unclassified, unknownSentiment));
        }

        var top = facts.Where(f => f.Theme is not null).GroupBy(f => f.Theme!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(TopThemes).Select(g => g.Key).ToList();
        var themes = top.Select(t => new ChartSeries(t, Counts(facts.Where(f => f.Theme == t), weeks, Week))).ToList();
        var other = Counts(facts.Where(f => f.Theme is not null && !top.Contains(f.Theme)), weeks, Week);
        if (other.Sum() > 0)
        {
            themes.Add(new ChartSeries(OtherThemes, other));
        }
        var unthemed = Counts(facts.Where(f => f.Theme is null), weeks, Week);
        if (unthemed.Sum() > 0)
        {
            themes.Add(new ChartSeries(Unclassified, unthemed));
        }

        var summary = ResponseTimes.Summarise(clk, facts, from, to);
        var distribution = new ChartData("How long first responses took",
            $"Items received since {from:d MMMM yyyy} ({scope}) by working time to the first public response.",
            summary.Distribution.Select(b => b.Label).ToList(), [new ChartSeries("Items", summary.Distribution.Select(b => b.Count).ToList())]);

        // Rising: the last four weeks against the four before them.
        var split = to.AddDays(-28);
        var before = to.AddDays(-56);
        var rising = facts.Where(f => f.Theme is not null && f.ReceivedAt >= before).GroupBy(f => f.Theme!)
            .Select(g => new ThemeTrend(g.Key, g.Count(f => f.ReceivedAt >= split), g.Count(f => f.ReceivedAt < split)))
            .Where(t => t.Change > 0).OrderByDescending(t => t.Change).ThenBy(t => t.Theme, StringComparer.Ordinal).Take(5).ToList();

        return new DashboardData(from, to, service, services,
            new ChartData("Sentiment by week", $"Items received each week ({scope}) by sentiment, from the week of {categories[0]}.", categories, sentiment),
            new ChartData("Themes by week", $"Items received each week ({scope}) by theme: the {TopThemes} most frequent themes, then the rest.", categories, themes),
            distribution, rising, summary);
    }

    private static int[] Counts(IEnumerable<ItemFacts> facts, int weeks, Func<DateTime, int> week)
    {
        var counts = new int[weeks];
        foreach (var f in facts)
        {
            counts[week(f.ReceivedAt)]++;
        }
        return counts;
    }
}

/// <summary>
/// Server-rendered SVG bar charts: no script, an accessible name and description (role="img" with title and desc), and
/// a legend in text. The same numbers are in a table beside each chart, which is what assistive technology reads.
/// </summary>
public static class SvgChart
{
    // NHS identity colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by the legend and the table too.
    private static readonly string[] Palette = ["#005eb8", "#007f3b", "#d5281b", "#330072", "#7c2855", "#425563", "#003087", "#768692"];

    private static string Colour(string series, int index) => series switch
    {
        "positive" => "#007f3b",
        "neutral" => "#425563",
        "negative" => "#d5281b",
        DashboardService.Unclassified => "#768692",
        _ => Palette[index % Palette.Length],
    };

    public static string StackedBars(string id, ChartData chart, int width = 640, int height = 260)
    {
        const int left = 44, right = 8, top = 12, bottom = 56;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var n = chart.Categories.Count;
        var totals = Enumerable.Range(0, n).Select(i => chart.Series.Sum(s => s.Values[i])).ToList();
        var max = Math.Max(1, totals.DefaultIfEmpty(0).Max());
        var step = NiceStep(max);
        var axisMax = (int)Math.Ceiling((double)max / step) * step;
        var band = (double)plotW / Math.Max(1, n);
        var barW = Math.Max(2, band * 0.7);
        var sb = new StringBuilder();
        static string e(string s) => WebUtility.HtmlEncode(s) ?? "";
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"db-chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{e(chart.Title)}</title><desc id=\"{id}-desc\">{e(chart.Description)} The table beside the chart gives each number.</desc>");
        for (var v = 0; v <= axisMax; v += step)
        {
            var y = top + plotH - (double)v / axisMax * plotH;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#d8dde0\" stroke-width=\"1\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"12\" fill=\"#212b32\">{v}</text>");
        }
        for (var i = 0; i < n; i++)
        {
            var x = left + band * i + (band - barW) / 2;
            var y = (double)(top + plotH);
            for (var s = 0; s < chart.Series.Count; s++)
            {
                var value = chart.Series[s].Values[i];
                if (value == 0)
                {
                    continue;
                }
                var h = (double)value / axisMax * plotH;
                y -= h;
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barW:0.#}\" height=\"{h:0.#}\" fill=\"{Colour(chart.Series[s].Name, s)}\"><title>{e(chart.Categories[i])}: {e(chart.Series[s].Name)} {value}</title></rect>");
            }
            // Every label when they fit; otherwise every other one.
            if (n <= 14 || i % 2 == 0)
            {
                var lx = left + band * i + band / 2;
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx:0.#}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\" font-size=\"{(n > 8 ? 10 : 12)}\" fill=\"#212b32\">{e(chart.Categories[i])}</text>");
            }
        }
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{top + plotH}\" y2=\"{top + plotH}\" stroke=\"#4c6272\" stroke-width=\"1\"/>");
        // Legend, in text, under the axis.
        var lxPos = (double)left;
        var ly = height - 14;
        for (var s = 0; s < chart.Series.Count && chart.Series.Count > 1; s++)
        {
            var name = chart.Series[s].Name;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lxPos:0.#}\" y=\"{ly - 10}\" width=\"12\" height=\"12\" fill=\"{Colour(name, s)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{lxPos + 16:0.#}\" y=\"{ly}\" font-size=\"12\" fill=\"#212b32\">{e(name)}</text>");
            lxPos += 28 + Math.Min(name.Length, 22) * 6.5;
            if (lxPos > width - 60)
            {
                break;
            }
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static int NiceStep(int max)
    {
        var raw = max / 4.0;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(1, raw))));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        return Math.Max(1, (int)step);
    }
}
