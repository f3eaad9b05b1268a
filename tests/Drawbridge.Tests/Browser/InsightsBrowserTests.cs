using System.Text;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Listening;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

public sealed class InsightsBrowserFixture() : BrowserFixture(new InsightsServer());

/// <summary>
/// Insights settings, emerging topics and the theme correction in Chromium: each page and state passes axe (WCAG 2.2
/// AA), and an admin trains and switches on a model with the controls a person would use.
/// </summary>
public sealed class InsightsBrowserTests(InsightsBrowserFixture fixture) : IClassFixture<InsightsBrowserFixture>
{
    private static string Prefix() => "n" + Guid.NewGuid().ToString("N")[..7];

    [Fact]
    public async Task An_admin_trains_a_model_watches_it_train_and_switches_it_on()
    {
        var c = await Castle.BuildAsync(fixture.Server, Prefix());
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, c.Admin.Email);
        await page.GotoAsync($"/organisations/{c.Handle}/inbox");
        await page.GetByRole(AriaRole.Link, new() { Name = "Insights settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("Insights settings");
        await Assertions.Expect(page.Locator("#framework-in-use")).ToContainTextAsync("Drawbridge's default framework");
        await BrowserFixture.AssertAccessibleAsync(page, "insights settings, no model yet");

        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and train" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Choose a framework file");
        await BrowserFixture.AssertAccessibleAsync(page, "insights settings with errors");

        // A framework that does not match the file: the error names the column.
        await page.GetByLabel("Framework file (JSON)").SetInputFilesAsync(new FilePayload
        {
            Name = "ward.json", MimeType = "application/json",
            Buffer = Encoding.UTF8.GetBytes(WardFeedbackFixture.FrameworkJson.Replace("\"column\": \"food\"", "\"column\": \"meals\"", StringComparison.Ordinal)),
        });
        await page.GetByLabel("Labelled comments (CSV)").SetInputFilesAsync(new FilePayload { Name = "ward.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(WardFeedbackFixture.Csv()) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and train" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("meals");

        await page.GetByLabel("Framework file (JSON)").SetInputFilesAsync(new FilePayload { Name = "ward.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(WardFeedbackFixture.FrameworkJson) });
        await page.GetByLabel("Labelled comments (CSV)").SetInputFilesAsync(new FilePayload { Name = "ward.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(WardFeedbackFixture.Csv()) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and train" }).ClickAsync();
        await Assertions.Expect(page.Locator("#models")).ToContainTextAsync("Ward feedback, version 1");
        await BrowserFixture.AssertAccessibleAsync(page, "insights settings, training");

        // The page follows the training by itself until the quality table appears.
        await Assertions.Expect(page.Locator("#models")).ToContainTextAsync("Quality per theme", new() { Timeout = 360_000 });
        await Assertions.Expect(page.Locator("#models table")).ToContainTextAsync("Parking");
        await BrowserFixture.AssertAccessibleAsync(page, "insights settings, model ready");

        await page.Locator("#models").GetByRole(AriaRole.Button, new() { Name = "Switch on" }).ClickAsync();
        await Assertions.Expect(page.Locator("#framework-in-use")).ToContainTextAsync("Ward feedback");
        await Assertions.Expect(page.Locator("#models .nhsuk-tag--green")).ToHaveTextAsync("In use");
        await BrowserFixture.AssertAccessibleAsync(page, "insights settings, model switched on");

        // Responders work the inbox but do not reach the settings.
        var responder = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(responder, c.Responder.Email);
        var refused = await responder.GotoAsync($"/organisations/{c.Handle}/settings/insights");
        Assert.Equal(403, refused!.Status);
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }

    [Fact]
    public async Task A_responder_corrects_a_theme_and_staff_read_emerging_topics()
    {
        var c = await Castle.BuildAsync(fixture.Server, Prefix());
        const string text = "The car park was full and we drove round for an hour.";
        using (var guest = fixture.Server.Http())
        {
            await guest.PostJsonAsync($"{c.Api}/feedback", new { text });
            foreach (var wifi in new[] { "No wifi on the ward at all.", "The wifi never connected.", "Please fix the ward wifi.", "Wifi dropped out all night." })
            {
                await guest.PostJsonAsync($"{c.Api}/feedback", new { text = wifi });
            }
        }
        using var staff = fixture.Server.Http(c.Responder.Token);
        var items = await InsightsTests<InsightsServer>.ClassifiedInboxAsync(staff, c.Api, text);
        var id = items.Single(i => i.Str("text") == text).Str("id");

        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, c.Responder.Email);
        await page.GotoAsync($"/organisations/{c.Handle}/inbox/{id}");
        await Assertions.Expect(page.Locator("#item-themes")).Not.ToContainTextAsync("Not sorted yet");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox item with its themes");
        var form = page.Locator("#themes-form");
        foreach (var box in await form.GetByRole(AriaRole.Checkbox).AllAsync())
        {
            await box.UncheckAsync();
        }
        await form.GetByLabel("Parking and transport").CheckAsync();
        await form.GetByLabel("Staff attitude").CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Save themes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#item-themes")).ToHaveTextAsync("Staff attitude; Parking and transport (corrected by staff)");
        await Assertions.Expect(page.Locator("#item-history")).ToContainTextAsync("Corrected the theme to Staff attitude, Parking and transport");
        await BrowserFixture.AssertAccessibleAsync(page, "inbox item after a correction");

        await page.GotoAsync($"/organisations/{c.Handle}/inbox");
        await page.GetByRole(AriaRole.Link, new() { Name = "Emerging topics" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("Emerging topics");
        await Assertions.Expect(page.Locator("#topics-summary")).ToContainTextAsync("Patient experience (Drawbridge default)");
        await BrowserFixture.AssertAccessibleAsync(page, "emerging topics");

        var outsider = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(outsider, c.Outsider.Email);
        Assert.Equal(403, (await outsider.GotoAsync($"/organisations/{c.Handle}/topics"))!.Status);
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }
}
