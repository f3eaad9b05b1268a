using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Events;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Streaming;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Mastodon;

/// <summary>A WebSocket or server-sent-events client of Mastodon's streaming API, as apps use it.</summary>
public sealed class StreamClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private StreamClient(ClientWebSocket socket) => _socket = socket;

    public string? SubProtocol => _socket.SubProtocol;

    public static async Task<StreamClient> ConnectAsync(DrawbridgeServer server, string query = "", string? protocolToken = null, string? bearer = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (protocolToken is not null)
        {
            socket.Options.AddSubProtocol(protocolToken);
        }
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
        var uri = new Uri($"ws://{server.BaseAddress.Authority}/api/v1/streaming{query}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(uri, timeout.Token);
        return new StreamClient(socket);
    }

    /// <summary>The HTTP status a refused handshake got.</summary>
    public static async Task<HttpStatusCode> RefusedAsync(DrawbridgeServer server, string query, string? protocolToken = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (protocolToken is not null)
        {
            socket.Options.AddSubProtocol(protocolToken);
        }
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/api/v1/streaming{query}"), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    public Task SendAsync(object message) =>
        _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>
    /// Subscribes, then sends a message the server must refuse and waits for that refusal: the server handles a
    /// connection's messages in order, so once the error is back the subscription is in place.
    /// </summary>
    public async Task SubscribeAsync(string stream, string? tag = null)
    {
        await SendAsync(new { type = "subscribe", stream, tag });
        await SendAsync(new { type = "subscribe", stream = "no-such-stream" });
        var ack = await NextAsync();
        Assert.Equal("Unknown stream type", ack.GetProperty("error").GetString());
    }

    /// <summary>The next frame (fails the test after 20 seconds without one, so a lost event can't hang the run).</summary>
    public async Task<JsonElement> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[1 << 20];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        _socket.Dispose();
    }
}

