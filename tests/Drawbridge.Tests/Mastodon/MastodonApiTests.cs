using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Mastodon;

/// <summary>Mastodon's client API through a real server, with tokens made by the CLI verb as an operator would.</summary>
public sealed partial class MastodonApiTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    // Mastodon's documented keys (mastodon/documentation content/en/entities): each must be present, null where empty.
    private static readonly string[] StatusKeys = ["id", "uri", "created_at", "account", "content", "visibility", "sensitive", "spoiler_text",
        "media_attachments", "application", "mentions", "tags", "emojis", "reblogs_count", "favourites_count", "replies_count", "url",
        "in_reply_to_id", "in_reply_to_account_id", "reblog", "poll", "card", "language", "text", "edited_at", "favourited", "reblogged",
        "muted", "bookmarked", "pinned", "filtered"];

    private static readonly string[] AccountKeys = ["id", "username", "acct", "url", "display_name", "note", "avatar", "avatar_static", "header",
        "header_static", "locked", "fields", "emojis", "bot", "group", "discoverable", "created_at", "last_status_at", "statuses_count",
        "followers_count", "following_count"];

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$")]
    private static partial Regex Rfc3339();

    /// <summary>Runs <c>accounts token</c> as its own process against the server's data directory.</summary>
    private async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Drawbridge.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add($"--Drawbridge:DataDirectory={server.DataDirectory}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    private async Task<string> TokenAsync(string handle, string scopes)
    {
        var (exit, output, error) = await CliAsync("accounts", "token", handle, "--scopes", scopes);
        Assert.True(exit == 0, error);
        Assert.DoesNotContain('\n', output);
        return output;
    }

    private static void AssertKeys(JsonElement e, string[] keys, string what)
    {
        foreach (var k in keys)
        {
            Assert.True(e.TryGetProperty(k, out _), $"{what} lacks '{k}': {e}");
        }
    }

    [Fact]
    public async Task The_cli_prints_one_token_and_refuses_bad_usage_by_name()
    {
        await server.SignUpAsync("cli_nurse");
        var token = await TokenAsync("cli_nurse", "read write follow");
        using var http = server.Http(token);
        var me = await http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/verify_credentials");
        Assert.Equal("cli_nurse", me.GetProperty("username").GetString());
        MastodonSchema.AssertValid(me, "CredentialAccount");
        MastodonSchema.AssertValid(await http.GetFromJsonAsync<JsonElement>("/api/v1/preferences"), "Preferences");

        var noHandle = await CliAsync("accounts", "token");
        Assert.Equal(2, noHandle.Exit);
        Assert.Contains("HANDLE", noHandle.Err, StringComparison.Ordinal);
        var badScope = await CliAsync("accounts", "token", "cli_nurse", "--scopes", "read everything");
        Assert.Equal(2, badScope.Exit);
        Assert.Contains("--scopes", badScope.Err, StringComparison.Ordinal);
        var nobody = await CliAsync("accounts", "token", "nobody_here");
        Assert.Equal(1, nobody.Exit);
        Assert.Contains("@nobody_here", nobody.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instance_answers_as_Mastodon_4_2_compatible_with_CORS_for_browser_apps()
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/instance");
        request.Headers.Add("Origin", "https://elk.example");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Link", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
        Assert.Equal("300", response.Headers.GetValues("X-RateLimit-Limit").Single());
        var v2 = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("4.2.0 (compatible; Drawbridge", v2.GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, v2.GetProperty("api_versions").GetProperty("mastodon").GetInt32());
        Assert.StartsWith("ws://127.0.0.1", v2.GetProperty("configuration").GetProperty("urls").GetProperty("streaming").GetString(), StringComparison.Ordinal);
        Assert.Equal(500, v2.GetProperty("configuration").GetProperty("statuses").GetProperty("max_characters").GetInt32());
        MastodonSchema.AssertValid(v2, "Instance");
        var v1 = await http.GetFromJsonAsync<JsonElement>("/api/v1/instance");
        MastodonSchema.AssertValid(v1, "V1Instance");
        Assert.Equal(server.BaseAddress.Authority, v1.GetProperty("uri").GetString());
        Assert.True(v1.GetProperty("urls").TryGetProperty("streaming_api", out _));
        Assert.Equal("[]", await http.GetStringAsync("/api/v1/custom_emojis"));
        Assert.Equal("[]", await http.GetStringAsync("/api/v1/trends"));

        // A preflight from a browser app is answered for the headers Phanpy sends.
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/statuses");
        preflight.Headers.Add("Origin", "https://phanpy.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,idempotency-key");
        var pre = await http.SendAsync(preflight);
        Assert.True(pre.IsSuccessStatusCode);
        Assert.Contains("idempotency-key", pre.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Posting_replying_favouriting_and_reading_the_home_timeline_page_by_page()
    {
        var author = await server.SignUpAsync("mst_author", "professional");
        var reader = await server.SignUpAsync("mst_reader");
        var authorToken = await TokenAsync("mst_author", "read write follow");
        var readerToken = await TokenAsync("mst_reader", "read write follow");
        using var a = server.Http(authorToken);
        using var r = server.Http(readerToken);
        (await r.PostAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow", null)).EnsureSuccessStatusCode();

        // The same Idempotency-Key twice: one post, the same status back.
        async Task<JsonElement> Post(string text, string key, string? replyTo = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/statuses")
            {
                Content = JsonContent.Create(new { status = text, visibility = "public", in_reply_to_id = replyTo }),
            };
            request.Headers.Add("Idempotency-Key", key);
            var response = await a.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var first = await Post("Handover at 8 #nightshift", "key-1");
        var again = await Post("Handover at 8 #nightshift", "key-1");
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        AssertKeys(first, StatusKeys, "Status");
        MastodonSchema.AssertValid(first, "Status");
        AssertKeys(first.GetProperty("account"), AccountKeys, "Account");
        Assert.Matches(Rfc3339(), first.GetProperty("created_at").GetString());
        Assert.Equal("nightshift", first.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.StartsWith("http://127.0.0.1", first.GetProperty("url").GetString(), StringComparison.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            await Post($"Update {i}", $"key-more-{i}");
        }
        await server.DrainJobsAsync();

        var profile = await a.GetFromJsonAsync<JsonElement>("/api/v1/timelines/public?limit=40");
        Assert.Single(profile.EnumerateArray(), s => s.GetProperty("content").GetString()!.Contains("Handover at 8", StringComparison.Ordinal));

        // The reader's home timeline, two at a time, following the Link header.
        var seen = new List<string>();
        var next = "/api/v1/timelines/home?limit=2";
        for (var pages = 0; next is not null && pages < 10; pages++)
        {
            var response = await r.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            MastodonSchema.AssertEachValid(page, "Status");
            seen.AddRange(page.EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
            next = null;
            if (page.GetArrayLength() > 0 && response.Headers.TryGetValues("Link", out var links))
            {
                var link = links.Single();
                Assert.Contains("rel=\"prev\"", link, StringComparison.Ordinal);
                var m = Regex.Match(link, "<([^>]+)>; rel=\"next\"");
                Assert.True(m.Success, link);
                Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/'), m.Groups[1].Value, StringComparison.Ordinal);
                next = m.Groups[1].Value;
            }
        }
        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.OrderByDescending(long.Parse), seen);

        // The reader replies and favourites; the author is notified of both.
        var firstId = first.GetProperty("id").GetString()!;
        var reply = await (await r.PostAsJsonAsync("/api/v1/statuses", new { status = "@mst_author thanks!", in_reply_to_id = firstId })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(firstId, reply.GetProperty("in_reply_to_id").GetString());
        var fav = await (await r.PostAsync($"/api/v1/statuses/{firstId}/favourite", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(fav.GetProperty("favourited").GetBoolean());
        MastodonSchema.AssertValid(fav, "Status");
        Assert.Equal(1, fav.GetProperty("favourites_count").GetInt32());
        await server.DrainJobsAsync();
        var notifications = await a.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        var types = notifications.EnumerateArray().Select(n => n.GetProperty("type").GetString()).ToList();
        Assert.Contains("favourite", types);
        Assert.Contains("mention", types);
        Assert.Contains("follow", types);
        MastodonSchema.AssertEachValid(notifications, "Notification");
        foreach (var n in notifications.EnumerateArray())
        {
            AssertKeys(n, ["id", "type", "group_key", "created_at", "account"], "Notification");
        }
        var favourites = await a.GetFromJsonAsync<JsonElement>("/api/v1/notifications?types[]=favourite");
        Assert.All(favourites.EnumerateArray(), n => Assert.Equal("favourite", n.GetProperty("type").GetString()));
        Assert.Equal(firstId, favourites[0].GetProperty("status").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Missing_or_wrong_tokens_get_401_and_bad_input_a_named_error()
    {
        await server.SignUpAsync("mst_bad");
        using var anonymous = server.Http();
        var none = await anonymous.GetAsync("/api/v1/timelines/home");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var noneBody = await none.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The access token is invalid", noneBody.GetProperty("error").GetString());
        MastodonSchema.AssertValid(noneBody, "Error");
        using var wrong = server.Http("not-a-real-token-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/v1/timelines/public")).StatusCode);

        using var http = server.Http(await TokenAsync("mst_bad", "read write"));
        var badPage = await http.GetAsync("/api/v1/timelines/home?max_id=abc");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("max_id", (await badPage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        var empty = await http.PostAsJsonAsync("/api/v1/statuses", new { status = "  " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        var direct = await http.PostAsJsonAsync("/api/v1/statuses", new { status = "hi", visibility = "direct" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, direct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/statuses/12345")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/api/v1/statuses/nope/favourite", null)).StatusCode);
    }

    [Fact]
    public async Task Lookup_follow_relationships_profile_statuses_context_and_delete()
    {
        var author = await server.SignUpAsync("ctx_author");
        var reader = await server.SignUpAsync("ctx_reader");
        using var a = server.Http(await TokenAsync("ctx_author", "read write follow"));
        using var r = server.Http(await TokenAsync("ctx_reader", "read write follow"));

        var found = await r.GetFromJsonAsync<JsonElement>($"/api/v1/accounts/lookup?acct=ctx_author@{server.BaseAddress.Authority}");
        MastodonSchema.AssertValid(found, "Account");
        Assert.Equal(author.Id, found.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await r.GetAsync("/api/v1/accounts/lookup?acct=someone@elsewhere.example")).StatusCode);

        var followed = await (await r.PostAsync($"/api/v1/accounts/{author.Id}/follow", null)).Content.ReadFromJsonAsync<JsonElement>();
        MastodonSchema.AssertValid(followed, "Relationship");
        Assert.True(followed.GetProperty("following").GetBoolean());
        var relationships = await r.GetFromJsonAsync<JsonElement>($"/api/v1/accounts/relationships?id[]={author.Id}");
        MastodonSchema.AssertEachValid(relationships, "Relationship");
        Assert.True(relationships[0].GetProperty("following").GetBoolean());
        var back = await a.GetFromJsonAsync<JsonElement>($"/api/v1/accounts/relationships?id[]={reader.Id}");
        Assert.True(back[0].GetProperty("followed_by").GetBoolean());

        var root = await (await a.PostAsJsonAsync("/api/v1/statuses", new { status = "Root of the thread" })).Content.ReadFromJsonAsync<JsonElement>();
        var rootId = root.GetProperty("id").GetString();
        var reply = await (await r.PostAsJsonAsync("/api/v1/statuses", new { status = "A reply", in_reply_to_id = rootId })).Content.ReadFromJsonAsync<JsonElement>();
        var replyId = reply.GetProperty("id").GetString();
        var deeper = await (await a.PostAsJsonAsync("/api/v1/statuses", new { status = "A reply to the reply", in_reply_to_id = replyId })).Content.ReadFromJsonAsync<JsonElement>();

        var context = await r.GetFromJsonAsync<JsonElement>($"/api/v1/statuses/{replyId}/context");
        MastodonSchema.AssertValid(context, "Context");
        Assert.Equal([rootId], context.GetProperty("ancestors").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal([deeper.GetProperty("id").GetString()], context.GetProperty("descendants").EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        var withReplies = await r.GetFromJsonAsync<JsonElement>($"/api/v1/accounts/{author.Id}/statuses");
        MastodonSchema.AssertEachValid(withReplies, "Status");
        Assert.Equal(2, withReplies.GetArrayLength());
        var noReplies = await r.GetFromJsonAsync<JsonElement>($"/api/v1/accounts/{author.Id}/statuses?exclude_replies=true");
        Assert.Equal([rootId], noReplies.EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        // Only the author deletes; the answer carries the source text for redrafting.
        Assert.Equal(HttpStatusCode.Forbidden, (await r.DeleteAsync($"/api/v1/statuses/{rootId}")).StatusCode);
        var deleted = await a.DeleteAsync($"/api/v1/statuses/{rootId}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("Root of the thread", (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await r.GetAsync($"/api/v1/statuses/{rootId}")).StatusCode);

        var unfollowed = await (await r.PostAsync($"/api/v1/accounts/{author.Id}/unfollow", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(unfollowed.GetProperty("following").GetBoolean());
    }
}
