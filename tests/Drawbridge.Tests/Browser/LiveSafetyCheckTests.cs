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
        await text.PressSequentiallyAsync("Check the dose with Jane Bloggs");
        var live = page.Locator(".db-safety");
        await Assertions.Expect(live).ToContainTextAsync("This looks like a patient's name");
        await Assertions.Expect(live).ToContainTextAsync("Point people to their GP, pharmacist or NHS 111");
        await Assertions.Expect(live.Locator("mark.db-finding--block")).ToHaveTextAsync("Jane Bloggs");
        await Assertions.Expect(live.Locator("mark.db-finding--warn")).ToHaveTextAsync("dose");
        await BrowserFixture.AssertAccessibleAsync(page, "composer with live findings");

        await text.FillAsync("Check the dosage guidance with your pharmacist");
        await text.PressAsync("End");
        await text.PressSequentiallyAsync(".");
        await Assertions.Expect(live.Locator("mark.db-finding--block")).ToHaveCountAsync(0);
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }
}
