using Drawbridge.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Web;

/// <summary>The composer applies the publishing rules: block findings stop it, warnings need "I have checked this", nudges never stop it.</summary>
public sealed class SafetyCheckPageTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
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
        var text = "Lovely to see NHS 943 476 5919 walking again today";
        var response = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = text, ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("This looks like an NHS number", page.QuerySelector("#text-error")!.TextContent, StringComparison.Ordinal);
        var findings = page.QuerySelector(".db-findings")!;
        Assert.Contains("Must change", findings.TextContent, StringComparison.Ordinal);
        Assert.Contains("Remove the number. If someone has shared their own", findings.TextContent, StringComparison.Ordinal);
        Assert.Equal("943 476 5919", findings.QuerySelector("mark.db-finding--block")!.TextContent);
        Assert.Equal(text, page.QuerySelector("textarea#text")!.TextContent);
        var (_, profile) = await web.GetAsync($"/@{handle}");
        Assert.DoesNotContain("walking again", profile.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warning_needs_the_author_to_confirm_they_checked_it_then_it_publishes()
    {
        var (handle, web) = await SignedInAsync();
        using var _ = web;
        var text = "Questions? Email outpatients.team@example.org before changing your inhaler";
        var first = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = text, ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page = await WebSession.ParseAsync(await first.Content.ReadAsStringAsync());
        Assert.Contains("Check these before publishing", page.QuerySelector("#confirmWarnings-error")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("input#confirmWarnings[type=checkbox]"));
        Assert.Equal("outpatients.team@example.org", page.QuerySelector("mark.db-finding--warn")!.TextContent);

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
        var response = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = "Please book your flu jab, it is a miracle cure", ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (_, post) = await web.GetAsync(response.Headers.Location!.ToString());
        Assert.Equal("Please book your flu jab, it is a miracle cure", post.QuerySelector(".db-post--focus .db-post__content")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_draft_is_saved_without_the_check_and_the_check_applies_when_it_is_published()
    {
        var (_, web) = await SignedInAsync();
        using var _ = web;
        var saved = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = "NHS 943 476 5919 is home", ["intent"] = "draft" });
        Assert.Equal("/drafts", saved.Headers.Location!.ToString());
        var (_, drafts) = await web.GetAsync("/drafts");
        Assert.Contains("NHS 943 476 5919 is home", drafts.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var publish = await web.SubmitAsync("/drafts", "form[action*=publish]", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var page = await WebSession.ParseAsync(await publish.Content.ReadAsStringAsync());
        Assert.Contains("This looks like an NHS number", page.QuerySelector(".nhsuk-error-summary")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_members_reply_with_an_identifier_is_held_and_a_moderator_releases_it_from_the_moderation_page()
    {
        var author = await server.SignUpAsync($"host_{Guid.NewGuid():N}"[..16], "professional");
        using var api = server.Http(author.Token);
        var root = await (await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Questions about the clinic welcome" })).Content.ReadFromJsonAsync<JsonElement>();
        var rootId = root.GetProperty("id").GetString()!;

        var member = await server.SignUpAsync($"mem_{Guid.NewGuid():N}"[..16]);
        using var memberWeb = new WebSession(server);
        await memberWeb.SignInAsync(member.Email);
        var held = await memberWeb.SubmitAsync($"/compose?replyTo={rootId}", "main form", new Dictionary<string, string> { ["text"] = "My NHS number is 943 476 5919 and I am still waiting", ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.Redirect, held.StatusCode);
        var (_, thread) = await memberWeb.GetAsync(held.Headers.Location!.ToString());
        Assert.Contains("Held privately", thread.QuerySelector(".db-flash")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("still waiting", thread.QuerySelector(".db-thread")!.TextContent, StringComparison.Ordinal);

        // Someone who isn't a moderator can't open the page.
        Assert.NotEqual(HttpStatusCode.OK, (await memberWeb.GetAsync("/moderation")).Status);

        var moderator = await server.SignUpAsync($"mod_{Guid.NewGuid():N}"[..16], "professional");
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<long>>>();
            if (!await roles.RoleExistsAsync("moderator"))
            {
                await roles.CreateAsync(new IdentityRole<long>("moderator"));
            }
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            await users.AddToRoleAsync((await users.FindByEmailAsync(moderator.Email))!, "moderator");
        }
        using var modWeb = new WebSession(server);
        await modWeb.SignInAsync(moderator.Email);
        var (status, queue) = await modWeb.GetAsync("/moderation");
        Assert.Equal(HttpStatusCode.OK, status);
        var item = queue.QuerySelectorAll(".db-review").Single(r => r.TextContent.Contains("still waiting", StringComparison.Ordinal));
        Assert.Contains("personal identifiers", item.TextContent, StringComparison.Ordinal);
        var heldId = item.QuerySelector("input[name=id]")!.GetAttribute("value")!;
        var released = await modWeb.SubmitAsync("/moderation", $"form:has(input[value='{heldId}'])", new Dictionary<string, string> { ["decision"] = "approve" });
        Assert.Equal("/moderation", released.Headers.Location!.ToString());
        var (_, after) = await memberWeb.GetAsync($"/@{author.Handle}/{rootId}");
        Assert.Contains("My NHS number is 943 476 5919 and I am still waiting", after.QuerySelector(".db-thread")!.TextContent, StringComparison.Ordinal);
    }
}
