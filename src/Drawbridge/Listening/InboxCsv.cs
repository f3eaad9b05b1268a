using System.Globalization;
using CsvHelper;

namespace Drawbridge.Listening;

/// <summary>The inbox as a spreadsheet: the filtered items, one row each, streamed as they are read (UTF-8 with a byte order mark, as Excel expects).</summary>
public static class InboxCsv
{
    public static readonly string[] Header =
        ["id", "received_at", "source", "state", "critical", "theme", "sentiment", "service", "from", "addressed_to", "assignee", "text", "response", "responded_at", "closed_at"];

    public static async Task WriteAsync(HttpResponse response, OrganisationDesk desk, IAsyncEnumerable<InboxItemView> items, CancellationToken ct)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{desk.Organisation.Handle}-inbox.csv\"";
        await using var writer = new StreamWriter(response.Body, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        // A cell that starts like a formula (=, +, -, @) is written so a spreadsheet shows it as text and never runs it.
        await using (var csv = CsvWriter.Create(writer, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            await foreach (var v in items.WithCancellation(ct))
            {
                var i = v.Item;
                await csv.WriteRecordAsync(
                [
                    i.Id.ToString(CultureInfo.InvariantCulture),
                    Time(i.ReceivedAt),
                    InboxService.SourceKey(i.Source),
                    InboxService.StateKey(i.State),
                    i.Critical ? "yes" : "no",
                    i.Theme ?? "",
                    i.Sentiment ?? "",
                    i.Service ?? "",
                    v.Author?.Handle ?? i.AuthorName ?? "",
                    v.AddressedTo?.Handle ?? "",
                    v.Assignee?.Handle ?? "",
                    i.Text,
                    i.ResponseText ?? "",
                    i.RespondedAt is { } r ? Time(r) : "",
                    i.ClosedAt is { } c ? Time(c) : "",
                ], ct);
            }
        }
        await writer.FlushAsync(ct);
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
