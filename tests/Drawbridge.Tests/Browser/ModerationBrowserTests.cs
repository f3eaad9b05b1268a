using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Security;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>The moderation pages, the rules, the public log and the privacy page pass axe in a real browser, forms with their errors too.</summary>
public sealed class ModerationBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..14];

    private static async Task VisitAsync(IPage page, string url, string what)
    {
        Assert.NotNull(await page.GotoAsync(url));
        await BrowserFixture.AssertAccessibleAsync(page, what);
    }

    private static async Task ErrorsAsync(IPage page, string button, string what)
    {
        await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page, what + " with errors");
    }

    [Fact]
    public async Task Reporting_deciding_appealing_and_the_public_pages_pass_axe()
    {
        var server = fixture.Server;
        var author = await server.SignUpAsync(Unique("bw_auth_"), "professional");
        var reader = await server.SignUpAsync(Unique("bw_read_"));
        var moderator = await server.SignUpAsync(Unique("bw_mod_"), "professional");
        await ServerRoles.GrantAsync(server, moderator.Email, "moderator");
        await ServerRoles.GrantAsync(server, moderator.Email, "admin");
        using var a = server.Http(author.Token);
        var post = await a.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Ward nine are useless, honestly" });
        var postId = post.Str("id");

        // Signed out: the rules, the log, privacy.
        var visitor = await fixture.NewPageAsync();
        await VisitAsync(visitor, "/about", "about and rules");
        await VisitAsync(visitor, "/privacy", "privacy");
        await VisitAsync(visitor, "/about/moderation", "moderation log (empty)");

        // A reader reports the post, after first sending the form empty.
        var readerPage = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(readerPage, reader.Email);
        await VisitAsync(readerPage, $"/@{author.Handle}/{postId}", "thread with a report link");
        await readerPage.GetByRole(AriaRole.Link, new() { Name = "Report post by" }).First.ClickAsync();
        await BrowserFixture.AssertAccessibleAsync(readerPage, "report a post");
        await ErrorsAsync(readerPage, "Send report", "report a post");
        await readerPage.GetByLabel("Respect").CheckAsync();
        await readerPage.GetByLabel("What's wrong? (optional)").FillAsync("Disparaging colleagues");
        await readerPage.GetByRole(AriaRole.Button, new() { Name = "Send report" }).ClickAsync();
        await Assertions.Expect(readerPage.Locator(".db-flash")).ToContainTextAsync("your report has gone to the moderators");
        await VisitAsync(readerPage, $"/report?account={author.Id}", "report an account");

        // The moderator decides, after first sending the form empty.
        var modPage = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(modPage, moderator.Email);
        await VisitAsync(modPage, "/moderation/reports", "reports queue");
        await modPage.Locator("main a[href^='/moderation/reports/']").First.ClickAsync();
        await BrowserFixture.AssertAccessibleAsync(modPage, "report detail");
        await ErrorsAsync(modPage, "Record decision", "report decision");
        await modPage.GetByLabel("Remove the post").CheckAsync();
        await modPage.GetByLabel("Respect").CheckAsync();
        await modPage.GetByLabel("Why?").FillAsync("It names a ward to belittle its staff");
        await modPage.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
        await Assertions.Expect(modPage.Locator(".db-flash")).ToContainTextAsync("The decision is recorded");
        await VisitAsync(modPage, "/moderation/audit", "audit trail");
        await VisitAsync(modPage, "/admin/roles", "roles");
        await ErrorsAsync(modPage, "Grant role", "roles");
        await VisitAsync(visitor, $"/@{author.Handle}/{postId}", "a post removed by a moderator");
        await VisitAsync(visitor, "/about/moderation", "moderation log");

        // The author appeals, after first sending the form empty.
        var authorPage = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(authorPage, author.Email);
        await VisitAsync(authorPage, "/appeals", "moderation decisions");
        await authorPage.Locator("main a[href^='/appeals?decision=']").First.ClickAsync();
        await BrowserFixture.AssertAccessibleAsync(authorPage, "appeal form");
        await ErrorsAsync(authorPage, "Send appeal", "appeal");
        await authorPage.GetByLabel("Why should the decision change?").FillAsync("I was criticising the rota, not the staff");
        await authorPage.GetByRole(AriaRole.Button, new() { Name = "Send appeal" }).ClickAsync();
        await Assertions.Expect(authorPage.Locator(".db-flash")).ToContainTextAsync("Your appeal has gone to the moderators");

        await VisitAsync(modPage, "/moderation/appeals", "appeals queue");
        await modPage.Locator("main a[href^='/moderation/appeals?appeal=']").First.ClickAsync();
        await BrowserFixture.AssertAccessibleAsync(modPage, "appeal decision form");
        await ErrorsAsync(modPage, "Record decision", "appeal decision");

        // An organisation that restricts replies says so on its page.
        var org = Unique("bw_org_");
        await a.PostJsonAsync(OwnApi.Path("/organisations"), new { handle = org, displayName = "Bridge Practice", bio = "" });
        await BrowserFixture.SignInAsync(authorPage, author.Email);
        await authorPage.GotoAsync($"/organisations/{org}/staff");
        await authorPage.GetByLabel("Followers only").CheckAsync();
        await authorPage.GetByRole(AriaRole.Button, new() { Name = "Save who may reply" }).ClickAsync();
        await Assertions.Expect(authorPage.Locator(".nhsuk-error-summary")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(authorPage, "who may reply with errors");
        await authorPage.GetByLabel("Why (shown on the organisation's page)").FillAsync("During the election period we answer followers only");
        await authorPage.GetByRole(AriaRole.Button, new() { Name = "Save who may reply" }).ClickAsync();
        await VisitAsync(visitor, $"/@{org}", "organisation with restricted replies");
        await Assertions.Expect(visitor.Locator(".db-profile__replies")).ToContainTextAsync("election period");
        foreach (var p in new[] { visitor, readerPage, modPage, authorPage })
        {
            BrowserFixture.AssertNoConsoleErrors(fixture, p);
        }
    }
}
