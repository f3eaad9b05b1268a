using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>axe-core (WCAG 2.2 AA rules) finds nothing on any page, signed in or out, including forms showing their errors.</summary>
public sealed class AccessibilityTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private sealed record Community(TestUser Author, TestUser Reader, string NoteId, string ArticleId, string ReplyId, string Tag);

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..14];

    /// <summary>A professional with a post (edited, liked, replied to), an article with an episode and an approved guest comment, and a reader who follows them.</summary>
    private async Task<Community> CommunityAsync()
    {
        var author = await fixture.Server.SignUpAsync(Unique("rn_"), "professional");
        var reader = await fixture.Server.SignUpAsync(Unique("pt_"));
        var tag = "handover" + Guid.NewGuid().ToString("N")[..6];
        using var a = fixture.Server.Http(author.Token);
        using var r = fixture.Server.Http(reader.Token);
        var note = await (await a.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = $"Tonight's #{tag} chat: what makes a good handover? https://example.org/handover" })).Content.ReadFromJsonAsync<JsonElement>();
        var noteId = note.GetProperty("id").GetString()!;
        (await a.PutAsJsonAsync($"/api/drawbridge/v1/posts/{noteId}", new { text = $"Tonight's #{tag} chat at 8pm: what makes a good handover? https://example.org/handover" })).EnsureSuccessStatusCode();
        var article = await (await a.PostAsJsonAsync("/api/drawbridge/v1/posts", new
        {
            kind = "article",
            title = "Making handovers safer",
            summary = "What we changed on our ward.",
            text = "## Why\n\nHandovers matter.\n\n- Listen first\n- Be clear\n\n[Read the guidance](https://example.org/guidance)",
            enclosureUrl = "https://example.org/episode-1.mp3",
        })).Content.ReadFromJsonAsync<JsonElement>();
        var articleId = article.GetProperty("id").GetString()!;
        (await r.PostAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow", null)).EnsureSuccessStatusCode();
        var reply = await (await r.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Clear names and a plan for the night.", inReplyToId = noteId })).Content.ReadFromJsonAsync<JsonElement>();
        (await r.PostAsync($"/api/drawbridge/v1/posts/{noteId}/like", null)).EnsureSuccessStatusCode();
        using var guest = fixture.Server.Http();
        (await guest.PostAsJsonAsync($"/api/drawbridge/v1/posts/{articleId}/guest-comments", new { name = "Sam", email = "sam@example.org", text = "Thank you for explaining this." })).EnsureSuccessStatusCode();
        (await guest.PostAsJsonAsync($"/api/drawbridge/v1/posts/{articleId}/guest-comments", new { name = "Alex", email = "alex@example.org", text = "Could you cover nights too?" })).EnsureSuccessStatusCode();
        var awaiting = await a.GetFromJsonAsync<JsonElement>("/api/drawbridge/v1/guest-comments");
        (await a.PostAsJsonAsync($"/api/drawbridge/v1/guest-comments/{awaiting[0].GetProperty("id").GetString()}/approve", new { trust = false })).EnsureSuccessStatusCode();
        await fixture.Server.DrainJobsAsync();
        return new Community(author, reader, noteId, articleId, reply.GetProperty("id").GetString()!, tag);
    }

    private static async Task VisitAsync(IPage page, string url, string what)
    {
        var response = await page.GotoAsync(url);
        Assert.NotNull(response);
        await BrowserFixture.AssertAccessibleAsync(page, what);
    }

    private static async Task SubmitEmptyAsync(IPage page, string url, string button, string what)
    {
        await page.GotoAsync(url);
        await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page, what + " with errors");
    }

    [Fact]
    public async Task Every_public_page_and_form_error_passes_axe_when_signed_out()
    {
        var c = await CommunityAsync();
        var page = await fixture.NewPageAsync();
        var h = c.Author.Handle;
        await VisitAsync(page, "/", "home (signed out)");
        await VisitAsync(page, "/public/local", "local timeline");
        await VisitAsync(page, $"/@{h}", "profile");
        await VisitAsync(page, $"/@{h}?tab=replies", "profile: posts and replies");
        await VisitAsync(page, $"/@{h}?tab=articles", "profile: articles");
        await VisitAsync(page, $"/@{h}/followers", "profile: followers");
        await VisitAsync(page, $"/@{h}/following", "profile: following (none)");
        await VisitAsync(page, $"/@{h}/{c.NoteId}", "thread");
        await VisitAsync(page, $"/@{c.Reader.Handle}/{c.ReplyId}", "thread focused on a reply");
        await VisitAsync(page, $"/@{h}/{c.NoteId}/history", "edit history");
        await VisitAsync(page, $"/@{h}/{c.ArticleId}", "article with episode and comments");
        await VisitAsync(page, $"/tags/{c.Tag}", "hashtag");
        await VisitAsync(page, "/search", "search (empty)");
        await VisitAsync(page, $"/search?q={c.Tag}&order=relevance", "search results");
        await VisitAsync(page, "/search?q=nothingmatchesthisword", "search without results");
        await VisitAsync(page, "/auth/sign-up", "sign up");
        await VisitAsync(page, "/auth/sign-in", "sign in");
        await VisitAsync(page, "/auth/forgot-password", "forgot password");
        await VisitAsync(page, "/auth/reset-password?email=x%40example.org&code=abc", "reset password");
        await VisitAsync(page, "/auth/confirm-email?userId=1&code=wrong", "confirm email (bad link)");
        await VisitAsync(page, "/no/such/page", "not found");
        await VisitAsync(page, "/error", "error");

        await SubmitEmptyAsync(page, "/auth/sign-up", "Create account", "sign up");
        await SubmitEmptyAsync(page, "/auth/sign-in", "Sign in", "sign in");
        await SubmitEmptyAsync(page, "/auth/forgot-password", "Send link", "forgot password");
        await SubmitEmptyAsync(page, "/auth/reset-password?email=x%40example.org&code=abc", "Save password", "reset password");
        await SubmitEmptyAsync(page, $"/@{h}/{c.ArticleId}", "Send comment", "guest comment");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }

    [Fact]
    public async Task Every_signed_in_page_and_form_error_passes_axe()
    {
        var c = await CommunityAsync();
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<long>>>();
            if (!await roles.RoleExistsAsync("moderator"))
            {
                await roles.CreateAsync(new IdentityRole<long>("moderator"));
            }
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            await users.AddToRoleAsync((await users.FindByEmailAsync(c.Author.Email))!, "moderator");
            if (!await roles.RoleExistsAsync(Drawbridge.Pages.Admin.Administrators.Role))
            {
                await roles.CreateAsync(new IdentityRole<long>(Drawbridge.Pages.Admin.Administrators.Role));
            }
            await users.AddToRoleAsync((await users.FindByEmailAsync(c.Author.Email))!, Drawbridge.Pages.Admin.Administrators.Role);
        }
        using (var a = fixture.Server.Http(c.Author.Token))
        {
            (await a.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "A draft about night shifts", draft = true })).EnsureSuccessStatusCode();
        }
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, c.Author.Email);
        var h = c.Author.Handle;
        await VisitAsync(page, "/", "home timeline");
        await VisitAsync(page, "/notifications", "notifications");
        await VisitAsync(page, "/compose", "compose");
        await VisitAsync(page, "/compose?kind=article", "compose article");
        await VisitAsync(page, $"/compose?replyTo={c.ReplyId}", "compose reply");
        await VisitAsync(page, "/drafts", "drafts");
        await VisitAsync(page, "/comments", "comments awaiting");
        await VisitAsync(page, "/moderation", "moderation");
        await VisitAsync(page, "/admin/domains", "domain blocks, none yet");
        await SubmitEmptyAsync(page, "/admin/domains", "Block the domain", "domain blocks form errors");
        await page.GetByLabel("Domain", new() { Exact = true }).FillAsync("spam.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Block the domain" }).ClickAsync();
        await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("spam.example");
        await VisitAsync(page, "/admin/domains", "domain blocks with a limited domain");
        long failedJob;
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            // A job that gave up, as the runner leaves one after its last attempt.
            var db = scope.ServiceProvider.GetRequiredService<Drawbridge.Data.DrawbridgeDb>();
            // Stored by a version that knew a kind this one does not.
            var job = new Drawbridge.Jobs.Job { Id = scope.ServiceProvider.GetRequiredService<Drawbridge.Data.Snowflake>().Next(), Kind = "no-such-kind", Payload = "42", RunAt = DateTime.UtcNow.AddYears(1) };
            db.Jobs.Add(job);
            job.Attempts = 8;
            job.LastError = "No handler for job kind 'no-such-kind'.";
            job.FailedAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
            failedJob = job.Id;
        }
        await VisitAsync(page, "/admin/jobs", "background work with a failed job");
        await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("No handler for job kind 'no-such-kind'.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry job no-such-kind 42" }).ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("The job will run again shortly.");
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Drawbridge.Data.DrawbridgeDb>();
            var retried = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Jobs, j => j.Id == failedJob);
            Assert.Null(retried.FailedAt);
            Assert.InRange(retried.Attempts, 0, 1); // counts start again; the runner may already have tried once
            // Put it back out of reach so the server's runner doesn't keep failing it during the rest of the test.
            db.Jobs.Remove(retried);
            await db.SaveChangesAsync();
        }
        await VisitAsync(page, $"/@{h}", "own profile");
        await VisitAsync(page, $"/@{c.Reader.Handle}", "someone else's profile");
        await VisitAsync(page, $"/@{h}/{c.NoteId}", "thread with reply form");
        await VisitAsync(page, $"/@{h}/{c.NoteId}/edit", "edit post");
        await VisitAsync(page, $"/@{h}/{c.ArticleId}/edit", "edit article");
        await VisitAsync(page, "/settings/profile", "profile settings");
        await VisitAsync(page, "/settings/account", "account settings");
        await VisitAsync(page, "/settings/security", "two-factor settings");
        await VisitAsync(page, "/settings/tokens", "API tokens");

        await SubmitEmptyAsync(page, "/compose", "Publish", "compose");
        await SubmitEmptyAsync(page, "/compose?kind=article", "Publish", "compose article");
        await SubmitEmptyAsync(page, "/settings/security", "Turn on two-factor authentication", "two-factor");
        await SubmitEmptyAsync(page, "/settings/tokens", "Create token", "tokens");
        await SubmitEmptyAsync(page, "/settings/account", "Delete my account", "account deletion");
        await SubmitEmptyAsync(page, "/settings/account", "Change password", "password change");
        await page.GotoAsync("/settings/profile");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page, "profile settings with errors");

        await page.GotoAsync("/settings/tokens");
        await page.GetByLabel("Name of the app or script").FillAsync("My phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Assertions.Expect(page.Locator("#new-token")).ToBeVisibleAsync();
        await BrowserFixture.AssertAccessibleAsync(page, "new API token");

        // Organisations: the create form with errors, then a new organisation's staff page as its admin.
        await SubmitEmptyAsync(page, "/organisations", "Create organisation", "organisations");
        var orgHandle = Unique("org_");
        await page.GotoAsync("/organisations");
        await page.GetByLabel("Handle").FillAsync(orgHandle);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Riverside Community Nursing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create organisation" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("Staff of Riverside Community Nursing");
        await BrowserFixture.AssertAccessibleAsync(page, "organisation staff (admin)");
        await page.GetByLabel("Their handle").FillAsync(c.Reader.Handle);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save role", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Staff must have professional accounts");
        await BrowserFixture.AssertAccessibleAsync(page, "organisation staff with errors");
        await VisitAsync(page, $"/@{orgHandle}", "organisation profile");
        BrowserFixture.AssertNoConsoleErrors(fixture, page);
    }
}
