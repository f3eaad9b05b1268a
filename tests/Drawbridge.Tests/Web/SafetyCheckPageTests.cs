using System.Net;

namespace Drawbridge.Tests.Web;

/// <summary>The composer applies the publishing rules: block findings stop it, warnings need "I have checked this", nudges never stop it.</summary>
public sealed class SafetyCheckPageTests(KeywordSafetyServer server) : IClassFixture<KeywordSafetyServer>
{
    private async Task<(string Handle, WebSession Web)> SignedInAsync()
    {
        var user = await server.SignUpAsync($"safe_{Guid.NewGuid():N}"[..16], "professional");
        var web = new WebSession(server);
        await web.SignInAsync(user.Email);
        return (user.Handle, web);
    }

    [Fact]
    public async Task A_blocking_finding_stops_publishing_and_shows_the_finding_its_suggestion_and_where_it_is()
    {
        var (handle, web) = await SignedInAsync();
        using var _ = web;
        var text = "Lovely to see Jane Bloggs walking again today";
        var response = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = text, ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("This looks like a patient's name", page.QuerySelector("#text-error")!.TextContent, StringComparison.Ordinal);
        var findings = page.QuerySelector(".db-findings")!;
        Assert.Contains("Must change", findings.TextContent, StringComparison.Ordinal);
        Assert.Contains("Remove the name or describe the person in general terms", findings.TextContent, StringComparison.Ordinal);
        Assert.Equal("Jane Bloggs", findings.QuerySelector("mark.db-finding--block")!.TextContent);
        Assert.Equal(text, page.QuerySelector("textarea#text")!.TextContent);
        var (_, profile) = await web.GetAsync($"/@{handle}");
        Assert.DoesNotContain("walking again", profile.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warning_needs_the_author_to_confirm_they_checked_it_then_it_publishes()
    {
        var (handle, web) = await SignedInAsync();
        using var _ = web;
        var text = "Ask your pharmacist before changing any dose of your inhaler";
        var first = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = text, ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page = await WebSession.ParseAsync(await first.Content.ReadAsStringAsync());
        Assert.Contains("Check these before publishing", page.QuerySelector("#confirmWarnings-error")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("input#confirmWarnings[type=checkbox]"));
        Assert.Equal("dose", page.QuerySelector("mark.db-finding--warn")!.TextContent);

        var second = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = text, ["intent"] = "publish", ["confirmWarnings"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        var (status, post) = await web.GetAsync(second.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(text, post.QuerySelector(".db-post--focus .db-post__content")!.TextContent.Trim());
        Assert.StartsWith($"/@{handle}/", second.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_nudge_never_stops_publishing()
    {
        var (_, web) = await SignedInAsync();
        using var _ = web;
        var response = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = "Please book your flu jab asap", ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (_, post) = await web.GetAsync(response.Headers.Location!.ToString());
        Assert.Equal("Please book your flu jab asap", post.QuerySelector(".db-post--focus .db-post__content")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_draft_is_saved_without_the_check_and_the_check_applies_when_it_is_published()
    {
        var (_, web) = await SignedInAsync();
        using var _ = web;
        var saved = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = "Jane Bloggs is home", ["intent"] = "draft" });
        Assert.Equal("/drafts", saved.Headers.Location!.ToString());
        var (_, drafts) = await web.GetAsync("/drafts");
        Assert.Contains("Jane Bloggs is home", drafts.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var publish = await web.SubmitAsync("/drafts", "form[action*=publish]", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var page = await WebSession.ParseAsync(await publish.Content.ReadAsStringAsync());
        Assert.Contains("This looks like a patient's name", page.QuerySelector(".nhsuk-error-summary")!.TextContent, StringComparison.Ordinal);
    }
}
