using AngleSharp.Html.Parser;

namespace Drawbridge.Tests.Infrastructure;

/// <summary>Checks on HTML as a browser would parse it.</summary>
public static class Html
{
    private static readonly HtmlParser Parser = new();

    /// <summary>Nothing in the markup can run script, load a frame, submit a form or restyle the page.</summary>
    public static void AssertInert(string html)
    {
        var doc = Parser.ParseDocument($"<body>{html}</body>");
        foreach (var element in doc.Body!.QuerySelectorAll("*"))
        {
            Assert.DoesNotContain(element.LocalName, new[] { "script", "iframe", "object", "embed", "form", "input", "style", "svg", "math", "base", "meta", "link" });
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler attribute {attribute.Name} survived in {html}");
                Assert.NotEqual("style", attribute.Name);
                if (attribute.Name is "href" or "src" or "action" or "formaction" or "xlink:href")
                {
                    // Relative addresses are harmless; an address with a scheme must be a web or mail one.
                    var value = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray());
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    var slash = value.IndexOfAny(['/', '?', '#']);
                    if (colon >= 0 && (slash < 0 || colon < slash))
                    {
                        var scheme = value[..colon].ToLowerInvariant();
                        Assert.True(scheme is "https" or "http" or "mailto", $"unsafe {attribute.Name}=\"{attribute.Value}\" survived");
                    }
                }
            }
        }
    }

    public static string Text(string html) => Parser.ParseDocument($"<body>{html}</body>").Body!.TextContent;
}
