using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>The main journeys in a real browser: sign up, confirm, sign in, follow, read, post, reply, like, search.</summary>
public sealed partial class UserJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..14];

    [Fact]
    public async Task Someone_signs_up_confirms_their_email_from_the_link_and_signs_in()
    {
        var page = await fixture.NewPageAsync();
        var handle = Unique("new_");
        var email = $"{handle}@example.org";

        await page.GotoAsync("/auth/sign-up");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter a display name");
        await BrowserFixture.AssertAccessibleAsync(page, "sign-up with errors");

        await page.GetByLabel("A member of the public").CheckAsync();
        await page.GetByLabel("Your name").FillAsync("Robin Patient");
        await page.GetByLabel("Handle").FillAsync(handle);
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("a long enough password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Check your email");

        // Signing in before confirming is refused, with the reason.
        await page.GotoAsync("/auth/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("a long enough password");
        await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#email-error")).ToContainTextAsync("Confirm your email address first");
        await BrowserFixture.AssertAccessibleAsync(page, "sign-in refused before confirming");

        var mail = fixture.Server.Services.GetRequiredService<Mailer>().Recent.Last(m => m.To == email);
        var link = LinkPattern().Match(mail.Body).Value;
        Assert.Contains("/auth/confirm-email", link, StringComparison.Ordinal);
        await page.GotoAsync(link);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Email address confirmed");

        await BrowserFixture.SignInAsync(page, email, "a long enough password");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Home");
        await Assertions.Expect(page.Locator(".nhsuk-header__account")).ToContainTextAsync($"@{handle}");

        await page.Locator(".nhsuk-header__account").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-header__account")).ToContainTextAsync("Sign in");
    }

    [Fact]
    public async Task A_member_follows_a_professional_reads_the_home_timeline_replies_likes_and_posts()
    {
        var author = await fixture.Server.SignUpAsync(Unique("nurse_"), "professional");
        using (var api = fixture.Server.Http(author.Token))
        {
            (await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Our discharge letters are now shorter, with a named contact #carers" })).EnsureSuccessStatusCode();
        }
        var reader = await fixture.Server.SignUpAsync(Unique("carer_"));
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, reader.Email);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Your timeline is empty");

        await page.GotoAsync($"/@{author.Handle}");
        await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = "Follow", Exact = false }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".db-flash")).ToContainTextAsync("You now follow");
        await Assertions.Expect(page.Locator(".db-profile__actions")).ToContainTextAsync("Unfollow");

        await page.GotoAsync("/");
        var post = page.Locator("article.db-post", new() { HasText = "Our discharge letters are now shorter" });
        await Assertions.Expect(post).ToBeVisibleAsync();

        await post.Locator("a.db-post__time").ClickAsync();
        await Assertions.Expect(page.Locator(".db-post--focus")).ToContainTextAsync("Our discharge letters");
        await page.Locator(".db-post--focus").GetByRole(AriaRole.Button, new() { Name = "Like", Exact = false }).ClickAsync();
        await Assertions.Expect(page.Locator(".db-post--focus")).ToContainTextAsync("Liked");
        await Assertions.Expect(page.Locator(".db-post--focus")).ToContainTextAsync("(1)");

        await page.GetByLabel("Your reply to").FillAsync("Thank you, the contact name really helped my dad.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish reply" }).ClickAsync();
        await Assertions.Expect(page.Locator(".db-flash")).ToContainTextAsync("Your reply is published");
        var thread = page.Locator(".db-thread");
        await Assertions.Expect(thread).ToContainTextAsync("Our discharge letters");
        await Assertions.Expect(thread.Locator(".db-post--focus")).ToContainTextAsync("the contact name really helped");
        await Assertions.Expect(thread.Locator(".db-depth-1")).ToContainTextAsync("the contact name really helped");

        // The composer on the home page counts characters as you type (NHS.UK frontend running under the CSP).
        await page.GotoAsync("/");
        var composer = page.GetByLabel("What's happening in your work today?");
        await composer.FillAsync("Visiting the ward garden today");
        await Assertions.Expect(page.Locator(".nhsuk-character-count__status")).ToContainTextAsync("You have 470 characters remaining");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".db-post--focus")).ToContainTextAsync("Visiting the ward garden today");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }

    [Fact]
    public async Task Search_from_the_header_finds_posts_people_and_hashtags()
    {
        var word = "zebracrossing" + Guid.NewGuid().ToString("N")[..6];
        var author = await fixture.Server.SignUpAsync(Unique("pc_"), "professional", "Police constable");
        using (var api = fixture.Server.Http(author.Token))
        {
            (await api.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = $"New {word} outside the school from Monday #{word}" })).EnsureSuccessStatusCode();
        }
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Search posts, people and hashtags").First.FillAsync(word);
        await page.GetByLabel("Search posts, people and hashtags").First.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync($"New {word} outside the school");
        await Assertions.Expect(page.Locator(".db-tags")).ToContainTextAsync($"#{word}");

        await page.GotoAsync("/search?q=" + author.Handle);
        await Assertions.Expect(page.Locator(".db-people")).ToContainTextAsync($"@{author.Handle}");
        await BrowserFixture.AssertAccessibleAsync(page, "search results");
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
