using System.Net;
using System.Net.Http.Json;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>The web pages' timelines update live from the same streams as the apps, and still work without JavaScript.</summary>
public sealed class LiveTimelineTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private DrawbridgeServer Server => fixture.Server;

    private async Task PostAsync(TestUser author, string text, string visibility = "public", string? replyTo = null)
    {
        using var http = Server.Http(author.Token);
        (await http.PostAsJsonAsync("/api/v1/statuses", new { status = text, visibility, in_reply_to_id = replyTo })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_new_post_appears_on_the_local_timeline_and_is_announced_politely()
    {
        var author = await Server.SignUpAsync("live_author", "professional");
        var page = await fixture.NewPageAsync();
        // Wait for the live connection to be open before posting.
        var opened = page.WaitForResponseAsync(r => r.Url.Contains("/live?stream=local", StringComparison.Ordinal));
        await page.GotoAsync("/public/local");
        await opened;

        await PostAsync(author, "Live from the ward: new visiting hours");
        var card = page.Locator("article", new PageLocatorOptions { HasText = "Live from the ward: new visiting hours" });
        await card.WaitForAsync();
        var status = page.Locator("[data-live-status]");
        await Assertions.Expect(status).ToHaveTextAsync("New post from live author");
        Assert.Equal("polite", await status.GetAttributeAsync("aria-live"));
        Assert.Equal("status", await status.GetAttributeAsync("role"));
        await BrowserFixture.AssertAccessibleAsync(page, "the local timeline with a live post");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }

    [Fact]
    public async Task The_home_timeline_shows_followed_posts_live_and_a_thread_its_new_replies()
    {
        var author = await Server.SignUpAsync("live_nurse", "professional");
        var reader = await Server.SignUpAsync("live_reader");
        using (var r = Server.Http(reader.Token))
        {
            (await r.PostAsync($"/api/v1/accounts/{author.Id}/follow", null)).EnsureSuccessStatusCode();
        }
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, reader.Email);
        var opened = page.WaitForResponseAsync(r => r.Url.Contains("/live?stream=home", StringComparison.Ordinal));
        await page.GotoAsync("/");
        await opened;

        await PostAsync(author, "Followers only: the rota is out", "private");
        await page.Locator("article", new PageLocatorOptions { HasText = "Followers only: the rota is out" }).WaitForAsync();

        // The thread page: a reply comes in below.
        using var http = Server.Http(author.Token);
        var root = await (await http.PostAsJsonAsync("/api/v1/statuses", new { status = "Questions about the rota here" })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var threadOpened = page.WaitForResponseAsync(r => r.Url.Contains("/live?stream=thread", StringComparison.Ordinal));
        await page.GotoAsync(root.GetProperty("url").GetString()!.Replace(Server.BaseAddress.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
        await threadOpened;
        await PostAsync(reader, "Is the weekend rota final?", replyTo: root.GetProperty("id").GetString());
        await page.Locator(".db-thread article", new PageLocatorOptions { HasText = "Is the weekend rota final?" }).WaitForAsync();
        await BrowserFixture.AssertAccessibleAsync(page, "a thread with a live reply");
    }

    [Fact]
    public async Task Live_updates_are_refused_to_other_sites_and_the_home_stream_to_visitors()
    {
        using var http = Server.Http();
        using var crossSite = new HttpRequestMessage(HttpMethod.Get, "/live?stream=local");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(crossSite)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/live?stream=home")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/live?stream=everything")).StatusCode);
        // A bearer token opens no page stream: pages take the sign-in cookie only.
        var someone = await Server.SignUpAsync("live_bearer");
        using var bearer = Server.Http(someone.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/live?stream=home")).StatusCode);
    }

    [Fact]
    public async Task Without_JavaScript_the_timeline_is_the_plain_page()
    {
        var author = await Server.SignUpAsync("live_nojs", "professional");
        await PostAsync(author, "Readable without scripts");
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.BaseAddress.ToString(), JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/public/local");
        await Assertions.Expect(page.Locator("article", new PageLocatorOptions { HasText = "Readable without scripts" })).ToBeVisibleAsync();
        await context.CloseAsync();
    }
}
