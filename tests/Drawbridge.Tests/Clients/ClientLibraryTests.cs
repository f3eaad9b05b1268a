using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Clients;

/// <summary>
/// Real Mastodon client libraries (npm, Node 22) against a real server: what an app built on them would do, each
/// scenario a script in tests/node/scenarios whose reports are checked here.
/// </summary>
public abstract class ClientLibraryTests(ClientHarnessFixture fixture, string library)
{
    protected DrawbridgeServer Server => fixture.Server;

    protected ClientHarnessFixture Fixture => fixture;

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task Signs_in_by_OAuth_through_the_consent_page_and_reads_who_it_is()
    {
        var person = await Server.SignUpAsync($"{library}_oauth");
        var run = await fixture.ScenarioAsync($"{library}-oauth", ("EMAIL", person.Email), ("PASSWORD", DrawbridgeServer.DefaultPassword));
        run.AssertSucceeded();
        Assert.Equal(person.Handle, run.Step("verify_credentials").GetProperty("username").GetString());
        // The token the app got works for the API as the person, with the scopes they allowed.
        using var http = Server.Http(run.Step("verify_credentials").GetProperty("token").GetString()!);
        var me = await http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/verify_credentials");
        Assert.Equal(person.Id, me.GetProperty("id").GetString());
        Assert.Contains("write", run.Step("token").GetProperty("scope").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posts_replies_favourites_pages_the_home_timeline_and_reads_notifications()
    {
        var author = await Server.SignUpAsync($"{library}_author", "professional");
        var reader = await Server.SignUpAsync($"{library}_reader");
        var run = await fixture.ScenarioAsync($"{library}-statuses", ("AUTHOR_TOKEN", author.Token), ("READER_TOKEN", reader.Token));
        run.AssertSucceeded();
        var posted = Strings(run.Step("posted").GetProperty("ids"));
        Assert.Equal(5, posted.Length);
        Assert.Equal(posted[4], run.Step("reply").GetProperty("inReplyToId").GetString());
        Assert.True(run.Step("favourite").GetProperty("favourited").GetBoolean());
        Assert.Equal(1, run.Step("favourite").GetProperty("favouritesCount").GetInt32());

        // Two a page, newest first: the reader's reply, then the five posts, every one once, in order.
        var pages = run.Step("home_pages").GetProperty("pages").EnumerateArray().Select(Strings).ToList();
        Assert.All(pages.Where(p => p.Length > 0), p => Assert.True(p.Length <= 2));
        var seen = pages.SelectMany(p => p).ToList();
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(posted.Reverse(), seen.Where(posted.Contains));
        Assert.Equal(6, seen.Count);

        var types = Strings(run.Step("notifications").GetProperty("types"));
        Assert.Equal(["favourite", "mention", "follow"], types);
        Assert.All(Strings(run.Step("notifications").GetProperty("from")), who => Assert.Equal(reader.Handle, who));
    }

    [Fact]
    public async Task Posts_with_an_image_and_finds_a_post_by_its_address_with_resolve()
    {
        var author = await Server.SignUpAsync($"{library}_photographer", "professional");
        var reader = await Server.SignUpAsync($"{library}_searcher");
        var run = await fixture.ScenarioAsync($"{library}-media-search", ("AUTHOR_TOKEN", author.Token), ("READER_TOKEN", reader.Token));
        run.AssertSucceeded();
        var media = run.Step("media");
        Assert.Equal("image", media.GetProperty("type").GetString());
        Assert.Equal("A blue square", media.GetProperty("description").GetString());
        var attachment = Assert.Single(run.Step("status_with_media").GetProperty("attachments").EnumerateArray());
        Assert.Equal(media.GetProperty("id").GetString(), attachment.GetProperty("id").GetString());
        Assert.Equal("A blue square", attachment.GetProperty("description").GetString());
        var search = run.Step("search_status");
        Assert.Equal([search.GetProperty("expected").GetString()!], Strings(search.GetProperty("ids")));
    }
}

[Trait("Category", "Clients")]
public sealed class MastoJsTests(ClientHarnessFixture harness) : ClientLibraryTests(harness, "masto"), IClassFixture<ClientHarnessFixture>
{
    [Fact]
    public async Task The_image_file_is_served_and_a_person_is_found_by_handle()
    {
        var author = await Server.SignUpAsync("masto_pictured", "professional");
        var reader = await Server.SignUpAsync("masto_finder");
        var run = await Fixture.ScenarioAsync("masto-media-search", ("AUTHOR_TOKEN", author.Token), ("READER_TOKEN", reader.Token));
        run.AssertSucceeded();
        Assert.Equal(200, run.Step("media_file").GetProperty("status").GetInt32());
        Assert.Equal("image/png", run.Step("media_file").GetProperty("type").GetString());
        Assert.Contains(author.Handle, run.Step("search_account").GetProperty("usernames").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task Streams_over_WebSocket_with_multiplexed_subscriptions()
    {
        var author = await Server.SignUpAsync("masto_streamer", "professional");
        var reader = await Server.SignUpAsync("masto_listener");
        var run = await Fixture.ScenarioAsync("masto-streaming", ("AUTHOR_TOKEN", author.Token), ("READER_TOKEN", reader.Token));
        run.AssertSucceeded();
        var local = run.Step("public_local");
        Assert.Equal("update", local.GetProperty("event").GetString());
        Assert.Equal(["public:local"], local.GetProperty("stream").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(["hashtag", "streamtest"], run.Step("hashtag").GetProperty("stream").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(local.GetProperty("id").GetString(), run.Step("hashtag").GetProperty("id").GetString());
        var note = run.Step("user_notification");
        Assert.Equal("favourite", note.GetProperty("type").GetString());
        Assert.Equal(author.Handle, note.GetProperty("from").GetString());
        Assert.Equal(note.GetProperty("expectedStatusId").GetString(), note.GetProperty("statusId").GetString());
        var deleted = run.Step("delete");
        Assert.Equal(local.GetProperty("id").GetString(), deleted.GetProperty("expected").GetString());
        Assert.Equal(local.GetProperty("id").GetString(), deleted.GetProperty("payload").GetString());
    }
}

[Trait("Category", "Clients")]
public sealed class MegalodonTests(ClientHarnessFixture harness) : ClientLibraryTests(harness, "megalodon"), IClassFixture<ClientHarnessFixture>
{
    [Fact]
    public async Task Streams_over_WebSocket_and_server_sent_events()
    {
        var author = await Server.SignUpAsync("megalodon_streamer", "professional");
        var reader = await Server.SignUpAsync("megalodon_listener");
        var run = await Fixture.ScenarioAsync("megalodon-streaming", ("AUTHOR_TOKEN", author.Token), ("READER_TOKEN", reader.Token));
        run.AssertSucceeded();
        var ws = run.Step("ws_update");
        Assert.Equal(ws.GetProperty("expected").GetString(), ws.GetProperty("id").GetString());
        Assert.Contains("Streaming to megalodon", ws.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, run.Step("sse_open").GetProperty("status").GetInt32());
        Assert.StartsWith("text/event-stream", run.Step("sse_open").GetProperty("type").GetString(), StringComparison.Ordinal);
        var sse = run.Step("sse_update");
        Assert.Equal("update", sse.GetProperty("event").GetString());
        Assert.Equal(sse.GetProperty("expected").GetString(), sse.GetProperty("id").GetString());
        Assert.Equal("favourite", run.Step("ws_notification").GetProperty("type").GetString());
        Assert.Equal(author.Handle, run.Step("ws_notification").GetProperty("from").GetString());
    }
}
