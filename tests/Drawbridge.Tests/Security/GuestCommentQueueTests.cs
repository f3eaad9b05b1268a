using System.Net;
using System.Net.Http.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Security;

/// <summary>A guest comment held for a patient's identifiers goes to moderators only; the author's queue is paged.</summary>
public sealed class GuestCommentQueueTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task The_author_neither_sees_nor_approves_a_held_comment()
    {
        var author = await server.SignUpAsync($"heldq_{Guid.NewGuid():N}"[..16], "professional");
        using var a = server.Http(author.Token);
        var article = await a.PostJsonAsync(OwnApi.Path("/posts"), new { kind = "article", title = "Our clinic", text = "How the clinic works" });
        var held = await server.Http().PostJsonAsync(OwnApi.Path($"/posts/{article.Str("id")}/guest-comments"), new { name = "Sam", email = "sam@example.org", text = "My NHS number is 9434765919, why no letter?" });
        Assert.Equal("held", held.Str("status"));

        var queue = await a.GetJsonAsync(OwnApi.Path("/guest-comments"));
        Assert.DoesNotContain(queue.EnumerateArray(), c => c.Str("id") == held.Str("id"));
        using var approve = await a.PostAsJsonAsync(OwnApi.Path($"/guest-comments/{held.Str("id")}/approve"), new { });
        Assert.Equal(HttpStatusCode.NotFound, approve.StatusCode);
        var thread = await server.Http().GetJsonAsync(OwnApi.Path($"/posts/{article.Str("id")}/thread"));
        Assert.DoesNotContain("9434765919", thread.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_authors_queue_comes_a_page_at_a_time()
    {
        var author = await server.SignUpAsync($"pageq_{Guid.NewGuid():N}"[..16], "professional");
        using var a = server.Http(author.Token);
        var article = await a.PostJsonAsync(OwnApi.Path("/posts"), new { kind = "article", title = "Busy article", text = "Lots of readers" });
        using var guest = server.Http();
        for (var i = 0; i < 5; i++)
        {
            await guest.PostJsonAsync(OwnApi.Path($"/posts/{article.Str("id")}/guest-comments"), new { name = $"Reader {i}", email = $"reader{i}@example.org", text = $"Thanks for this, comment {i}" });
        }
        var first = (await a.GetJsonAsync(OwnApi.Path("/guest-comments?limit=2"))).EnumerateArray().ToList();
        Assert.Equal(["Reader 0", "Reader 1"], first.Select(c => c.Str("name")));
        var second = (await a.GetJsonAsync(OwnApi.Path($"/guest-comments?limit=2&after={first[^1].Str("id")}"))).EnumerateArray().ToList();
        Assert.Equal(["Reader 2", "Reader 3"], second.Select(c => c.Str("name")));
        var all = (await a.GetJsonAsync(OwnApi.Path("/guest-comments?limit=100000"))).EnumerateArray().Count();
        Assert.Equal(5, all);
    }
}
