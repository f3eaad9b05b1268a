using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ganss.Xss;
using Markdig;

namespace Drawbridge.Posts;

/// <summary>
/// Turns what authors write into safe HTML. Notes are plain text with links, #hashtags and @mentions;
/// articles are Markdown (raw HTML disabled). Every result passes through an HTML sanitiser as well.
/// </summary>
public sealed partial class ContentRenderer
{
    private readonly HtmlSanitizer _sanitizer;
    private readonly MarkdownPipeline _markdown;

    public ContentRenderer()
    {
        _sanitizer = new HtmlSanitizer();
        _sanitizer.AllowedSchemes.Clear();
        _sanitizer.AllowedSchemes.Add("https");
        _sanitizer.AllowedSchemes.Add("http");
        _sanitizer.AllowedSchemes.Add("mailto");
        _sanitizer.AllowedAttributes.Add("rel");
        _sanitizer.AllowedAttributes.Remove("style");
        _sanitizer.AllowedTags.Remove("form");
        _sanitizer.AllowedTags.Remove("input");
        _sanitizer.AllowedTags.Remove("button");
        _sanitizer.AllowedTags.Remove("textarea");
        _sanitizer.AllowedTags.Remove("select");
        _sanitizer.AllowedCssProperties.Clear();
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Html.Dom.IHtmlAnchorElement a)
            {
                a.SetAttribute("rel", "nofollow noopener ugc");
            }
        };
        _markdown = new MarkdownPipelineBuilder()
            .DisableHtml()
            .UseEmphasisExtras()
            .UseAutoLinks()
            .UsePipeTables()
            .UseListExtras()
            .Build();
    }

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
        return Sanitize(html.ToString());
    }

    public string RenderMarkdown(string markdown) => Sanitize(Markdown.ToHtml(markdown, _markdown));

    public string Sanitize(string html) => _sanitizer.Sanitize(html);

    /// <summary>Plain text of a rendered post, for feeds' summaries and page titles.</summary>
    public static string PlainText(string html) =>
        WebUtility.HtmlDecode(TagPattern().Replace(html.Replace("<br>", "\n", StringComparison.Ordinal).Replace("</p>", "\n", StringComparison.Ordinal), "")).Trim();

    public static IReadOnlyList<string> Hashtags(string text) =>
        HashtagPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(30).ToList();

    public static IReadOnlyList<string> Mentions(string text) =>
        MentionPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(30).ToList();

    private static void AppendLinked(StringBuilder html, string line, Func<string, string?> mentionHref)
    {
        var position = 0;
        foreach (Match m in TokenPattern().Matches(line))
        {
            html.Append(WebUtility.HtmlEncode(line[position..m.Index]));
            var token = m.Value;
            if (m.Groups["url"].Success)
            {
                // Trailing punctuation usually ends the sentence, not the address.
                var url = token.TrimEnd('.', ',', ')', '!', '?', ';', ':', '\'', '"');
                html.Append("<a href=\"").Append(WebUtility.HtmlEncode(url)).Append("\">").Append(WebUtility.HtmlEncode(url)).Append("</a>");
                html.Append(WebUtility.HtmlEncode(token[url.Length..]));
            }
            else if (m.Groups["tag"].Success)
            {
                var tag = m.Groups["tag"].Value;
                html.Append(WebUtility.HtmlEncode(line[m.Index..m.Groups["tag"].Index][..^1]));
                html.Append("<a class=\"hashtag\" href=\"/tags/").Append(Uri.EscapeDataString(tag.ToLowerInvariant())).Append("\">#")
                    .Append(WebUtility.HtmlEncode(tag)).Append("</a>");
            }
            else
            {
                var handle = m.Groups["mention"].Value;
                var prefix = line[m.Index..m.Groups["mention"].Index][..^1];
                html.Append(WebUtility.HtmlEncode(prefix));
                var href = mentionHref(handle);
                if (href is null)
                {
                    html.Append('@').Append(WebUtility.HtmlEncode(handle));
                }
                else
                {
                    html.Append("<a class=\"mention\" href=\"").Append(WebUtility.HtmlEncode(href)).Append("\">@").Append(WebUtility.HtmlEncode(handle)).Append("</a>");
                }
            }
            position = m.Index + m.Length;
        }
        html.Append(WebUtility.HtmlEncode(line[position..]));
    }

    [GeneratedRegex(@"(?<url>https?://[^\s<>""]+)|(?:^|(?<=[^\w&/]))#(?<tag>\w{1,100})|(?:^|(?<=[^\w@/.]))@(?<mention>[A-Za-z0-9_]{1,30})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"(?:^|(?<=[^\w&/]))#(\w{1,100})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HashtagPattern();

    [GeneratedRegex(@"(?:^|(?<=[^\w@/.]))@([A-Za-z0-9_]{1,30})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MentionPattern();

    [GeneratedRegex("<[^>]*>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TagPattern();
}
