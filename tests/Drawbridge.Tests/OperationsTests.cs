using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests;

public sealed class OperationsTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task Health_answers_healthy()
    {
        var response = await server.Http().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_are_exposed_for_prometheus()
    {
        var user = await server.SignUpAsync("metered");
        await server.Http(user.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Counted" });
        await server.Http().GetAsync("/api/drawbridge/v1/timelines/local");
        var text = await server.Http().GetStringAsync("/metrics");
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("drawbridge_posts_published", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Freed_native_memory_is_offered_back_to_the_operating_system_and_counted()
    {
        // Linux with glibc is what this suite runs on, and what the trimmer is for.
        Assert.True(NativeMemoryTrimmer.TryTrim(out _), "malloc_trim should be callable here");
        // The server's own counter (drawbridge_native_memory_trims_total), every 2 s by default.
        var trims = server.Services.GetRequiredService<DrawbridgeMetrics>().NativeMemoryTrims;
        var tags = await Measurements.NextAsync(trims, TimeSpan.FromSeconds(15));
        var seen = $"released={tags.GetValueOrDefault("released")}";
        Assert.Matches("^released=(True|False)$", seen);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        var doc = await server.Http().GetJsonAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/drawbridge/v1/posts", "/api/drawbridge/v1/timelines/home", "/api/drawbridge/v1/search", "/api/drawbridge/v1/accounts/{handle}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task Pages_carry_security_headers()
    {
        var response = await server.Http().GetAsync("/health");
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Unreadable_requests_get_problem_details_that_say_why()
    {
        var user = await server.SignUpAsync("unreadable");
        using var h = server.Http(user.Token);
        var response = await h.PostAsync("/api/drawbridge/v1/posts", new StringContent("{\"text\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var badId = await h.GetAsync("/api/drawbridge/v1/posts/not-a-number");
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
    }
}

/// <summary>Rate limits on, with tiny allowances.</summary>
public sealed class LimitedServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?>
{
    ["Drawbridge:RateLimits:Enabled"] = "true",
    ["Drawbridge:RateLimits:SignUpPerHour"] = "2",
    ["Drawbridge:RateLimits:PostsPerMinute"] = "3",
});

public sealed class RateLimitTests(LimitedServer server) : IClassFixture<LimitedServer>
{
    [Fact]
    public async Task Sign_up_and_posting_are_rate_limited_with_a_clear_answer()
    {
        using var http = server.Http();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await http.PostAsync("/api/drawbridge/v1/accounts", JsonContent.Create(new { handle = $"rl{i}", displayName = "R", email = $"rl{i}@example.org", password = DrawbridgeServer.DefaultPassword }));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.Contains("too often", await last.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await server.ConfirmEmailAsync("rl0@example.org");
        var token = (await http.PostJsonAsync("/api/drawbridge/v1/auth/tokens", new { email = "rl0@example.org", password = DrawbridgeServer.DefaultPassword })).Str("accessToken");
        using var poster = server.Http(token);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await poster.PostAsync("/api/drawbridge/v1/posts", JsonContent.Create(new { text = $"post {i}" }))).StatusCode);
        }
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }
}

/// <summary>A managed heap allowed only 1 MB beyond its live data, checked four times a second.</summary>
public sealed class TightHeapServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?>
{
    [HeapSlackCollector.SlackSetting] = "1",
    [HeapSlackCollector.IntervalSetting] = "0.25",
});

public sealed class HeapSlackTests(TightHeapServer server) : IClassFixture<TightHeapServer>
{
    private const long MB = 1024 * 1024;

    [Fact]
    public void A_full_collection_is_due_only_once_the_heap_has_outgrown_its_live_data_by_more_than_the_slack()
    {
        Assert.False(HeapSlackCollector.ShouldCollect(heapBytes: 60 * MB, lastFullLiveBytes: 50 * MB, slackBytes: 16 * MB));
        Assert.False(HeapSlackCollector.ShouldCollect(heapBytes: 66 * MB, lastFullLiveBytes: 50 * MB, slackBytes: 16 * MB));
        Assert.True(HeapSlackCollector.ShouldCollect(heapBytes: 67 * MB, lastFullLiveBytes: 50 * MB, slackBytes: 16 * MB));
        Assert.True(HeapSlackCollector.ShouldCollect(heapBytes: 17 * MB, lastFullLiveBytes: 0, slackBytes: 16 * MB));
        Assert.False(HeapSlackCollector.ShouldCollect(heapBytes: 500 * MB, lastFullLiveBytes: 50 * MB, slackBytes: 0));
    }

    [Fact]
    public async Task Garbage_that_reached_the_second_generation_is_collected_and_counted()
    {
        // The server's own counter (drawbridge_managed_heap_collections_total).
        var collections = server.Services.GetRequiredService<DrawbridgeMetrics>().ManagedHeapCollections;
        var fullBefore = GC.CollectionCount(2);
        var counted = Measurements.NextAsync(collections, TimeSpan.FromSeconds(20));

        // 8 MB of small objects promoted past the first two generations, then dropped: garbage the runtime would leave
        // in the second generation until that generation's budget runs out.
        var held = new List<byte[]>();
        for (var i = 0; i < 128; i++)
        {
            held.Add(new byte[64 * 1024]);
        }
        GC.Collect(0);
        GC.Collect(1);
        GC.KeepAlive(held);
        held.Clear();
        GC.Collect(0); // the last collection now reports a heap that includes the dropped 8 MB

        await counted;
        Assert.True(GC.CollectionCount(2) > fullBefore, "a full collection should have run");
    }
}
