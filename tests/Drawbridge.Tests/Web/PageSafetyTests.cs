using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Web;

/// <summary>What people write is shown as text or safe HTML: no script, event handler or dangerous address survives into a page.</summary>
public sealed class PageSafetyTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    /// <summary>Known cross-site scripting vectors (plain HTML, attribute breakouts, URL schemes, parser confusion, Markdown links).</summary>
    public static readonly string[] Vectors =
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
        "<a href=\"&#106;avascript:alert(1)\">click</a>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<body onload=alert(1)>",
        "\"><script>alert(1)</script>",
        "'><img src=x onerror=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<input autofocus onfocus=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "https://example.org/\"onmouseover=\"alert(1)",
        "[click](javascript:alert(1))",
        "![pic](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<https://example.org\" onmouseover=\"alert(1)>",
        "#tag<script>alert(1)</script> @x\"onmouseover=alert(1)",
    ];

    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors.Length; i++)
        {
            data.Add(i);
        }
        return data;
    }

    private static readonly string[] UrlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href", "poster", "background"];

    /// <summary>Fails if the page carries anything that could run: inline or foreign scripts, event handlers, script URLs, frames, plugins, base or refresh tags.</summary>
    internal static void AssertNoActiveContent(IDocument page, string context)
    {
        foreach (var script in page.QuerySelectorAll("script"))
        {
            var src = script.GetAttribute("src") ?? "";
            Assert.True(src.StartsWith("/js/", StringComparison.Ordinal) || src.StartsWith("/lib/", StringComparison.Ordinal), $"{context}: unexpected script element {script.OuterHtml}");
            Assert.True(string.IsNullOrWhiteSpace(script.TextContent), $"{context}: inline script {script.OuterHtml}");
        }
        foreach (var element in page.QuerySelectorAll("*"))
        {
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{context}: event handler attribute on {element.OuterHtml[..Math.Min(200, element.OuterHtml.Length)]}");
                if (UrlAttributes.Contains(attribute.Name.ToLowerInvariant()))
                {
                    var value = new string(attribute.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()).ToLowerInvariant();
                    Assert.False(value.StartsWith("javascript:", StringComparison.Ordinal) || value.StartsWith("vbscript:", StringComparison.Ordinal) || value.StartsWith("data:text", StringComparison.Ordinal),
                        $"{context}: dangerous address in {element.OuterHtml[..Math.Min(200, element.OuterHtml.Length)]}");
                }
            }
        }
        var main = page.QuerySelector("main") ?? throw new InvalidOperationException($"{context}: no main element");
        Assert.Empty(page.QuerySelectorAll("iframe, frame, object, embed, base, meta[http-equiv], math, body style, main style"));
        Assert.All(main.QuerySelectorAll("form"), f => Assert.StartsWith("/", f.GetAttribute("action") ?? "/"));
        Assert.Empty(main.QuerySelectorAll("input[autofocus], details[open]"));
    }

    private async Task<(TestUser User, HttpClient Api)> AuthorAsync(string prefix)
    {
        var user = await server.SignUpAsync($"{prefix}_{Guid.NewGuid():N}"[..20], "professional");
        return (user, server.Http(user.Token));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task A_vector_in_a_post_is_shown_as_text_and_never_runs(int index)
    {
        var vector = Vectors[index];
        var (author, api) = await AuthorAsync("xssnote");
        using var _ = api;
        var created = await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Vector: " + vector });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var web = new WebSession(server);
        var (status, page) = await web.GetAsync($"/@{author.Handle}/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertNoActiveContent(page, $"post with vector #{index}");
        // The words are kept, as text: a reader sees exactly what was written.
        Assert.Equal("Vector: " + vector, page.QuerySelector(".db-post--focus .db-post__content")!.TextContent.Trim());
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task A_vector_in_an_article_title_summary_or_markdown_never_runs(int index)
    {
        var vector = Vectors[index];
        var (author, api) = await AuthorAsync("xssart");
        using var _ = api;
        var created = await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "T " + vector[..Math.Min(150, vector.Length)], summary = "S " + vector, text = $"# Heading\n\n{vector}\n\nMore text {vector}" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var web = new WebSession(server);
        var (status, page) = await web.GetAsync($"/@{author.Handle}/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertNoActiveContent(page, $"article with vector #{index}");
        Assert.StartsWith("T ", page.QuerySelector("h1.db-post__title")!.TextContent, StringComparison.Ordinal);
        var (_, profile) = await web.GetAsync($"/@{author.Handle}?tab=articles");
        AssertNoActiveContent(profile, $"article list with vector #{index}");
    }

    [Fact]
    public async Task Vectors_in_a_name_bio_and_link_labels_never_run_on_the_profile()
    {
        var (author, api) = await AuthorAsync("xssbio");
        using var _ = api;
        var bio = string.Join("\n", Vectors)[..1000];
        var links = Vectors.Take(6).Select(v => new { label = v[..Math.Min(50, v.Length)], url = "https://example.org/\"onmouseover=\"alert(1)" }).ToArray();
        var patched = await api.PatchAsJsonAsync("/api/drawbridge/v1/me", new { displayName = Vectors[0], bio, links });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        using var web = new WebSession(server);
        var (status, page) = await web.GetAsync($"/@{author.Handle}");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertNoActiveContent(page, "profile");
        Assert.Equal("<script>alert(1)</script>", page.QuerySelector("h1")!.ChildNodes[0].TextContent.Trim());
        Assert.Contains("<img src=x onerror=alert(1)>", page.QuerySelector(".db-profile__bio")!.TextContent, StringComparison.Ordinal);
        Assert.All(page.QuerySelectorAll(".db-profile__links a"), a => Assert.Equal("me nofollow", a.GetAttribute("rel")));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JAVASCRIPT:alert(1)")]
    [InlineData("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")]
    [InlineData("vbscript:msgbox(1)")]
    public async Task A_profile_link_that_is_not_a_web_address_is_refused_and_never_shown(string url)
    {
        var (author, api) = await AuthorAsync("xsslink");
        using var _ = api;
        var patched = await api.PatchAsJsonAsync("/api/drawbridge/v1/me", new { links = new[] { new { label = "Home", url } } });
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        using var web = new WebSession(server);
        var (_, page) = await web.GetAsync($"/@{author.Handle}");
        AssertNoActiveContent(page, "profile after refused link");
        Assert.Empty(page.QuerySelectorAll(".db-profile__links a"));
    }

    [Fact]
    public async Task Every_page_sends_a_content_security_policy_without_inline_script_or_style()
    {
        using var http = server.Http();
        var response = await http.GetAsync("/");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Empty(page.QuerySelectorAll("[style]"));
        Assert.Empty(page.QuerySelectorAll("style"));
        Assert.All(page.QuerySelectorAll("script"), s => Assert.False(string.IsNullOrEmpty(s.GetAttribute("src"))));
    }
}
