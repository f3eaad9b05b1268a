using System.Globalization;
using System.Net;
using System.Text;
using CsvHelper;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Microsoft.EntityFrameworkCore;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Drawbridge.Listening;

public sealed record CountRow(string Name, int Count);

/// <summary>One organisation's week: what came in, how fast it was answered, what it was about, and what changed.</summary>
public sealed record DigestReport(
    string Organisation, string Handle, DateTime From, DateTime To, int TargetHours,
    ResponseSummary Week, int OpenOverdue, int Critical,
    IReadOnlyList<CountRow> Themes, IReadOnlyList<CountRow> Sentiment, IReadOnlyList<CountRow> Services,
    IReadOnlyList<PublicChange> Changes)
{
    public string Period => $"{From:d MMMM yyyy} to {To.AddDays(-1):d MMMM yyyy}";
}

/// <summary>The weekly digest, and its forms: plain text and HTML (the email), a PDF for a board, CSV for a spreadsheet.</summary>
public sealed class DigestService(DrawbridgeDb db, ResponseTimes responseTimes, ChangeService changes)
{
    /// <summary>The last full week (Monday to Sunday, UTC) before this instant.</summary>
    public static DateTime LastWeekStart(DateTime utc) => DashboardService.WeekStart(utc).AddDays(-7);

    public async Task<DigestReport> BuildAsync(Account organisation, DateTime weekStart, CancellationToken ct)
    {
        var from = weekStart;
        var to = weekStart.AddDays(7);
        var clk = await responseTimes.ClockAsync(organisation.Id, ct);
        var facts = await responseTimes.Facts(organisation.Id, from, to).ToListAsync(ct);
        var summary = ResponseTimes.Summarise(clk, facts, from, to);
        var overdueBefore = clk.OverdueBefore;
        var openOverdue = await db.Set<InboxItem>().AsNoTracking()
            .CountAsync(i => i.OrganisationId == organisation.Id && i.RespondedAt == null && i.State != InboxState.Closed && i.ReceivedAt < overdueBefore, ct);
        static List<CountRow> Rows(IEnumerable<string?> keys, string missing) => keys.GroupBy(k => k ?? missing)
            .Select(g => new CountRow(g.Key, g.Count())).OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var published = (await changes.PublishedAsync(organisation.Id, 200, ct))
            .Where(c => (c.PublishedAt >= from && c.PublishedAt < to) || (c.MadeAt >= from && c.MadeAt < to)).ToList();
        return new DigestReport(organisation.DisplayName, organisation.Handle, from, to, clk.Settings.ResponseTargetHours, summary, openOverdue,
            facts.Count(f => f.Critical), Rows(facts.Select(f => f.Theme), DashboardService.Unclassified).Take(10).ToList(),
            Rows(facts.Select(f => f.Sentiment), DashboardService.Unclassified), Rows(facts.Select(f => f.Service), "No service named").Take(10).ToList(), published);
    }

    private static IEnumerable<(string Label, string Value)> Figures(DigestReport r) =>
    [
        ("Received", r.Week.Received.ToString("N0", CultureInfo.InvariantCulture)),
        ("Critical", r.Critical.ToString("N0", CultureInfo.InvariantCulture)),
        ("Responded", r.Week.Responded.ToString("N0", CultureInfo.InvariantCulture)),
        ("Closed", r.Week.Closed.ToString("N0", CultureInfo.InvariantCulture)),
        ("Median time to first response", ResponseTimes.DescribeHours(r.Week.MedianFirstResponseHours)),
        ("Median time to close", ResponseTimes.DescribeHours(r.Week.MedianToCloseHours)),
        ($"Answered within the target ({r.TargetHours} working hours)", TwoWayScores.Percent(r.Week.WithinTargetShare)),
        ("Overdue now, all weeks", r.OpenOverdue.ToString("N0", CultureInfo.InvariantCulture)),
    ];

    public static string Subject(DigestReport r) => $"{r.Organisation}: your week of feedback, {r.Period}";