/// <summary>Mastodon's streaming API against a real server: WebSocket and server-sent events, who gets what, and slow readers.</summary>
public abstract class MastodonStreamingTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    protected TServer Server => server;

    protected static async Task<JsonElement> PostAsync(DrawbridgeServer on, TestUser author, string text, string visibility = "public", string? replyTo = null)
    {
        using var http = on.Http(author.Token);
        var response = await http.PostAsJsonAsync("/api/v1/statuses", new { status = text, visibility, in_reply_to_id = replyTo });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement Payload(JsonElement frame) => JsonDocument.Parse(frame.GetProperty("payload").GetString()!).RootElement;

    private static string[] Stream(JsonElement frame) => frame.GetProperty("stream").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task A_client_with_its_token_as_subprotocol_gets_it_echoed_and_new_public_posts_as_Mastodon_frames()
    {
        var author = await server.SignUpAsync("st_author", "professional");
        var reader = await server.SignUpAsync("st_reader");
        await using var ws = await StreamClient.ConnectAsync(server, protocolToken: reader.Token);
        Assert.Equal(reader.Token, ws.SubProtocol);
        await ws.SubscribeAsync("public:local");

        var posted = await PostAsync(server, author, "Flu clinics open on Saturday #vaccines");
        var frame = await ws.NextAsync();
        Assert.Equal(["public:local"], Stream(frame));
        Assert.Equal("update", frame.GetProperty("event").GetString());
        var status = Payload(frame);
        Assert.Equal(posted.GetProperty("id").GetString(), status.GetProperty("id").GetString());
        Assert.Contains("Flu clinics open on Saturday", status.GetProperty("content").GetString(), StringComparison.Ordinal);
        MastodonSchema.AssertValid(status, "Status");

        // Deleting it tells the same stream, with the bare id as payload.
        using var http = server.Http(author.Token);
        (await http.DeleteAsync($"/api/v1/statuses/{status.GetProperty("id").GetString()}")).EnsureSuccessStatusCode();
        var deleted = await ws.NextAsync();
        Assert.Equal("delete", deleted.GetProperty("event").GetString());
        Assert.Equal(status.GetProperty("id").GetString(), deleted.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Hashtag_streams_name_their_tag_and_unsubscribing_stops_them()
    {
        var author = await server.SignUpAsync("st_tagger", "professional");
        await using var ws = await StreamClient.ConnectAsync(server, bearer: author.Token);
        await ws.SubscribeAsync("hashtag", "Midwifery");
        await ws.SubscribeAsync("public:local");

        await PostAsync(server, author, "Reply to the survey please #midwifery");
        var frames = new[] { await ws.NextAsync(), await ws.NextAsync() };
        Assert.Contains(frames, f => Stream(f) is ["hashtag", "midwifery"]);
        Assert.Contains(frames, f => Stream(f) is ["public:local"]);

        await ws.SendAsync(new { type = "unsubscribe", stream = "hashtag", tag = "midwifery" });
        await ws.SendAsync(new { type = "subscribe", stream = "no-such-stream" });
        Assert.Equal("Unknown stream type", (await ws.NextAsync()).GetProperty("error").GetString());
        await PostAsync(server, author, "Second survey reminder #midwifery");
        await PostAsync(server, author, "An untagged post");
        // Only the local timeline's frames come, one a post: were the hashtag still there, its frame would come between.
        var second = await ws.NextAsync();
        Assert.Equal(["public:local"], Stream(second));
        Assert.Contains("Second survey reminder", Payload(second).GetProperty("content").GetString(), StringComparison.Ordinal);
        var next = await ws.NextAsync();
        Assert.Equal(["public:local"], Stream(next));
        Assert.Contains("An untagged post", Payload(next).GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_user_stream_gets_followers_only_posts_and_notifications_that_others_never_see()
    {
        var author = await server.SignUpAsync("st_private", "professional");
        var follower = await server.SignUpAsync("st_follower");
        var stranger = await server.SignUpAsync("st_stranger");
        using (var f = server.Http(follower.Token))
        {
            (await f.PostAsync($"/api/v1/accounts/{author.Id}/follow", null)).EnsureSuccessStatusCode();
        }
        // megalodon's way: one stream per connection, token in the query.
        await using var followerWs = await StreamClient.ConnectAsync(server, $"?stream=user&access_token={follower.Token}");
        await using var authorWs = await StreamClient.ConnectAsync(server, $"?stream=user:notification&access_token={author.Token}");
        await using var strangerWs = await StreamClient.ConnectAsync(server, bearer: stranger.Token);
        await strangerWs.SubscribeAsync("user");
        await strangerWs.SubscribeAsync("public:local");
        await followerWs.SendAsync(new { type = "subscribe", stream = "no-such-stream" });
        Assert.Equal("Unknown stream type", (await followerWs.NextAsync()).GetProperty("error").GetString());
        await authorWs.SendAsync(new { type = "subscribe", stream = "no-such-stream" });
        Assert.Equal("Unknown stream type", (await authorWs.NextAsync()).GetProperty("error").GetString());

        var secret = await PostAsync(server, author, "Ward team only: rota swap thread", "private");
        var got = await followerWs.NextAsync();
        Assert.Equal(["user"], Stream(got));
        Assert.Equal("private", Payload(got).GetProperty("visibility").GetString());
        Assert.Equal(secret.GetProperty("id").GetString(), Payload(got).GetProperty("id").GetString());

        // The stranger's next frame is the public post that came after: the followers-only one never reached them.
        var open = await PostAsync(server, author, "Open day at the birth centre");
        var strangers = await strangerWs.NextAsync();
        Assert.Equal(open.GetProperty("id").GetString(), Payload(strangers).GetProperty("id").GetString());
        Assert.Equal(["public:local"], Stream(strangers));

        using (var f = server.Http(follower.Token))
        {
            (await f.PostAsync($"/api/v1/statuses/{open.GetProperty("id").GetString()}/favourite", null)).EnsureSuccessStatusCode();
        }
        var note = await authorWs.NextAsync();
        Assert.Equal(["user:notification"], Stream(note));
        Assert.Equal("notification", note.GetProperty("event").GetString());
        var notification = Payload(note);
        Assert.Equal("favourite", notification.GetProperty("type").GetString());
        Assert.Equal("st_follower", notification.GetProperty("account").GetProperty("username").GetString());
        MastodonSchema.AssertValid(notification, "Notification");
    }

    [Fact]
    public async Task A_list_stream_gets_its_members_posts_for_its_owner_only()
    {
        var member = await server.SignUpAsync("st_listed", "professional");
        var owner = await server.SignUpAsync("st_list_owner");
        var other = await server.SignUpAsync("st_list_other");
        using var o = server.Http(owner.Token);
        (await o.PostAsync($"/api/v1/accounts/{member.Id}/follow", null)).EnsureSuccessStatusCode();
        var list = await (await o.PostAsJsonAsync("/api/v1/lists", new { title = "Midwives" })).Content.ReadFromJsonAsync<JsonElement>();
        var listId = list.GetProperty("id").GetString()!;
        (await o.PostAsJsonAsync($"/api/v1/lists/{listId}/accounts", new { account_ids = new[] { member.Id } })).EnsureSuccessStatusCode();

        await using var ownerWs = await StreamClient.ConnectAsync(server, $"?stream=list&list={listId}&access_token={owner.Token}");
        await using var otherWs = await StreamClient.ConnectAsync(server, bearer: other.Token);
        await ownerWs.SendAsync(new { type = "subscribe", stream = "no-such-stream" });
        Assert.Equal("Unknown stream type", (await ownerWs.NextAsync()).GetProperty("error").GetString());
        // Someone else's list id: accepted, but nothing of it comes to them.
        await otherWs.SendAsync(new { type = "subscribe", stream = "list", list = listId });
        await otherWs.SubscribeAsync("public:local");

        var posted = await PostAsync(server, member, "For the list");
        var frame = await ownerWs.NextAsync();
        Assert.Equal(["list", listId], Stream(frame));
        Assert.Equal(posted.GetProperty("id").GetString(), Payload(frame).GetProperty("id").GetString());
        Assert.Equal(["public:local"], Stream(await otherWs.NextAsync()));
    }

    [Fact]
    public async Task The_user_stream_follows_the_home_rules_for_exclusive_lists_and_followed_tags_and_says_when_filters_change()
    {
        var listed = await server.SignUpAsync("st_excl_listed", "professional");
        var followed = await server.SignUpAsync("st_excl_followed", "professional");
        var tagger = await server.SignUpAsync("st_excl_tagger", "professional");
        var reader = await server.SignUpAsync("st_excl_reader");
        var other = await server.SignUpAsync("st_excl_other");
        using var r = server.Http(reader.Token);
        (await r.PostAsync($"/api/v1/accounts/{listed.Id}/follow", null)).EnsureSuccessStatusCode();
        (await r.PostAsync($"/api/v1/accounts/{followed.Id}/follow", null)).EnsureSuccessStatusCode();
        (await r.PostAsync("/api/v1/tags/stexclward/follow", null)).EnsureSuccessStatusCode();
        var list = await (await r.PostAsJsonAsync("/api/v1/lists", new { title = "Ward", exclusive = true })).Content.ReadFromJsonAsync<JsonElement>();
        var listId = list.GetProperty("id").GetString()!;
        (await r.PostAsJsonAsync($"/api/v1/lists/{listId}/accounts", new { account_ids = new[] { listed.Id } })).EnsureSuccessStatusCode();

        await using var ws = await StreamClient.ConnectAsync(server, bearer: reader.Token);
        await ws.SendAsync(new { type = "subscribe", stream = "list", list = listId });
        await ws.SubscribeAsync("user");

        // In order: the exclusive list's member reaches the list only, the tag reaches home, the followed account home.
        var inList = await PostAsync(server, listed, "Only on the ward list");
        var frame = await ws.NextAsync();
        Assert.Equal(["list", listId], Stream(frame));
        Assert.Equal(inList.GetProperty("id").GetString(), Payload(frame).GetProperty("id").GetString());
        var tagged = await PostAsync(server, tagger, "News for the ward #StExclWard");
        frame = await ws.NextAsync();
        Assert.Equal(["user"], Stream(frame));
        Assert.Equal(tagged.GetProperty("id").GetString(), Payload(frame).GetProperty("id").GetString());
        var plain = await PostAsync(server, followed, "An ordinary update");
        frame = await ws.NextAsync();
        Assert.Equal(["user"], Stream(frame));
        Assert.Equal(plain.GetProperty("id").GetString(), Payload(frame).GetProperty("id").GetString());

        // Changing a filter tells the owner's user stream (no payload), and no one else's.
        await using var otherWs = await StreamClient.ConnectAsync(server, bearer: other.Token);
        await otherWs.SubscribeAsync("user");
        var filter = await r.PostAsJsonAsync("/api/v2/filters", new { title = "Rotas", context = new[] { "home" }, keywords_attributes = new[] { new { keyword = "rota" } } });
        Assert.Equal(HttpStatusCode.OK, filter.StatusCode);
        frame = await ws.NextAsync();
        Assert.Equal("filters_changed", frame.GetProperty("event").GetString());
        Assert.Equal(["user"], Stream(frame));
        Assert.False(frame.TryGetProperty("payload", out _));
        var filterId = (await filter.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await r.DeleteAsync($"/api/v2/filters/{filterId}")).EnsureSuccessStatusCode();
        Assert.Equal("filters_changed", (await ws.NextAsync()).GetProperty("event").GetString());
        var theirs = await PostAsync(server, other, "Something public");
        Assert.Equal("update", (await otherWs.NextAsync()).GetProperty("event").GetString());
    }

    [Fact]
    public async Task A_direct_message_reaches_only_the_people_in_it_as_an_update_and_a_conversation()
    {
        var nurse = await server.SignUpAsync("st_dm_nurse");
        var follower = await server.SignUpAsync("st_dm_follower");
        await using var nurseWs = await StreamClient.ConnectAsync(server, bearer: nurse.Token);
        await nurseWs.SendAsync(new { type = "subscribe", stream = "direct" });
        await nurseWs.SubscribeAsync("user");
        await using var followerWs = await StreamClient.ConnectAsync(server, bearer: follower.Token);
        await followerWs.SendAsync(new { type = "subscribe", stream = "direct" });
        await followerWs.SubscribeAsync("user");

        // A direct message from another server, stored and announced as the inbox does it; the follower follows its author.
        long dm;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
            var ids = scope.ServiceProvider.GetRequiredService<Snowflake>();
            var events = scope.ServiceProvider.GetRequiredService<DomainEvents>();
            var remote = new Account
            {
                Id = ids.Next(), Handle = "st_patient", HandleKey = "st_patient", Domain = "elsewhere.example", DisplayName = "A patient",
                Uri = "https://elsewhere.example/users/st_patient", Url = "https://elsewhere.example/@st_patient", CreatedAt = DateTime.UtcNow,
            };
            db.Accounts.Add(remote);
            db.Follows.Add(new Follow { FollowerId = long.Parse(follower.Id), FolloweeId = remote.Id, CreatedAt = DateTime.UtcNow, State = FollowState.Accepted });
            await db.SaveChangesAsync();
            dm = ids.Next();
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Posts.Add(new Post
            {
                Id = dm, AuthorId = remote.Id, Content = "A private question", ContentHtml = "<p>A private question</p>", ConversationId = dm,
                Visibility = Visibility.Direct, Status = PostStatus.Published, CreatedAt = DateTime.UtcNow, Local = false, Uri = $"https://elsewhere.example/notes/{dm}",
            });
            db.PostMentions.Add(new PostMention { PostId = dm, AccountId = long.Parse(nurse.Id) });
            await events.RaiseAsync(db, new PostPublished(dm, remote.Id, Visibility.Direct, dm, null, null, [long.Parse(nurse.Id)]), CancellationToken.None);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // The status on the user stream, the mention's notification there too, and the conversation on the direct stream.
        var frames = new[] { await nurseWs.NextAsync(), await nurseWs.NextAsync(), await nurseWs.NextAsync() }.ToDictionary(f => f.GetProperty("event").GetString()!);
        Assert.Equal("mention", Payload(frames["notification"]).GetProperty("type").GetString());
        Assert.Equal(["user"], Stream(frames["update"]));
        Assert.Equal(dm.ToString(), Payload(frames["update"]).GetProperty("id").GetString());
        Assert.Equal(["direct"], Stream(frames["conversation"]));
        var conversation = Payload(frames["conversation"]);
        Assert.Equal(dm.ToString(), conversation.GetProperty("id").GetString());
        Assert.Equal(dm.ToString(), conversation.GetProperty("last_status").GetProperty("id").GetString());
        Assert.Equal(["st_patient@elsewhere.example"], conversation.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("acct").GetString()));

        // The author's follower, not in it, gets nothing of it: the next thing on their stream is their own post.
        await PostAsync(server, follower, "My own news");
        var next = await followerWs.NextAsync();
        Assert.Equal("update", next.GetProperty("event").GetString());
        Assert.Equal("My own news", Payload(next).GetProperty("content").GetString()!.Replace("<p>", "").Replace("</p>", ""));
    }

    [Fact]
    public async Task Muted_and_blocking_authors_never_reach_the_public_streams_of_those_concerned()
    {
        var loud = await server.SignUpAsync("st_loud", "professional");
        var quiet = await server.SignUpAsync("st_quiet", "professional");
        var reader = await server.SignUpAsync("st_muter");
        var blocked = await server.SignUpAsync("st_blocked");
        using (var r = server.Http(reader.Token))
        {
            (await r.PostAsync($"/api/drawbridge/v1/accounts/{loud.Id}/mute", null)).EnsureSuccessStatusCode();
        }
        using (var l = server.Http(loud.Token))
        {
            (await l.PostAsync($"/api/drawbridge/v1/accounts/{blocked.Id}/block", null)).EnsureSuccessStatusCode();
        }
        await using var readerWs = await StreamClient.ConnectAsync(server, bearer: reader.Token);
        await using var blockedWs = await StreamClient.ConnectAsync(server, bearer: blocked.Token);
        await readerWs.SubscribeAsync("public:local");
        await blockedWs.SubscribeAsync("public:local");

        await PostAsync(server, loud, "Muted and blocked people don't see this");
        var after = await PostAsync(server, quiet, "Everyone sees this one");
        foreach (var ws in new[] { readerWs, blockedWs })
        {
            var frame = await ws.NextAsync();
            Assert.Equal(after.GetProperty("id").GetString(), Payload(frame).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Streams_refuse_bad_tokens_missing_ones_and_scopes_that_do_not_cover_them()
    {
        var someone = await server.SignUpAsync("st_scopes");
        Assert.Equal(HttpStatusCode.Unauthorized, await StreamClient.RefusedAsync(server, "?stream=public", protocolToken: "not-a-real-token-at-all"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StreamClient.RefusedAsync(server, "?stream=user"));
        Assert.Equal(HttpStatusCode.BadRequest, await StreamClient.RefusedAsync(server, "?stream=hashtag"));

        string notificationsOnly;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<Drawbridge.Accounts.AccessTokenService>();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Drawbridge.Accounts.User>>();
            notificationsOnly = await tokens.IssueAsync(await users.FindByEmailAsync(someone.Email), "notifications app", "read:notifications", null, CancellationToken.None);
        }
        Assert.Equal(HttpStatusCode.Forbidden, await StreamClient.RefusedAsync(server, $"?stream=user&access_token={notificationsOnly}"));
        await using var ws = await StreamClient.ConnectAsync(server, $"?stream=user:notification&access_token={notificationsOnly}");
        await ws.SendAsync(new { type = "subscribe", stream = "public" });
        var refused = await ws.NextAsync();
        Assert.Equal("This action is outside the authorized scopes", refused.GetProperty("error").GetString());
        Assert.Equal(403, refused.GetProperty("status").GetInt32());

        // Anyone may listen to public streams, as the public timelines are open; a person's stream needs a token.
        await using var anonymous = await StreamClient.ConnectAsync(server);
        await anonymous.SendAsync(new { type = "subscribe", stream = "user" });
        Assert.Equal("Missing access token", (await anonymous.NextAsync()).GetProperty("error").GetString());
        await anonymous.SendAsync("not json");
        Assert.Equal(400, (await anonymous.NextAsync()).GetProperty("status").GetInt32());

        using var http = server.Http();
        var sse = await http.GetAsync("/api/v1/streaming/user");
        Assert.Equal(HttpStatusCode.Unauthorized, sse.StatusCode);
        Assert.Equal("application/json", sse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/streaming/everything")).StatusCode);
    }

    [Fact]
    public async Task Server_sent_events_carry_the_entity_itself_and_health_answers_OK()
    {
        var author = await server.SignUpAsync("st_sse", "professional");
        using var http = server.Http();
        Assert.Equal("OK", await http.GetStringAsync("/api/v1/streaming/health"));

        using var listen = server.Http(author.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await listen.GetAsync("/api/v1/streaming/hashtag/local?tag=nursing", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        // The first comment says the stream is open (and so subscribed) before anything is posted.
        Assert.Equal(":)", await lines.ReadLineAsync(timeout.Token));

        var posted = await PostAsync(server, author, "Night shift tips thread #Nursing");
        string? line;
        while ((line = await lines.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("event:", StringComparison.Ordinal))
        {
        }
        Assert.Equal("event: update", line);
        var data = await lines.ReadLineAsync(timeout.Token);
        Assert.StartsWith("data: ", data, StringComparison.Ordinal);
        var status = JsonDocument.Parse(data!["data: ".Length..]).RootElement;
        Assert.Equal(posted.GetProperty("id").GetString(), status.GetProperty("id").GetString());
        MastodonSchema.AssertValid(status, "Status");
    }

    [Fact]
    public async Task A_client_that_never_reads_is_dropped_and_what_was_queued_for_it_is_let_go()
    {
        var hub = server.Services.GetRequiredService<StreamingHub>();
        var droppedBefore = hub.Dropped;
        // A raw socket: the handshake is read, then nothing ever again.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /api/v1/streaming?stream=public:local HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var handshake = new StringBuilder();
        var one = new byte[1];
        while (!handshake.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await stream.ReadAsync(one));
            handshake.Append((char)one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101", handshake.ToString(), StringComparison.Ordinal);

        // 1,000 events of 128 kB each (64 k characters): 128 MB in all, were it kept for the client.
        var audience = new StreamAudience { Public = true };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 1000 && hub.Dropped == droppedBefore; i++)
        {
            hub.Deliver("update", _ => new string('x', 64 * 1024), null, audience);
            if (i % 50 == 49)
            {
                await Task.Delay(50); // lets the connection's sender fill the socket's buffers
            }
        }
        Assert.Equal(droppedBefore + 1, hub.Dropped);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        // Well under the 128 MB sent: the connection's queue (256 events, here up to 32 MB) is let go with it; other
        // tests running beside this one allocate on the same heap, so the bound leaves room for them.
        Assert.True(after - before < 64 * 1024 * 1024, $"Memory grew by {(after - before) / 1024 / 1024} MB for one client that never read");

        // The server cut the connection: reading now reaches its end (or a reset) after what was already sent.
        var sink = new byte[1 << 16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await stream.ReadAsync(sink, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
        Assert.False(timeout.IsCancellationRequested, "The connection stayed open");
    }
}

public sealed class SqliteMastodonStreamingTests(DrawbridgeServer server) : MastodonStreamingTests<DrawbridgeServer>(server);

/// <summary>On PostgreSQL, with a second app node on the same database: a post made on one reaches listeners on the other.</summary>
public sealed class PostgresMastodonStreamingTests(PostgresDrawbridgeServer server) : MastodonStreamingTests<PostgresDrawbridgeServer>(server)
{
    private sealed class SecondNode(string connectionString) : DrawbridgeServer(DatabaseKind.Postgres, new Dictionary<string, string?> { ["ConnectionStrings:Drawbridge"] = connectionString });

    [Fact]
    public async Task A_post_on_one_node_reaches_a_listener_on_another()
    {
        var other = new SecondNode(Server.ConnectionString!);
        await ((IAsyncLifetime)other).InitializeAsync();
        try
        {
            await other.Services.GetRequiredService<PostgresStreamListener>().Ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Server.Services.GetRequiredService<PostgresStreamListener>().Ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var author = await Server.SignUpAsync("st_node_a", "professional");
            // The second node's first request starts it up (compiling, pools); this one is not the one under test.
            using (var warm = other.Http(author.Token))
            {
                (await warm.GetAsync("/api/v1/accounts/verify_credentials")).EnsureSuccessStatusCode();
            }

            await using var ws = await StreamClient.ConnectAsync(other, bearer: author.Token);
            await ws.SubscribeAsync("public:local");
            var posted = await PostAsync(Server, author, "Posted on the first node");
            var frame = await ws.NextAsync();
            var status = JsonDocument.Parse(frame.GetProperty("payload").GetString()!).RootElement;
            Assert.Equal(posted.GetProperty("id").GetString(), status.GetProperty("id").GetString());
            // Links are made with the second node's own address, as its client reached it.
            Assert.StartsWith(other.BaseAddress.ToString().TrimEnd('/'), status.GetProperty("url").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)other).DisposeAsync();
        }
    }
}
