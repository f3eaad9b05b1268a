using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests;

public sealed class ApiSmokeTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task A_post_reaches_a_followers_home_timeline()
    {
        var author = await server.SignUpAsync("smoke_author", "professional");
        var reader = await server.SignUpAsync("smoke_reader");
        using var readerHttp = server.Http(reader.Token);
        using var authorHttp = server.Http(author.Token);
        (await readerHttp.PostAsync($"/api/v1/accounts/{author.Id}/follow", null)).EnsureSuccessStatusCode();
        var created = await authorHttp.PostAsJsonAsync("/api/v1/posts", new { text = "Handover went well today #WeNurses" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await server.DrainJobsAsync();
        var home = await readerHttp.GetFromJsonAsync<JsonElement>("/api/v1/timelines/home");
        Assert.Contains(home.EnumerateArray(), p => p.GetProperty("content").GetString() == "Handover went well today #WeNurses");
    }
}