    public static string Text(DigestReport r, string baseUrl)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Organisation}: weekly digest, {r.Period}").AppendLine();
        foreach (var (label, value) in Figures(r))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{label}: {value}");
        }
        void Section(string title, IEnumerable<CountRow> rows)
        {
            sb.AppendLine().AppendLine(title);
            var any = false;
            foreach (var row in rows)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {row.Name}: {row.Count}");
                any = true;
            }
            if (!any)
            {
                sb.AppendLine("- none");
            }
        }
        Section("Themes", r.Themes);
        Section("Sentiment", r.Sentiment);
        Section("Services", r.Services);
        sb.AppendLine().AppendLine("You said, we did");
        foreach (var c in r.Changes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {c.Title} ({ChangeService.StatusName(c.Status).ToLowerInvariant()})");
        }
        if (r.Changes.Count == 0)
        {
            sb.AppendLine("- nothing published this week");
        }
        sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"The inbox: {baseUrl}/organisations/{r.Handle}/inbox");
        sb.AppendLine(CultureInfo.InvariantCulture, $"The dashboard: {baseUrl}/organisations/{r.Handle}/dashboard");
        return sb.ToString();
    }

    public static string Html(DigestReport r, string baseUrl)
    {
        static string E(string s) => WebUtility.HtmlEncode(s) ?? "";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>").Append(E(Subject(r))).Append("</title></head>");
        sb.Append("<body style=\"font-family:Arial,sans-serif;color:#212b32;max-width:640px\">");
        sb.Append("<h1 style=\"font-size:24px\">").Append(E(r.Organisation)).Append("</h1><p>Weekly digest, ").Append(E(r.Period)).Append("</p>");
        sb.Append("<table style=\"border-collapse:collapse\"><caption style=\"text-align:left;font-weight:bold\">The week in figures</caption><tbody>");
        foreach (var (label, value) in Figures(r))
        {
            sb.Append("<tr><th scope=\"row\" style=\"text-align:left;padding:4px 12px 4px 0\">").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
        }
        sb.Append("</tbody></table>");
        void Section(string title, IEnumerable<CountRow> rows)
        {
            sb.Append("<h2 style=\"font-size:19px\">").Append(E(title)).Append("</h2><ul>");
            var any = false;
            foreach (var row in rows)
            {
                sb.Append("<li>").Append(E(row.Name)).Append(": ").Append(row.Count.ToString(CultureInfo.InvariantCulture)).Append("</li>");
                any = true;
            }
            sb.Append(any ? "" : "<li>none</li>").Append("</ul>");
        }
        Section("Themes", r.Themes);
        Section("Sentiment", r.Sentiment);
        Section("Services", r.Services);
        sb.Append("<h2 style=\"font-size:19px\">You said, we did</h2><ul>");
        foreach (var c in r.Changes)
        {
            sb.Append("<li>").Append(E(c.Title)).Append(" (").Append(E(ChangeService.StatusName(c.Status).ToLowerInvariant())).Append(")</li>");
        }
        sb.Append(r.Changes.Count == 0 ? "<li>nothing published this week</li>" : "").Append("</ul>");
        sb.Append("<p><a href=\"").Append(E($"{baseUrl}/organisations/{r.Handle}/inbox")).Append("\">Open the inbox</a> · <a href=\"")
            .Append(E($"{baseUrl}/organisations/{r.Handle}/dashboard")).Append("\">Open the dashboard</a></p></body></html>");
        return sb.ToString();
    }

    public static async Task WriteCsvAsync(Stream output, DigestReport r, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);
        await using (var csv = CsvWriter.Create(writer, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteHeader(["section", "name", "value"]);
            await csv.WriteRecordAsync(["period", "from", r.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], ct);
            await csv.WriteRecordAsync(["period", "to", r.To.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], ct);
            foreach (var (label, value) in Figures(r))
            {
                await csv.WriteRecordAsync(["figures", label, value], ct);
            }
            foreach (var b in r.Week.Distribution)
            {
                await csv.WriteRecordAsync(["first response", b.Label, b.Count.ToString(CultureInfo.InvariantCulture)], ct);
            }
            foreach (var (section, rows) in new[] { ("theme", r.Themes), ("sentiment", r.Sentiment), ("service", r.Services) })
            {
                foreach (var row in rows)
                {
                    await csv.WriteRecordAsync([section, row.Name, row.Count.ToString(CultureInfo.InvariantCulture)], ct);
                }
            }
            foreach (var c in r.Changes)
            {
                await csv.WriteRecordAsync(["you said, we did", c.Title, ChangeService.StatusKey(c.Status)], ct);
            }
        }
        await writer.FlushAsync(ct);
    }

    /// <summary>An A4 PDF a board meeting can take: the figures, the themes as bars, sentiment and the changes.</summary>
    public static byte[] Pdf(DigestReport r)
    {
        DigestFonts.EnsureRegistered();
        using var document = new PdfDocument();
        document.Info.Title = Subject(r);
        document.Info.Author = r.Organisation;
        var page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        var gfx = XGraphics.FromPdfPage(page);
        var title = new XFont(DigestFonts.Family, 18, XFontStyleEx.Bold);
        var heading = new XFont(DigestFonts.Family, 13, XFontStyleEx.Bold);
        var body = new XFont(DigestFonts.Family, 10, XFontStyleEx.Regular);
        const double left = 50;
        var width = page.Width.Point - 2 * left;
        var y = 60.0;
        void NewPageIfNeeded(double needed)
        {
            if (y + needed > page.Height.Point - 50)
            {
                gfx.Dispose();
                page = document.AddPage();
                page.Size = PdfSharp.PageSize.A4;
                gfx = XGraphics.FromPdfPage(page);
                y = 60;
            }
        }
        void Line(string text, XFont font, double gap = 16)
        {
            NewPageIfNeeded(gap);
            gfx.DrawString(Printable(text, 110), font, XBrushes.Black, new XPoint(left, y));
            y += gap;
        }
        Line(r.Organisation, title, 24);
        Line($"Weekly digest, {r.Period}", body, 24);
        Line("The week in figures", heading, 18);
        foreach (var (label, value) in Figures(r))
        {
            NewPageIfNeeded(15);
            gfx.DrawString(label, body, XBrushes.Black, new XPoint(left, y));
            gfx.DrawString(value, body, XBrushes.Black, new XPoint(left + width * 0.65, y));
            y += 15;
        }
        y += 10;
        void Bars(string name, IReadOnlyList<CountRow> rows, XColor colour)
        {
            Line(name, heading, 18);
            var max = Math.Max(1, rows.Select(x => x.Count).DefaultIfEmpty(0).Max());
            var brush = new XSolidBrush(colour);
            foreach (var row in rows)
            {
                NewPageIfNeeded(16);
                gfx.DrawString(Printable(row.Name, 40), body, XBrushes.Black, new XPoint(left, y));
                var barWidth = width * 0.4 * row.Count / max;
                gfx.DrawRectangle(brush, left + width * 0.45, y - 9, Math.Max(1, barWidth), 10);
                gfx.DrawString(row.Count.ToString(CultureInfo.InvariantCulture), body, XBrushes.Black, new XPoint(left + width * 0.45 + barWidth + 6, y));
                y += 16;
            }
            if (rows.Count == 0)
            {
                Line("None this week.", body);
            }
            y += 8;
        }
        Bars("Themes", r.Themes, XColor.FromArgb(0x00, 0x5e, 0xb8));
        Bars("Sentiment", r.Sentiment, XColor.FromArgb(0x42, 0x55, 0x63));
        Bars("How long first responses took", r.Week.Distribution.Select(b => new CountRow(b.Label, b.Count)).ToList(), XColor.FromArgb(0x00, 0x7f, 0x3b));
        Line("You said, we did", heading, 18);
        foreach (var c in r.Changes)
        {
            Line($"• {c.Title} ({ChangeService.StatusName(c.Status).ToLowerInvariant()})", body);
        }
        if (r.Changes.Count == 0)
        {
            Line("Nothing published this week.", body);
        }
        gfx.Dispose();
        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    /// <summary>
    /// Text as the PDF can draw it: service names come from the public's feedback form, so control characters and lone
    /// surrogates go, and long names are cut without splitting a surrogate pair.
    /// </summary>
    internal static string Printable(string text, int max)
    {
        var kept = new StringBuilder(Math.Min(text.Length, max + 1));
        var i = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (kept.Length + (pair ? 2 : 1) > max)
            {
                break;
            }
            if (pair)
            {
                kept.Append(c).Append(text[++i]);
            }
            else if (!char.IsControl(c) && !char.IsSurrogate(c))
            {
                kept.Append(c);
            }
        }
        return i < text.Length ? kept + "…" : kept.ToString();
    }

    /// <summary>Mails last week's digest (HTML and plain text) to the admins of every organisation that wants one and hasn't had it.</summary>
    public async Task<int> SendDueAsync(Mailer mailer, DateTime asOf, string baseUrl, CancellationToken ct)
    {
        var week = LastWeekStart(asOf);
        var organisations = await db.Accounts.AsNoTracking().Where(a => a.Kind == AccountKind.Organisation && a.Domain == null && a.DeletionRequestedAt == null)
            .OrderBy(a => a.Id).ToListAsync(ct);
        var sent = 0;
        foreach (var org in organisations)
        {
            var settings = await db.Set<OrganisationListeningSettings>().FirstOrDefaultAsync(s => s.OrganisationId == org.Id, ct);
            if (settings is { WeeklyDigest: false } || settings?.LastDigestWeek >= week)
            {
                continue;
            }
            var admins = await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == org.Id && m.Role == OrganisationRole.Admin)
                .Join(db.Users, m => m.AccountId, u => u.AccountId, (m, u) => u.Email).Where(e => e != null).ToListAsync(ct);
            if (settings is null)
            {
                settings = new OrganisationListeningSettings { OrganisationId = org.Id, UpdatedAt = asOf };
                db.Add(settings);
            }
            // Marked before sending: a failure part-way never mails an admin twice; the week's digest stays on the page.
            settings.LastDigestWeek = week;
            await db.SaveChangesAsync(ct);
            if (admins.Count == 0)
            {
                continue;
            }
            var report = await BuildAsync(org, week, ct);
            foreach (var email in admins)
            {
                await mailer.SendAsync(email!, Subject(report), Text(report, baseUrl), ct, Html(report, baseUrl));
            }
            sent++;
        }
        return sent;
    }
}

