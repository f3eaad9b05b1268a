using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Drawbridge.Tests.Browser;

/// <summary>
/// One real server and one headless Chromium (Debian's, never a downloaded one) per test class; each test opens
/// its own browser context, so cookies never leak between tests.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public BrowserFixture() : this(new DrawbridgeServer())
    {
    }

    protected BrowserFixture(DrawbridgeServer server) => Server = server;

    public DrawbridgeServer Server { get; }
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Chromium at {ChromiumPath} (apt-get install chromium)");
        }
        await Server.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await ((IAsyncLifetime)Server).DisposeAsync();
    }

    /// <summary>A page in a fresh browser context; <paramref name="baseUrl"/> defaults to the server's own address (127.0.0.1).</summary>
    public async Task<IPage> NewPageAsync(string? baseUrl = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl ?? Server.BaseAddress.ToString(), Locale = "en-GB" });
        // Generous: the suite runs many servers in one process on a shared machine, and these tests check what the
        // pages say, not how fast they load (bench/ measures that).
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add(message.Text);
            }
        };
        ConsoleErrors[page] = problems;
        return page;
    }

    /// <summary>Browser console errors per page (for example a script refused by the Content-Security-Policy).</summary>
    public Dictionary<IPage, List<string>> ConsoleErrors { get; } = [];

    public static void AssertNoConsoleErrors(BrowserFixture fixture, IPage page)
    {
        // Failed loads are expected here: the tests visit error pages on purpose, and example.org media doesn't resolve offline.
        // What must never appear is a script error or a Content-Security-Policy refusal.
        var errors = fixture.ConsoleErrors[page].Where(e => !e.StartsWith("Failed to load resource", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, "Browser console errors:\n" + string.Join("\n", errors.Distinct()));
    }

    public static async Task SignInAsync(IPage page, string email, string password = DrawbridgeServer.DefaultPassword)
    {
        await page.GotoAsync("/auth/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password", new PageGetByLabelOptions { Exact = true }).FillAsync(password);
        await page.Locator("main").GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Sign in", Exact = true }).ClickAsync();
        // Wait for the next page's document, not for every image on it: media on example.org never loads offline, and
        // how long the browser takes to give up on it is not what these tests measure (the assertions that follow wait).
        await page.WaitForURLAsync(url => !url.Contains("/auth/sign-in", StringComparison.Ordinal),
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
    }

    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    };

    /// <summary>Runs axe-core with the WCAG 2.2 AA rules and fails with every violation and where it is.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe(WcagAa);
        var report = string.Join("\n", result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help}\n    " + string.Join("\n    ", v.Nodes.Take(5).Select(n => string.Join(" ", n.Target?.ToString() ?? "") + " " + n.Html))));
        Assert.True(result.Violations.Length == 0, $"Accessibility violations on {what} ({page.Url}):\n{report}");
    }
}

/// <summary>The browser against its own server, for the live safety check.</summary>
public sealed class SafetyBrowserFixture() : BrowserFixture(new DrawbridgeServer());
