using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ganss.Xss;
using Markdig;

namespace Drawbridge.Posts;

/// <summary>
/// Turns what authors write into safe HTML. Notes are plain text with links, #hashtags and @mentions; articles are
/// Markdown (raw HTML disabled).
/// <para>
/// A note's HTML is built here from a few fixed tags, and every piece of the author's text is escaped as it is written
/// (<see cref="AppendText"/>, <see cref="AppendAttribute"/>), so it is safe by construction and already in the form the
/// sanitiser would give it (a test holds each known XSS vector to that). Links get the same <c>rel</c> the sanitiser
/// puts on every link. Parsing a note back into a DOM only to serialise it again cost more than the rest of posting
/// together and kept AngleSharp's CSS tables in memory on servers that see only notes.
/// Markdown can produce any structure, so an article's HTML always goes through the sanitiser.
/// </para>
/// </summary>
public sealed partial class ContentRenderer
{
    // Built on first use: the sanitiser sets up AngleSharp's HTML and CSS parsers (about 2,000 methods to compile and
    // their tables in memory), which a server that only ever sees notes never needs.
    private readonly Lazy<HtmlSanitizer> _sanitizer = new(CreateSanitizer);
    private readonly MarkdownPipeline _markdown = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UsePipeTables()
        .UseListExtras()
        .Build();

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.UnionWith(["https", "http", "mailto"]);
        sanitizer.AllowedAttributes.Add("rel");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedTags.ExceptWith(["form", "input", "button", "textarea", "select"]);
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Html.Dom.IHtmlAnchorElement a)
            {
                a.SetAttribute("rel", LinkRel);
            }
        };
        return sanitizer;
    }

    /// <summary>What every link in posts carries: no ranking credit, no window.opener, and marked as user content.</summary>
    public const string LinkRel = "nofollow noopener ugc";

    public string RenderNote(string text, Func<string, string?> mentionHref)
    {
        var html = new StringBuilder(text.Length + 64);
        var paragraphs = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        foreach (var paragraph in paragraphs)
        {
            html.Append("<p>");
            var lines = paragraph.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (i > 0)
                {
                    html.Append("<br>");
                }
                AppendLinked(html, lines[i], mentionHref);
            }
            html.Append("</p>");
        }
        return html.ToString();
    }

    public string RenderMarkdown(string markdown) => Sanitize(Markdown.ToHtml(markdown, _markdown));

    public const string TooDeeplyNested = "The article nests quotes, lists or emphasis too deeply to show. Use fewer levels";

    /// <summary>
    /// The most table borders (<c>|</c>) one block of an article may have. Markdig's pipe tables take time that grows
    /// with the square of the borders in a block: a 100,000-character block of them took over a minute, while a real
    /// table (10 columns, 50 rows: 550 borders) takes milliseconds.
    /// </summary>
    public const int MaxTableBordersPerBlock = 2_000;

    /// <summary>The borders of the block with the most of them, when that is over <see cref="MaxTableBordersPerBlock"/>.</summary>
    public static int? TooManyTableBorders(string markdown)
    {
        var most = 0;
        var inBlock = 0;
        var lineHasText = false;
        foreach (var c in markdown)
        {
            if (c == '\n')
            {
                if (!lineHasText)
                {
                    inBlock = 0; // a blank line ends the block
                }
                lineHasText = false;
                continue;
            }
            if (!char.IsWhiteSpace(c))
            {
                lineHasText = true;
            }
            if (c == '|' && ++inBlock > most)
            {
                most = inBlock;
            }
        }
        return most > MaxTableBordersPerBlock ? most : null;
    }

    /// <summary>
    /// Whether the Markdown can be shown: Markdig refuses input nested beyond its depth limit (an ArgumentException,
    /// from parsing or from writing the HTML), which no real article reaches, so such input is refused with
    /// <see cref="TooDeeplyNested"/> before anything is stored.
    /// </summary>
    public bool CanRenderMarkdown(string markdown)
    {
        try
        {
            Markdown.ToHtml(markdown, _markdown);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public string Sanitize(string html) => _sanitizer.Value.Sanitize(html);

    /// <summary>Plain text of a rendered post, for feeds' summaries and page titles.</summary>
    public static string PlainText(string html) =>
        WebUtility.HtmlDecode(TagPattern().Replace(html.Replace("<br>", "\n", StringComparison.Ordinal).Replace("</p>", "\n", StringComparison.Ordinal), "")).Trim();

    public static IReadOnlyList<string> Hashtags(string text) =>
        HashtagPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(30).ToList();

    /// <summary>The handles of this server's accounts written as <c>@handle</c>, in lower case.</summary>
    public static IReadOnlyList<string> Mentions(string text) =>
        MentionPattern().Matches(text).Where(m => !m.Groups[2].Success).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(30).ToList();

    /// <summary>
    /// Accounts written as <c>@user@domain</c>, as <c>user@domain</c> in lower case (the domain may be this server's own:
    /// callers tell them apart).
    /// </summary>
    public static IReadOnlyList<string> RemoteMentions(string text) =>
        MentionPattern().Matches(text).Where(m => m.Groups[2].Success).Select(m => $"{m.Groups[1].Value}@{m.Groups[2].Value}".ToLowerInvariant()).Distinct().Take(30).ToList();

    private static void AppendLinked(StringBuilder html, string line, Func<string, string?> mentionHref)
    {
        var position = 0;
        foreach (Match m in TokenPattern().Matches(line))
        {
            AppendText(html, line.AsSpan(position, m.Index - position));
            var token = m.Value;
            if (m.Groups["url"].Success)
            {
                // Trailing punctuation usually ends the sentence, not the address.
                var url = token.TrimEnd('.', ',', ')', '!', '?', ';', ':', '\'', '"');
                if (Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
                {
                    AppendLink(html, url, "", url);
                    AppendText(html, token.AsSpan(url.Length));
                }
                else
                {
                    AppendText(html, token);
                }
            }
            else if (m.Groups["tag"].Success)
            {
                var tag = m.Groups["tag"].Value;
                AppendText(html, line.AsSpan(m.Index, m.Groups["tag"].Index - 1 - m.Index));
                AppendLink(html, "/tags/" + Uri.EscapeDataString(tag.ToLowerInvariant()), "#", tag);
            }
            else
            {
                var handle = m.Groups["mention"].Value;
                AppendText(html, line.AsSpan(m.Index, m.Groups["mention"].Index - 1 - m.Index));
                var href = mentionHref(handle);
                if (href is null)
                {
                    html.Append('@');
                    AppendText(html, handle);
                }
                else
                {
                    AppendLink(html, href, "@", handle);
                }
            }
            position = m.Index + m.Length;
        }
        AppendText(html, line.AsSpan(position));
    }

    /// <summary>A link carrying <see cref="LinkRel"/>; its text is <paramref name="sigil"/> (ours) then <paramref name="text"/> (escaped).</summary>
    private static void AppendLink(StringBuilder html, string href, string sigil, string text)
    {
        html.Append("<a href=\"");
        AppendAttribute(html, href);
        html.Append("\" rel=\"").Append(LinkRel).Append("\">").Append(sigil);
        AppendText(html, text);
        html.Append("</a>");
    }

    /// <summary>Text between tags, escaped as the HTML serialisation algorithm does: &amp;, &lt;, &gt; and no-break spaces.</summary>
    private static void AppendText(StringBuilder html, ReadOnlySpan<char> text) => AppendEscaped(html, text, attribute: false);

    /// <summary>A double-quoted attribute value, escaped as the HTML serialisation algorithm does: &amp;, &quot; and no-break spaces.</summary>
    private static void AppendAttribute(StringBuilder html, ReadOnlySpan<char> value) => AppendEscaped(html, value, attribute: true);

    private static void AppendEscaped(StringBuilder html, ReadOnlySpan<char> text, bool attribute)
    {
        var special = attribute ? AttributeSpecials : TextSpecials;
        while (!text.IsEmpty)
        {
            var i = text.IndexOfAny(special);
            if (i < 0)
            {
                html.Append(text);
                return;
            }
            html.Append(text[..i]);
            html.Append(text[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                _ => "&nbsp;",
            });
            text = text[(i + 1)..];
        }
    }

    private static readonly System.Buffers.SearchValues<char> TextSpecials = System.Buffers.SearchValues.Create("&<>\u00A0");
    private static readonly System.Buffers.SearchValues<char> AttributeSpecials = System.Buffers.SearchValues.Create("&\"\u00A0");

    [GeneratedRegex(@"(?<url>https?://[^\s<>""]+)|(?:^|(?<=[^\w&/]))#(?<tag>\w{1,100})|(?:^|(?<=[^\w@/.]))@(?<mention>(?>[A-Za-z0-9_]{1,30})(?:@" + MentionDomain + @"|(?!@)))", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"(?:^|(?<=[^\w&/]))#(\w{1,100})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HashtagPattern();

    [GeneratedRegex(@"(?:^|(?<=[^\w@/.]))@((?>[A-Za-z0-9_]{1,30}))(?:@(" + MentionDomain + @")|(?!@))", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MentionPattern();

    /// <summary>The server part of <c>@user@domain</c>: a host name with at least one dot (or an IPv4 address), and a port.</summary>
    private const string MentionDomain = @"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+(?::[0-9]{1,5})?";

    [GeneratedRegex("<[^>]*>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TagPattern();
}
