using System.Text;
using System.Text.Encodings.Web;
using Drawbridge.Posts;
using Microsoft.AspNetCore.Html;

namespace Drawbridge.Web;

/// <summary>Shows the safety check's findings without JavaScript: a list with messages and suggestions, and the text with the spans marked.</summary>
public static class FindingsView
{
    public static IHtmlContent Highlight(string text, IReadOnlyList<ScreenFinding> findings)
    {
        var e = HtmlEncoder.Default;
        var spans = findings.Where(f => f.Start >= 0 && f.End <= text.Length && f.End > f.Start).OrderBy(f => f.Start).ToList();
        var b = new StringBuilder();
        var at = 0;
        foreach (var f in spans)
        {
            if (f.Start < at)
            {
                continue; // overlapping spans: the first one wins
            }
            b.Append(e.Encode(text[at..f.Start]));
            b.Append($"<mark class=\"db-finding db-finding--{f.Severity.ToString().ToLowerInvariant()}\">").Append(e.Encode(text[f.Start..f.End])).Append("</mark>");
            at = f.End;
        }
        b.Append(e.Encode(text[at..]));
        return new HtmlString(b.ToString().Replace("\n", "<br>", StringComparison.Ordinal));
    }

    public static string Label(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Block => "Must change",
        FindingSeverity.Warn => "Check this",
        _ => "Suggestion",
    };
}
