using System.Net;
using System.Net.Http.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Security;

/// <summary>Liking, replying to and reposting follow the same rules as seeing: a post you can't see can't be acted on, and a block ends it both ways.</summary>
public sealed class InteractionAccessTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private Task<TestUser> NewUser(string prefix) => server.SignUpAsync($"{prefix}_{Guid.NewGuid():N}"[..16]);

    [Fact]
    public async Task Someone_who_does_not_follow_cannot_like_or_reply_to_a_followers_only_post_by_its_id()
    {
        var author = await NewUser("priv");
        var stranger = await NewUser("strg");
        var follower = await NewUser("flwr");
        await server.Http(follower.Token).PostJsonAsync(OwnApi.Path($"/accounts/{author.Id}/follow"));
        var post = await server.Http(author.Token).PostJsonAsync(OwnApi.Path("/posts"), new { text = "For my followers", visibility = "followers" });
        var id = post.Str("id");

        using var s = server.Http(stranger.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await s.PostAsync(OwnApi.Path($"/posts/{id}/like"), null)).StatusCode);
        using var reply = await s.PostAsJsonAsync(OwnApi.Path("/posts"), new { text = "Let me in", inReplyToId = id });
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains("no longer exists", (await reply.ReadJsonAsync()).GetProperty("errors").GetProperty("inReplyToId")[0].GetString(), StringComparison.Ordinal);

        using var f = server.Http(follower.Token);
        Assert.Equal(HttpStatusCode.OK, (await f.PostAsync(OwnApi.Path($"/posts/{id}/like"), null)).StatusCode);
        Assert.Equal(1, (await server.Http(author.Token).GetJsonAsync(OwnApi.Path($"/posts/{id}"))).GetProperty("likesCount").GetInt32());
    }

    [Fact]
    public async Task A_blocked_account_cannot_like_reply_to_or_repost_the_blocker()
    {
        var blocker = await NewUser("blkr");
        var blocked = await NewUser("blkd");
        var post = await server.Http(blocker.Token).PostJsonAsync(OwnApi.Path("/posts"), new { text = "A public thought" });
        var id = post.Str("id");
        await server.Http(blocker.Token).PostJsonAsync(OwnApi.Path($"/accounts/{blocked.Id}/block"));

        using var b = server.Http(blocked.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync(OwnApi.Path($"/posts/{id}/like"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PostAsync(OwnApi.Path($"/posts/{id}/repost"), null)).StatusCode);
        using var reply = await b.PostAsJsonAsync(OwnApi.Path("/posts"), new { text = "Still here", inReplyToId = id });
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var counts = await server.Http(blocker.Token).GetJsonAsync(OwnApi.Path($"/posts/{id}"));
        Assert.Equal(0, counts.GetProperty("likesCount").GetInt32());
        Assert.Equal(0, counts.GetProperty("repostsCount").GetInt32());
    }

    [Fact]
    public async Task Blocking_someone_stops_you_liking_their_posts_too()
    {
        var blocker = await NewUser("blk2");
        var other = await NewUser("oth2");
        var post = await server.Http(other.Token).PostJsonAsync(OwnApi.Path("/posts"), new { text = "Something to like" });
        await server.Http(blocker.Token).PostJsonAsync(OwnApi.Path($"/accounts/{other.Id}/block"));
        using var response = await server.Http(blocker.Token).PostAsync(OwnApi.Path($"/posts/{post.Str("id")}/like"), null);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
