using System.Globalization;
using Drawbridge.Data;
using Drawbridge.Listening;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Listening;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>
/// The organisation's settings, dashboard (its SVG charts and their tables), "you said, we did" from draft to the
/// public page, the overdue filter, and the consent to show a two-way score: each page and state passes axe.
/// </summary>
public sealed class ListeningBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static string Prefix() => "l" + Guid.NewGuid().ToString("N")[..7];

    private async Task<List<string>> SeedAsync(Castle c)
    {
        var ids = new List<string>();
        using var guest = fixture.Server.Http();
        var rows = new (string Text, string Service, string Theme, string Sentiment, int DaysAgo, bool Answered)[]
        {
            ("Nobody told us when visiting hours changed.", "Ward 3", "Communication", "negative", 20, false),
            ("The nurses were kind and patient.", "Ward 3", "Staff attitude", "positive", 3, true),
            ("The clinic ran an hour late.", "Outpatients", "Waiting times", "negative", 10, true),
            ("Clean and calm waiting room.", "Outpatients", "Environment", "positive", 0, false),
        };
        foreach (var r in rows)
        {
            var id = (await guest.PostJsonAsync($"{c.Api}/feedback", new { text = r.Text, service = r.Service })).Str("id");
            ids.Add(id);
            // Classification on arrival runs first, so the theme set here is the one that stays.
            await fixture.Server.DrainJobsAsync();
            await using var scope = fixture.Server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var itemId = long.Parse(id, CultureInfo.InvariantCulture);
            var received = DateTime.UtcNow.AddDays(-r.DaysAgo);
            await db.Set<InboxItem>().Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.ClassifiedAt, i => i.ClassifiedAt ?? DateTime.UtcNow)
                .SetProperty(i => i.ReceivedAt, received)
                .SetProperty(i => i.RespondedAt, r.Answered ? received.AddHours(3) : null)
                .SetProperty(i => i.State, r.Answered ? InboxState.Responded : InboxState.New)
                .SetProperty(i => i.Theme, r.Theme)
                .SetProperty(i => i.Sentiment, r.Sentiment));
        }
        return ids;
    }

    [Fact]
    public async Task An_admin_sets_hours_reads_the_dashboard_and_publishes_a_change_the_public_then_reads()
    {
        var c = await Castle.BuildAsync(fixture.Server, Prefix());
        var ids = await SeedAsync(c);
        var admin = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, c.Admin.Email);

        await admin.GotoAsync($"/organisations/{c.Handle}/settings");
        await Assertions.Expect(admin.Locator("main h1")).ToContainTextAsync("Settings");
        await BrowserFixture.AssertAccessibleAsync(admin, "organisation settings");
        await admin.GetByLabel("Closes at").FillAsync("07:00");
        await admin.GetByLabel("Response target (working hours)").FillAsync("0");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(admin.Locator(".nhsuk-error-summary")).ToContainTextAsync("Closing time must be after opening time");
        await Assertions.Expect(admin.Locator(".nhsuk-error-summary")).ToContainTextAsync("between 1 and 500");
        await BrowserFixture.AssertAccessibleAsync(admin, "organisation settings with errors");
        await admin.GetByLabel("Closes at").FillAsync("17:30");
        await admin.GetByLabel("Response target (working hours)").FillAsync("8");
        await admin.GetByLabel("Scotland").CheckAsync();
        await admin.GetByLabel("Show our two-way score in public").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(admin.Locator("main")).ToContainTextAsync("Settings saved");
        await Assertions.Expect(admin.GetByLabel("Closes at")).ToHaveValueAsync("17:30");

        // The overdue filter on the inbox.
        await admin.GotoAsync($"/organisations/{c.Handle}/inbox?overdue=true");
        await Assertions.Expect(admin.Locator("#inbox-count")).ToContainTextAsync("1 item match");
        await Assertions.Expect(admin.Locator("main")).ToContainTextAsync("Overdue");
        await BrowserFixture.AssertAccessibleAsync(admin, "inbox filtered to overdue items");

        await admin.GotoAsync($"/organisations/{c.Handle}/dashboard");
        await Assertions.Expect(admin.Locator("svg#chart-sentiment[role=img]")).ToHaveCountAsync(1);
        await Assertions.Expect(admin.Locator("#chart-themes-table")).ToContainTextAsync("Waiting times");
        await Assertions.Expect(admin.Locator("#chart-response-table")).ToContainTextAsync("Not yet answered");
        await Assertions.Expect(admin.Locator("#two-way-score")).ToContainTextAsync(c.Responder.Handle.Replace('_', ' '));
        await BrowserFixture.AssertAccessibleAsync(admin, "dashboard with charts");
        await admin.GetByLabel("Service", new() { Exact = true }).SelectOptionAsync("Outpatients");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(admin.Locator("#chart-themes-table")).Not.ToContainTextAsync("Staff attitude");
        await BrowserFixture.AssertAccessibleAsync(admin, "dashboard for one service");

        // A responder records a change from an item; the admin publishes it.
        var responder = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(responder, c.Responder.Email);
        await responder.GotoAsync($"/organisations/{c.Handle}/inbox/{ids[0]}");
        await Assertions.Expect(responder.Locator("#item-response-time")).ToContainTextAsync("Overdue");
        await BrowserFixture.AssertAccessibleAsync(responder, "overdue inbox item");
        await responder.GetByRole(AriaRole.Link, new() { Name = "Record a new change prompted by this feedback" }).ClickAsync();
        await Assertions.Expect(responder.Locator("main")).ToContainTextAsync("Prompted by feedback");
        await BrowserFixture.AssertAccessibleAsync(responder, "changes with a new change form");
        await responder.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(responder.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter a title");
        await BrowserFixture.AssertAccessibleAsync(responder, "new change with errors");
        await responder.GetByLabel("Title", new() { Exact = true }).FillAsync("Visiting hours on every ward door");
        await responder.GetByLabel("You said").FillAsync("Families did not know when visiting hours changed.");
        await responder.GetByLabel("We did").FillAsync("The hours are now on every ward door.");
        await responder.GetByLabel("Internal note (optional)").FillAsync("Estates ticket 4471");
        await responder.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(responder.Locator("#change-review")).ToHaveTextAsync("Draft");
        await BrowserFixture.AssertAccessibleAsync(responder, "change draft");
        await responder.GetByRole(AriaRole.Button, new() { Name = "Send for review" }).ClickAsync();
        await Assertions.Expect(responder.Locator("#change-review")).ToHaveTextAsync("Awaiting review");
        await Assertions.Expect(responder.GetByRole(AriaRole.Button, new() { Name = "Publish" })).ToHaveCountAsync(0);

        await admin.GotoAsync($"/organisations/{c.Handle}/changes");
        await BrowserFixture.AssertAccessibleAsync(admin, "changes list");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Visiting hours on every ward door" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(admin.Locator("#change-review")).ToHaveTextAsync("Published");
        await BrowserFixture.AssertAccessibleAsync(admin, "change published");

        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync($"/@{c.Handle}");
        await visitor.GetByRole(AriaRole.Link, new() { Name = "You said, we did" }).ClickAsync();
        await Assertions.Expect(visitor.Locator("#changes")).ToContainTextAsync("The hours are now on every ward door.");
        await Assertions.Expect(visitor.Locator("#changes")).ToContainTextAsync("prompted by 1 piece of feedback");
        Assert.DoesNotContain("Estates ticket 4471", await visitor.ContentAsync());
        await BrowserFixture.AssertAccessibleAsync(visitor, "public you said, we did");
        await visitor.GotoAsync($"/@{c.Handle}");
        await visitor.GetByText("Two-way score", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(visitor.Locator("#profile-score")).ToContainTextAsync("Conversation rather than broadcast");
        await BrowserFixture.AssertAccessibleAsync(visitor, "organisation profile with its two-way score");

        var viewer = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(viewer, c.Viewer.Email);
        Assert.Equal(403, (await viewer.GotoAsync($"/organisations/{c.Handle}/settings"))!.Status);
        await viewer.GotoAsync($"/organisations/{c.Handle}/dashboard");
        await Assertions.Expect(viewer.Locator("svg#chart-themes")).ToHaveCountAsync(1);
        var outsider = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(outsider, c.Outsider.Email);
        Assert.Equal(403, (await outsider.GotoAsync($"/organisations/{c.Handle}/dashboard"))!.Status);
        Assert.Equal(403, (await outsider.GotoAsync($"/organisations/{c.Handle}/changes"))!.Status);
        BrowserFixture.AssertNoConsoleErrors(fixture, admin);
    }

    [Fact]
    public async Task A_professional_opts_in_to_show_their_two_way_score_and_out_again()
    {
        var me = await fixture.Server.SignUpAsync(Prefix() + "_pro", "professional");
        await fixture.Server.Http(me.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Our drop-in runs every Thursday." });
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, me.Email);
        await page.GotoAsync("/settings/score");
        await Assertions.Expect(page.Locator("#score")).ToContainTextAsync("Conversation rather than broadcast");
        await BrowserFixture.AssertAccessibleAsync(page, "two-way score settings");

        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync($"/@{me.Handle}");
        await Assertions.Expect(visitor.Locator("#profile-score")).ToHaveCountAsync(0);

        await page.GetByLabel("Show my two-way score on my public profile").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("now on your public profile");
        await BrowserFixture.AssertAccessibleAsync(page, "two-way score made public");
        await visitor.GotoAsync($"/@{me.Handle}");
        await visitor.GetByText("Two-way score", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(visitor.Locator("#profile-score")).ToContainTextAsync("Distinct people engaged");
        await BrowserFixture.AssertAccessibleAsync(visitor, "profile with a public two-way score");

        await page.GetByLabel("Show my two-way score on my public profile").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("private again");
        await visitor.GotoAsync($"/@{me.Handle}");
        await Assertions.Expect(visitor.Locator("#profile-score")).ToHaveCountAsync(0);
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }
}
