using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Listening;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>The feedback form, the inbox and an item in Chromium: each page and state passes axe (WCAG 2.2 AA), and the work is done with the keyboard-reachable controls a person would use.</summary>
public sealed class InboxBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static string Prefix() => "b" + Guid.NewGuid().ToString("N")[..7];

    [Fact]
    public async Task A_guest_tells_the_organisation_about_their_experience()
    {
        var c = await Castle.BuildAsync(fixture.Server, Prefix());
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/@{c.Handle}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Tell us about your experience" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Tell us about your experience");
        await BrowserFixture.AssertAccessibleAsync(page, "feedback form");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send feedback" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Tell us about your experience");
        await BrowserFixture.AssertAccessibleAsync(page, "feedback form with errors");

        await page.GetByLabel("Your experience").FillAsync("The physio listened and my knee is much better.");
        await page.GetByLabel("Service or ward (optional)").FillAsync("Physiotherapy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send feedback" }).ClickAsync();
        await Assertions.Expect(page.Locator("#feedback-sent")).ToContainTextAsync("Your feedback has reached the team");
        await BrowserFixture.AssertAccessibleAsync(page, "feedback sent");

        await page.GotoAsync($"/organisations/{c.Handle}/feedback");
        await page.GetByLabel("Your experience").FillAsync("Please call me back, my NHS number is 943 476 5919.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send feedback" }).ClickAsync();
        await Assertions.Expect(page.Locator("#feedback-sent")).ToContainTextAsync("personal identifiers");
        await BrowserFixture.AssertAccessibleAsync(page, "feedback held");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }

    [Fact]
    public async Task A_responder_works_an_item_and_a_viewer_and_an_outsider_see_what_they_may()
    {
        var c = await Castle.BuildAsync(fixture.Server, Prefix());
        using (var guest = fixture.Server.Http())
        {
            await guest.PostJsonAsync($"{c.Api}/feedback", new { name = "Robin", email = "robin@example.org", service = "Ward 3", text = "Nobody told us when visiting hours changed." });
            await guest.PostJsonAsync($"{c.Api}/feedback", new { service = "Ward 4", text = "Lovely food and a clean ward." });
        }
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, c.Responder.Email);
        await page.GotoAsync($"/organisations/{c.Handle}/inbox");
        await Assertions.Expect(page.Locator("#inbox-count")).ToContainTextAsync("2 items");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox (responder)");

        // Filter: open the details, choose a service, apply.
        await page.GetByText("Filter and search").ClickAsync();
        await page.GetByLabel("Service", new() { Exact = true }).SelectOptionAsync("Ward 3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page.Locator("#inbox-count")).ToContainTextAsync("1 item match");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox filtered");
        await page.GotoAsync($"/organisations/{c.Handle}/inbox?state=nonsense");
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("State must be one of");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox with a bad filter");

        await page.GotoAsync($"/organisations/{c.Handle}/inbox?service=Ward%203");
        await page.GetByRole(AriaRole.Link, new() { Name = "Nobody told us when visiting hours changed." }).ClickAsync();
        await Assertions.Expect(page.Locator("#item-state")).ToHaveTextAsync("Read");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox item");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send response" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter your response");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox item with errors");

        await page.GetByLabel("Add an internal note").FillAsync("Ask the ward manager to update the board");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Assertions.Expect(page.Locator("#item-notes")).ToContainTextAsync("Ask the ward manager to update the board");
        await page.GetByLabel("Your response").FillAsync("Sorry, Robin: the new hours are now on the ward's door and website.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send response" }).ClickAsync();
        await Assertions.Expect(page.Locator("#item-response")).ToContainTextAsync("the new hours are now on the ward's door");
        await Assertions.Expect(page.Locator("#item-state")).ToHaveTextAsync("Responded");
        await Assertions.Expect(page.Locator("#item-history")).ToContainTextAsync("Responded as Riverside Community Trust");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox item responded");

        // Bulk: tick the other item with the keyboard and assign it to me.
        await page.GotoAsync($"/organisations/{c.Handle}/inbox?state=new");
        await page.GetByLabel("Select item from someone who didn't give their name").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign to me" }).ClickAsync();
        await Assertions.Expect(page.Locator("#inbox-count")).ToContainTextAsync("0 items match");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);

        var viewer = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(viewer, c.Viewer.Email);
        await viewer.GotoAsync($"/organisations/{c.Handle}/inbox");
        await Assertions.Expect(viewer.Locator("#inbox-count")).ToContainTextAsync("2 items");
        await Assertions.Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Assign to me" })).ToHaveCountAsync(0);
        await BrowserFixture.AssertAccessibleAsync(viewer, "inbox (viewer)");
        await viewer.GetByRole(AriaRole.Link, new() { Name = "Nobody told us when visiting hours changed." }).ClickAsync();
        await Assertions.Expect(viewer.Locator("#item-notes")).ToContainTextAsync("Ask the ward manager");
        await Assertions.Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Send response" })).ToHaveCountAsync(0);
        await BrowserFixture.AssertAccessibleAsync(viewer, "inbox item (viewer)");

        var outsider = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(outsider, c.Outsider.Email);
        var refused = await outsider.GotoAsync($"/organisations/{c.Handle}/inbox");
        Assert.Equal(403, refused!.Status);
        Assert.DoesNotContain("visiting hours", await outsider.ContentAsync());
        await BrowserFixture.AssertAccessibleAsync(outsider, "inbox refused");

        var admin = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, c.Admin.Email);
        await admin.GotoAsync($"/organisations/{c.Handle}/staff");
        await admin.GetByLabel("Their handle").FillAsync(c.Viewer.Handle);
        await admin.GetByLabel("Responder").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save role" }).ClickAsync();
        await Assertions.Expect(admin.Locator("main")).ToContainTextAsync($"is now a responder");
        await BrowserFixture.AssertAccessibleAsync(admin, "staff roles (admin)");
    }
}
