using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Federation;

/// <summary>A Drawbridge that talks to loopback and a small ActivityPub server beside it, for mentions of its people.</summary>
public sealed class MentionFixture : IAsyncLifetime
{
    public FederatedServer Server { get; } = new();
    public FediversePeer Peer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Server).InitializeAsync();
        Peer = await FediversePeer.StartAsync("127.0.0.61");
    }

    public async Task DisposeAsync()
    {
        await Peer.DisposeAsync();
        await ((IAsyncLifetime)Server).DisposeAsync();
    }
}

/// <summary>
/// <c>@user@domain</c> written in a local post: found through the other server's WebFinger, linked, tagged, addressed
/// and delivered to that person even though they don't follow the author; one that can't be found stays text.
/// </summary>
public sealed class RemoteMentionTests(MentionFixture f) : IClassFixture<MentionFixture>
{
    private FederatedServer Server => f.Server;
    private FediversePeer Peer => f.Peer;

    private static string[] Strings(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) ? v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString()!).ToArray() : [v.GetString()!] : [];

    [Fact]
    public async Task A_mention_of_someone_on_another_server_links_to_them_and_reaches_their_inbox_though_they_do_not_follow()
    {
        var ann = await Server.SignUpAsync("men_ann", "professional");
        var rosa = Peer.AddActor("rosa");
        using var h = Server.Http(ann.Token);

        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Thanks @{rosa.Acct} for the handover notes" });

        // Here: a link to this server's page of the remote account, which shows who they are.
        var html = post.Str("contentHtml");
        Assert.Contains($"href=\"/@rosa@{Peer.Domain}\"", html, StringComparison.Ordinal);
        Assert.Contains($">@rosa@{Peer.Domain}</a>", html, StringComparison.Ordinal);
        using var anon = Server.Http();
        var page = await anon.GetAsync($"/@rosa@{Peer.Domain}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // There: a Create, to rosa's server though no one there follows ann, addressed to her and tagged as a mention
        // whose link in the content is her own page.
        var postUri = $"{Server.ActorUri("men_ann")}/statuses/{post.Str("id")}";
        var create = await Peer.WaitForAsync("Create", a => a.GetProperty("object").Str("id") == postUri);
        var note = create.GetProperty("object");
        Assert.Contains(rosa.Id, Strings(create, "cc"));
        Assert.Contains(rosa.Id, Strings(note, "cc"));
        var mention = note.GetProperty("tag").EnumerateArray().Single(t => t.Str("type") == "Mention");
        Assert.Equal(rosa.Id, mention.Str("href"));
        Assert.Equal($"@{rosa.Acct}", mention.Str("name"));
        Assert.Contains($"href=\"{Peer.BaseUrl}/@rosa\"", note.Str("content"), StringComparison.Ordinal);

        // The object as served carries the same mention.
        using var ap = Server.Http();
        ap.DefaultRequestHeaders.Accept.ParseAdd("application/activity+json");
        var served = await ap.GetFromJsonAsync<JsonElement>(postUri);
        Assert.Contains(served.GetProperty("tag").EnumerateArray(), t => t.Str("type") == "Mention" && t.Str("href") == rosa.Id);

        // Mastodon clients list her among the status's mentions.
        var status = await anon.GetFromJsonAsync<JsonElement>($"/api/v1/statuses/{post.Str("id")}");
        var listed = status.GetProperty("mentions").EnumerateArray().Single();
        Assert.Equal(rosa.Acct, listed.Str("acct"));
        Assert.Equal("rosa", listed.Str("username"));
        Assert.Equal($"{Peer.BaseUrl}/@rosa", listed.Str("url"));
    }

    [Fact]
    public async Task A_mention_that_cannot_be_found_stays_plain_text_and_the_post_is_still_published()
    {
        var ben = await Server.SignUpAsync("men_ben", "professional");
        using var h = Server.Http(ben.Token);

        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Has anyone heard from @nobody@{Peer.Domain} or @someone@unreachable.invalid today?" });

        Assert.Equal("published", post.Str("status"));
        var html = post.Str("contentHtml");
        Assert.Contains($"@nobody@{Peer.Domain}", html, StringComparison.Ordinal);
        Assert.Contains("@someone@unreachable.invalid", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<a href=\"/@", html, StringComparison.Ordinal);
        using var anon = Server.Http();
        var status = await anon.GetFromJsonAsync<JsonElement>($"/api/v1/statuses/{post.Str("id")}");
        Assert.Equal(0, status.GetProperty("mentions").GetArrayLength());
    }

    [Fact]
    public async Task A_handle_written_with_another_servers_domain_does_not_link_to_the_local_account_of_that_name()
    {
        // "@cara@elsewhere" once linked to a local @cara: the handle belongs to the other server.
        var cara = await Server.SignUpAsync("men_cara", "professional");
        using var h = Server.Http(cara.Token);
        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Not me: @men_cara@{Peer.Domain}" });
        Assert.DoesNotContain("href=\"/@men_cara\"", post.Str("contentHtml"), StringComparison.Ordinal);
    }
}
