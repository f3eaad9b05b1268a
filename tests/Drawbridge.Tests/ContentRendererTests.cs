using Drawbridge.Posts;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests;

/// <summary>
/// A note's HTML is built and escaped by the renderer itself, not parsed and re-serialised by the sanitiser. These
/// hold it to what the sanitiser would have made of it: for every known XSS vector and awkward character the note's
/// HTML is inert, reads back as exactly what the author typed, and is a fixed point of the sanitiser (it would change
/// nothing).
/// </summary>
public sealed class ContentRendererTests
{
    private static readonly ContentRenderer Renderer = new();

    public static TheoryData<string> Notes => new()
    {
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "\"><script>alert(document.cookie)</script>",
        "javascript:alert(1)",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<style>body{display:none}</style>",
        "<!-- comment --> & &amp; &lt; &#60; &nbsp; \u00A0 < > \" '",
        "https://example.org/a?b=1&c=\"2\"<x>",
        "https://example.org/path).",
        "see https://example.org/x?q=<script>alert(1)</script> now",
        "http://[::1",
        "https://exa\u00A0mple.org",
        "#tag<script> and @someone\"><b>x</b>",
        "#ÜberCare café naïve — “quotes” ‘single’ 😀 \u200B zero-width",
        "line one\nline two\n\nnew paragraph\r\n\r\nwindows paragraph",
        "@known and @unknown and email@example.org and a/#notatag &#tag",
        "'; DROP TABLE posts; --",
        "\u202Eright-to-left override",
    };

    [Theory]
    [MemberData(nameof(Notes))]
    public void A_note_is_inert_reads_as_typed_and_is_what_the_sanitiser_would_give(string text)
    {
        var html = Renderer.RenderNote(text, h => h == "known" ? "/@known" : null);

        Html.AssertInert(html);
        Assert.Equal(Renderer.Sanitize(html), html);
        // The text a reader sees is the author's, line breaks aside.
        Assert.Equal(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal),
            Html.Text(html.Replace("<br>", "", StringComparison.Ordinal)));
    }

    [Fact]
    public void Links_hashtags_and_known_mentions_become_links_that_carry_the_user_content_rel()
    {
        var html = Renderer.RenderNote("Read https://example.org/a?b=1&c=2. #WeNurses @known @stranger", h => h == "known" ? "/@known" : null);

        Assert.Equal(
            "<p>Read <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener ugc\">https://example.org/a?b=1&amp;c=2</a>. " +
            "<a href=\"/tags/wenurses\" rel=\"nofollow noopener ugc\">#WeNurses</a> " +
            "<a href=\"/@known\" rel=\"nofollow noopener ugc\">@known</a> @stranger</p>",
            html);
    }

    [Fact]
    public void A_mention_of_someone_on_another_server_is_one_mention_linked_whole_and_never_a_local_handle()
    {
        var text = "Ask @rosa@social.example.org, or @known@localhost, or @known. (cc @bea@care.example:8443.)";

        Assert.Equal(["rosa@social.example.org", "bea@care.example:8443"], ContentRenderer.RemoteMentions(text));
        Assert.Equal(["known"], ContentRenderer.Mentions(text));
        var html = Renderer.RenderNote(text, h => h switch
        {
            "known" => "/@known",
            "rosa@social.example.org" => "/@rosa@social.example.org",
            _ => null,
        });
        Assert.Equal(
            "<p>Ask <a href=\"/@rosa@social.example.org\" rel=\"nofollow noopener ugc\">@rosa@social.example.org</a>, " +
            "or @known@localhost, or <a href=\"/@known\" rel=\"nofollow noopener ugc\">@known</a>. (cc @bea@care.example:8443.)</p>",
            html);
    }

    [Fact]
    public void Article_markdown_still_goes_through_the_sanitiser()
    {
        var html = Renderer.RenderMarkdown("**bold** [x](javascript:alert(1)) [ok](https://example.org)");

        Html.AssertInert(html);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("rel=\"nofollow noopener ugc\"", html, StringComparison.Ordinal);
    }
}