/// <summary>The weekly digests' run, on the mail queue: a slow mail server holds up only mail.</summary>
public sealed record SendWeeklyDigests : IJobPayload<SendWeeklyDigests>
{
    public static string Kind => "listening-weekly-digests";
    public static string Queue => JobQueues.Mail;
}

/// <summary>The weekly digests, queued hourly by the maintenance scheduler; each organisation gets one a week.</summary>
public sealed class WeeklyDigestJob(DigestService digests, Mailer mailer, TimeProvider clock, Microsoft.Extensions.Options.IOptions<DrawbridgeOptions> options) : JobHandler<SendWeeklyDigests>
{
    /// <summary>Jobs stored before the payload was a record carry nothing.</summary>
    protected override SendWeeklyDigests FromUntyped(string payload) => new();

    protected override Task HandleAsync(DrawbridgeDb db, SendWeeklyDigests job, CancellationToken ct) =>
        digests.SendDueAsync(mailer, clock.GetUtcNow().UtcDateTime, (options.Value.PublicUrl ?? "http://localhost:5080").TrimEnd('/'), ct);
}

/// <summary>
/// PDFsharp's Core build reads no system fonts by itself: this hands it Liberation Sans (metric-compatible with Arial),
/// or DejaVu Sans, from the system's font folders.
/// </summary>
public sealed class DigestFonts : IFontResolver
{
    public const string Family = "Digest Sans";
    private static readonly Lock Gate = new();
    private static bool _registered;

    private static readonly string[] Folders = ["/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/liberation-sans", "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "C:\\Windows\\Fonts"];
    private static readonly (string Regular, string Bold)[] Faces = [("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"), ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("arial.ttf", "arialbd.ttf")];

    private readonly string _regular;
    private readonly string _bold;

    private DigestFonts(string regular, string bold)
    {
        _regular = regular;
        _bold = bold;
    }

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }
            foreach (var folder in Folders)
            {
                foreach (var (regular, bold) in Faces)
                {
                    var r = Path.Combine(folder, regular);
                    var b = Path.Combine(folder, bold);
                    if (File.Exists(r) && File.Exists(b))
                    {
                        GlobalFontSettings.FontResolver = new DigestFonts(r, b);
                        _registered = true;
                        return;
                    }
                }
            }
            throw new DigestFontMissingException();
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(bold ? "bold" : "regular");

    public byte[]? GetFont(string faceName) => File.ReadAllBytes(faceName == "bold" ? _bold : _regular);
}

public sealed class DigestFontMissingException() : Exception("No font for the PDF digest: install Liberation Sans or DejaVu Sans (Debian: fonts-liberation)");
