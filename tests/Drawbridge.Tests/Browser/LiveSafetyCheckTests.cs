using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>The safety check runs as the author types: findings appear with message and suggestion, and the span is marked.</summary>
public sealed class LiveSafetyCheckTests(SafetyBrowserFixture fixture) : IClassFixture<SafetyBrowserFixture>
{
    [Fact]
    public async Task Findings_appear_while_typing_and_go_away_when_the_text_is_fixed()
    {
        var author = await fixture.Server.SignUpAsync($"live_{Guid.NewGuid():N}"[..16], "professional");
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, author.Email);
        await page.GotoAsync("/compose");
        var text = page.GetByLabel("Your post");
        await text.PressSequentiallyAsync("Email outpatients.team@example.org about NHS 943 476 5919");
        var live = page.Locator(".db-safety");
        await Assertions.Expect(live).ToContainTextAsync("This looks like an NHS number");
        await Assertions.Expect(live).ToContainTextAsync("point people to a service's public contact page instead");
        await Assertions.Expect(live.Locator("mark.db-finding--block")).ToHaveTextAsync("943 476 5919");
        await Assertions.Expect(live.Locator("mark.db-finding--warn")).ToHaveTextAsync("outpatients.team@example.org");
        await BrowserFixture.AssertAccessibleAsync(page, "composer with live findings");

        await text.FillAsync("Check the dosage guidance with your pharmacist");
        await text.PressAsync("End");
        await text.PressSequentiallyAsync(".");
        await Assertions.Expect(live.Locator("mark.db-finding--block")).ToHaveCountAsync(0);
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }
}
