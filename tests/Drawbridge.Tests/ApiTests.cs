using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests;

/// <summary>The JSON API, end to end over a real socket; run once on SQLite and once on PostgreSQL.</summary>
public abstract class ApiTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    private static int _counter;

    protected TServer Server { get; } = server;

    private static string Handle(string stem) => $"{stem}{Interlocked.Increment(ref _counter)}";

    private Task<TestUser> SignUp(string stem, string kind = "member") => Server.SignUpAsync(Handle(stem), kind);

    [Fact]
    public async Task Sign_up_refuses_a_taken_handle_and_a_taken_email_naming_each()
    {
        var user = await SignUp("taken");
        using var http = Server.Http();
        var sameHandle = await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle = user.Handle.ToUpperInvariant(), displayName = "X", email = "other@example.org", password = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.Conflict, sameHandle.StatusCode);
        Assert.Equal("application/problem+json", sameHandle.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already taken", (await sameHandle.ReadJsonAsync()).Str("detail"), StringComparison.Ordinal);
        var sameEmail = await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle = Handle("fresh"), displayName = "X", email = user.Email, password = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.Conflict, sameEmail.StatusCode);
        Assert.Contains("email address already exists", (await sameEmail.ReadJsonAsync()).Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a", "handle")]
    [InlineData("no spaces", "handle")]
    [InlineData("search", "handle")]
    public async Task Sign_up_with_a_bad_handle_is_a_validation_problem(string handle, string field)
    {
        using var http = Server.Http();
        var response = await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle, displayName = "X", email = $"{Guid.NewGuid():N}@example.org", password = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.False(await Server.Http().GetAsync($"/api/drawbridge/v1/accounts/{Uri.EscapeDataString(handle)}") is { StatusCode: HttpStatusCode.OK });
    }

    [Fact]
    public async Task Sign_up_with_a_short_password_says_so_and_leaves_no_account_behind()
    {
        using var http = Server.Http();
        var handle = Handle("shortpw");
        var response = await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle, displayName = "X", email = $"{handle}@example.org", password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at least 10 characters", (await response.ReadJsonAsync()).GetProperty("errors").GetProperty("password")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/drawbridge/v1/accounts/{handle}")).StatusCode);
    }

    [Fact]
    public async Task A_token_needs_the_right_password_and_a_confirmed_email()
    {
        using var http = Server.Http();
        var handle = Handle("unconfirmed");
        (await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle, displayName = "U", email = $"{handle}@example.org", password = DrawbridgeServer.DefaultPassword })).EnsureSuccessStatusCode();
        var unconfirmed = await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", new { email = $"{handle}@example.org", password = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.Forbidden, unconfirmed.StatusCode);
        await Server.ConfirmEmailAsync($"{handle}@example.org");
        var wrong = await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", new { email = $"{handle}@example.org", password = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Http("made-up-token-123").GetAsync("/api/drawbridge/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Sign_up_emails_a_confirmation_link_that_confirms_the_address()
    {
        using var http = Server.Http();
        var handle = Handle("mailed");
        var email = $"{handle}@example.org";
        (await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle, displayName = "M", email, password = DrawbridgeServer.DefaultPassword })).EnsureSuccessStatusCode();
        var mail = Server.Services.GetRequiredService<Drawbridge.Accounts.Mailer>().Recent.Last(m => m.To == email);
        var link = new Uri(mail.Body.Split('\n').Single(l => l.Contains("/auth/confirm-email", StringComparison.Ordinal)).Trim());
        var page = await http.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var token = await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", new { email, password = DrawbridgeServer.DefaultPassword });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
    }

    [Fact]
    public async Task A_post_reaches_followers_home_timelines_and_not_others()
    {
        var author = await SignUp("author", "professional");
        var follower = await SignUp("follower");
        var stranger = await SignUp("stranger");
        using var f = Server.Http(follower.Token);
        await f.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow");
        await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Ward round done #WeNurses" });
        await Server.DrainJobsAsync();
        Assert.Contains("Ward round done #WeNurses", (await f.GetJsonAsync("/api/drawbridge/v1/timelines/home")).Contents());
        Assert.DoesNotContain("Ward round done #WeNurses", (await Server.Http(stranger.Token).GetJsonAsync("/api/drawbridge/v1/timelines/home")).Contents());
        var tagged = await Server.Http().GetJsonAsync("/api/drawbridge/v1/timelines/tags/wenurses");
        Assert.Contains("Ward round done #WeNurses", tagged.Contents());
    }

    [Fact]
    public async Task A_reader_who_keeps_polling_sees_each_change_to_their_home_timeline_at_once()
    {
        var author = await SignUp("pollauthor", "professional");
        var reader = await SignUp("pollreader");
        using var r = Server.Http(reader.Token);
        using var a = Server.Http(author.Token);
        await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow");
        async Task<List<JsonElement>> HomeAsync() => [.. (await r.GetJsonAsync("/api/drawbridge/v1/timelines/home?limit=40")).EnumerateArray()];
        Assert.Empty(await HomeAsync());
        Assert.Empty(await HomeAsync()); // read twice, so the second read can come from what the first kept

        var created = await a.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Flu clinic open until 8pm today" });
        var postId = (await created.Content.ReadFromJsonAsync<JsonElement>()).Str("id");
        await Server.DrainJobsAsync();
        var home = await HomeAsync();
        Assert.Equal(postId, Assert.Single(home).Str("id"));
        Assert.False(home[0].GetProperty("liked").GetBoolean());

        await r.PostJsonAsync($"/api/drawbridge/v1/posts/{postId}/like");
        Assert.True(Assert.Single(await HomeAsync()).GetProperty("liked").GetBoolean());

        await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/mute");
        Assert.Empty(await HomeAsync());
        await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/unmute");
        Assert.Single(await HomeAsync());

        (await a.DeleteAsync($"/api/drawbridge/v1/posts/{postId}")).EnsureSuccessStatusCode();
        Assert.Empty(await HomeAsync());

        var mine = await r.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "My own note shows in my timeline straight away" });
        mine.EnsureSuccessStatusCode();
        Assert.Contains("My own note shows in my timeline straight away", (await HomeAsync()).Select(p => p.Str("content")));

        await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/unfollow");
        await a.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Not for former followers" });
        await Server.DrainJobsAsync();
        Assert.DoesNotContain("Not for former followers", (await HomeAsync()).Select(p => p.Str("content")));
    }

    [Fact]
    public async Task Many_posts_at_once_from_many_people_are_all_published_and_reach_a_common_follower()
    {
        var authors = new List<TestUser>();
        for (var i = 0; i < 6; i++)
        {
            authors.Add(await SignUp("burst", "professional"));
        }
        var reader = await SignUp("burstreader");
        using var r = Server.Http(reader.Token);
        foreach (var a in authors)
        {
            await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{a.Id}/follow");
        }
        var stamp = Guid.NewGuid().ToString("N")[..8];
        var sends = authors.SelectMany((a, i) => Enumerable.Range(0, 5).Select(async n =>
        {
            using var http = Server.Http(a.Token);
            var response = await http.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = $"Burst {stamp} from {i} number {n}" });
            return response.StatusCode;
        })).ToList();
        var statuses = await Task.WhenAll(sends);
        Assert.All(statuses, s => Assert.Equal(System.Net.HttpStatusCode.Created, s));
        await Server.DrainJobsAsync();
        var home = (await r.GetJsonAsync("/api/drawbridge/v1/timelines/home?limit=40")).Contents();
        Assert.Equal(30, home.Count(c => c.Contains($"Burst {stamp}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Following_fills_the_home_timeline_with_recent_posts_and_unfollowing_removes_them()
    {
        var author = await SignUp("backfill");
        var reader = await SignUp("reader");
        await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Posted before you followed" });
        using var r = Server.Http(reader.Token);
        await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow");
        Assert.Contains("Posted before you followed", (await r.GetJsonAsync("/api/drawbridge/v1/timelines/home")).Contents());
        var relationship = await r.PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/unfollow");
        Assert.False(relationship.GetProperty("following").GetBoolean());
        Assert.DoesNotContain("Posted before you followed", (await r.GetJsonAsync("/api/drawbridge/v1/timelines/home")).Contents());
    }

    [Fact]
    public async Task Replies_make_a_thread_and_a_deleted_post_leaves_a_tombstone()
    {
        var a = await SignUp("threada");
        var b = await SignUp("threadb");
        using var ha = Server.Http(a.Token);
        using var hb = Server.Http(b.Token);
        var root = await ha.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Root of the thread" });
        var reply = await hb.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "A reply", inReplyToId = root.Str("id") });
        var nested = await ha.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "A reply to the reply", inReplyToId = reply.Str("id") });
        Assert.Equal(root.Str("id"), nested.Str("conversationId"));
        Assert.Equal(HttpStatusCode.NoContent, (await hb.DeleteAsync($"/api/drawbridge/v1/posts/{reply.Str("id")}")).StatusCode);
        var thread = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{nested.Str("id")}/thread");
        var items = thread.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal([0, 1, 2], items.Select(i => i.GetProperty("depth").GetInt32()));
        Assert.True(items[1].GetProperty("post").GetProperty("deleted").GetBoolean());
        Assert.Equal("", items[1].GetProperty("post").Str("content"));
        Assert.Equal("A reply to the reply", items[2].GetProperty("post").Str("content"));
        var notifications = await ha.GetJsonAsync("/api/drawbridge/v1/notifications");
        Assert.Contains(notifications.EnumerateArray(), n => n.Str("kind") == "reply");
    }

    [Fact]
    public async Task Someone_elses_post_cant_be_edited_or_deleted()
    {
        var a = await SignUp("owner");
        var b = await SignUp("intruder");
        var post = await Server.Http(a.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Mine" });
        using var hb = Server.Http(b.Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await hb.DeleteAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hb.PutAsJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}", new { text = "Theirs" })).StatusCode);
        Assert.Equal("Mine", (await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).Str("content"));
    }

    [Fact]
    public async Task Edits_keep_a_public_history()
    {
        var a = await SignUp("editor");
        using var h = Server.Http(a.Token);
        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "First version" });
        var put = await h.PutAsJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}", new { text = "Second version" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var current = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}");
        Assert.Equal("Second version", current.Str("content"));
        Assert.NotEqual(JsonValueKind.Null, current.GetProperty("editedAt").ValueKind);
        var history = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}/history");
        Assert.Equal("First version", history[0].Str("content"));
    }

    [Fact]
    public async Task Post_length_is_checked_and_nothing_is_stored_when_refused()
    {
        var a = await SignUp("long");
        using var h = Server.Http(a.Token);
        var tooLong = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = new string('x', 501) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("up to 500 characters; this one is 501", (await tooLong.ReadJsonAsync()).GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
        var empty = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "   " });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var exactly = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = new string('é', 500) });
        Assert.Equal(HttpStatusCode.Created, exactly.StatusCode);
        var mine = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{a.Handle}/posts");
        Assert.Single(mine.EnumerateArray());
    }

    [Fact]
    public async Task Malformed_json_and_wrong_types_get_problem_details_not_errors()
    {
        var a = await SignUp("malformed");
        using var h = Server.Http(a.Token);
        var broken = await h.PostAsync("/api/drawbridge/v1/posts", new StringContent("{\"text\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        var badVisibility = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "hi", visibility = "everyone" });
        Assert.Equal(HttpStatusCode.BadRequest, badVisibility.StatusCode);
        Assert.Contains("public, unlisted or followers", (await badVisibility.ReadJsonAsync()).GetProperty("errors").GetProperty("visibility")[0].GetString(), StringComparison.Ordinal);
        var badReply = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "hi", inReplyToId = "999" });
        Assert.Equal(HttpStatusCode.BadRequest, badReply.StatusCode);
    }

    [Fact]
    public async Task Followers_only_posts_are_seen_only_by_followers()
    {
        var author = await SignUp("private");
        var follower = await SignUp("insider");
        var outsider = await SignUp("outsider");
        await Server.Http(follower.Token).PostJsonAsync($"/api/drawbridge/v1/accounts/{author.Id}/follow");
        var post = await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Just for followers", visibility = "followers" });
        Assert.Equal(HttpStatusCode.OK, (await Server.Http(follower.Token).GetAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http(outsider.Token).GetAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http().GetAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).StatusCode);
        Assert.DoesNotContain("Just for followers", (await Server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{author.Handle}/posts")).Contents());
    }

    [Fact]
    public async Task Unlisted_posts_stay_off_the_local_timeline_but_show_on_the_profile()
    {
        var author = await SignUp("unlisted");
        await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Quietly unlisted", visibility = "unlisted" });
        Assert.DoesNotContain("Quietly unlisted", (await Server.Http().GetJsonAsync("/api/drawbridge/v1/timelines/local?limit=40")).Contents());
        Assert.Contains("Quietly unlisted", (await Server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{author.Handle}/posts")).Contents());
    }

    [Fact]
    public async Task Likes_and_reposts_count_and_notify()
    {
        var author = await SignUp("liked");
        var fan = await SignUp("fan");
        var post = await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Like me" });
        using var h = Server.Http(fan.Token);
        var liked = await h.PostJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}/like");
        Assert.Equal(1, liked.GetProperty("likesCount").GetInt32());
        Assert.True(liked.GetProperty("liked").GetBoolean());
        await h.PostJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}/like");
        var reposted = await h.PostJsonAsync($"/api/drawbridge/v1/posts/{post.Str("id")}/repost");
        Assert.Equal(1, reposted.GetProperty("likesCount").GetInt32());
        Assert.Equal(1, reposted.GetProperty("repostsCount").GetInt32());
        var unread = await Server.Http(author.Token).GetJsonAsync("/api/drawbridge/v1/notifications/unread_count");
        Assert.Equal(2, unread.GetProperty("count").GetInt32());
        var fanPosts = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{fan.Handle}/posts");
        Assert.Equal("Like me", fanPosts[0].GetProperty("repostOf").Str("content"));
        await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/notifications/read");
        Assert.Equal(0, (await Server.Http(author.Token).GetJsonAsync("/api/drawbridge/v1/notifications/unread_count")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Mentions_and_hashtags_become_links_and_mentions_notify()
    {
        var a = await SignUp("mentioner");
        var b = await SignUp("mentioned");
        var post = await Server.Http(a.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Thanks @{b.Handle} for the #Handover tips, see https://example.org/page." });
        var html = post.Str("contentHtml");
        Assert.Contains($"href=\"/@{b.Handle}\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/tags/handover\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/page\"", html, StringComparison.Ordinal);
        var notes = await Server.Http(b.Token).GetJsonAsync("/api/drawbridge/v1/notifications");
        Assert.Contains(notes.EnumerateArray(), n => n.Str("kind") == "mention");
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("\"><svg onload=alert(1)>")]
    [InlineData("javascript:alert(1)")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    public async Task Script_in_a_post_is_shown_as_text_never_as_markup(string vector)
    {
        var a = await SignUp("xss");
        var post = await Server.Http(a.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = vector });
        Html.AssertInert(post.Str("contentHtml"));
        // Shown as the text the author typed.
        Assert.Contains(vector, Html.Text(post.Str("contentHtml")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("![x](x \"onerror=alert(1)\")")]
    [InlineData("<div onclick=\"alert(1)\">hi</div>")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("[x](JaVaScRiPt:alert(1))")]
    [InlineData("<a href=\"vbscript:msgbox(1)\">x</a>")]
    [InlineData("<style>body{display:none}</style>")]
    [InlineData("<form action=\"https://evil.example\"><input name=p></form>")]
    [InlineData("[x](&#106;avascript:alert(1))")]
    public async Task Article_markdown_is_rendered_and_sanitised(string markdown)
    {
        var a = await SignUp("mdxss", "professional");
        var post = await Server.Http(a.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Safe", text = $"# Heading\n\n**bold** {markdown}" });
        var html = post.Str("contentHtml");
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<h1", html, StringComparison.Ordinal);
        Html.AssertInert(html);
    }

    [Fact]
    public async Task Profile_links_must_be_web_addresses()
    {
        var a = await SignUp("links");
        using var h = Server.Http(a.Token);
        var bad = await h.PatchAsJsonAsync("/api/drawbridge/v1/me", new { links = new[] { new { label = "x", url = "javascript:alert(1)" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var good = await h.PatchAsJsonAsync("/api/drawbridge/v1/me", new { bio = "<b>Nurse</b>", links = new[] { new { label = "Blog", url = "https://blog.example.org" } } });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var me = await good.ReadJsonAsync();
        Assert.Equal("https://blog.example.org", me.GetProperty("links")[0].Str("url"));
    }

    [Fact]
    public async Task Blocking_hides_posts_and_stops_follows_and_replies()
    {
        var a = await SignUp("blocker");
        var b = await SignUp("blocked");
        using var hb = Server.Http(b.Token);
        await hb.PostJsonAsync($"/api/drawbridge/v1/accounts/{a.Id}/follow");
        var post = await Server.Http(a.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "No replies from you" });
        var rel = await Server.Http(a.Token).PostJsonAsync($"/api/drawbridge/v1/accounts/{b.Id}/block");
        Assert.True(rel.GetProperty("blocking").GetBoolean());
        Assert.False(rel.GetProperty("followedBy").GetBoolean());
        var reply = await hb.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Let me in", inReplyToId = post.Str("id") });
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hb.PostAsync($"/api/drawbridge/v1/accounts/{a.Id}/follow", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hb.GetAsync($"/api/drawbridge/v1/posts/{post.Str("id")}")).StatusCode);
    }

    [Fact]
    public async Task Muting_hides_an_account_from_the_home_timeline()
    {
        var a = await SignUp("loud");
        var b = await SignUp("muter");
        using var hb = Server.Http(b.Token);
        await hb.PostJsonAsync($"/api/drawbridge/v1/accounts/{a.Id}/follow");
        await Server.Http(a.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Too many posts" });
        await Server.DrainJobsAsync();
        Assert.Contains("Too many posts", (await hb.GetJsonAsync("/api/drawbridge/v1/timelines/home")).Contents());
        await hb.PostJsonAsync($"/api/drawbridge/v1/accounts/{a.Id}/mute");
        Assert.DoesNotContain("Too many posts", (await hb.GetJsonAsync("/api/drawbridge/v1/timelines/home")).Contents());
    }

    [Fact]
    public async Task Timelines_page_by_id_with_max_since_and_min()
    {
        var a = await SignUp("pager");
        using var h = Server.Http(a.Token);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"page {i}" })).Str("id"));
        }
        var first = await h.GetJsonAsync("/api/drawbridge/v1/timelines/home?limit=2");
        Assert.Equal(["page 4", "page 3"], first.Contents());
        var older = await h.GetJsonAsync($"/api/drawbridge/v1/timelines/home?limit=2&max_id={ids[3]}");
        Assert.Equal(["page 2", "page 1"], older.Contents());
        var newer = await h.GetJsonAsync($"/api/drawbridge/v1/timelines/home?limit=2&min_id={ids[0]}");
        Assert.Equal(["page 2", "page 1"], newer.Contents());
        var since = await h.GetJsonAsync($"/api/drawbridge/v1/timelines/home?limit=2&since_id={ids[0]}");
        Assert.Equal(["page 4", "page 3"], since.Contents());
    }

    [Fact]
    public async Task Search_finds_words_and_phrases_in_both_orders()
    {
        var a = await SignUp("searcher", "professional");
        var marker = $"zq{Guid.NewGuid():N}"[..12];
        using var h = Server.Http(a.Token);
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"{marker} falls prevention at home" });
        await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"{marker} home visits prevent falls {marker} {marker}" });
        var words = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q={marker}%20falls");
        Assert.Equal(2, words.GetProperty("posts").GetArrayLength());
        Assert.StartsWith($"{marker} home visits", words.GetProperty("posts")[0].Str("content"), StringComparison.Ordinal);
        var phrase = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q=%22falls%20prevention%22%20{marker}");
        Assert.Single(phrase.GetProperty("posts").EnumerateArray());
        var relevance = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q={marker}&order=relevance");
        Assert.StartsWith($"{marker} home visits", relevance.GetProperty("posts")[0].Str("content"), StringComparison.Ordinal);
        var accounts = await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q={a.Handle}");
        Assert.Contains(accounts.GetProperty("accounts").EnumerateArray(), x => x.Str("handle") == a.Handle);
        var operators = await Server.Http().GetAsync("/api/drawbridge/v1/search?q=%22unbalanced%20AND%20OR%20NOT%20*%20(");
        Assert.Equal(HttpStatusCode.OK, operators.StatusCode);
    }

    [Fact]
    public async Task Deleted_posts_drop_out_of_search()
    {
        var a = await SignUp("forget");
        var marker = $"zd{Guid.NewGuid():N}"[..12];
        using var h = Server.Http(a.Token);
        var post = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"{marker} soon gone" });
        Assert.Single((await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q={marker}")).GetProperty("posts").EnumerateArray());
        await h.DeleteAsync($"/api/drawbridge/v1/posts/{post.Str("id")}");
        Assert.Empty((await Server.Http().GetJsonAsync($"/api/drawbridge/v1/search?q={marker}")).GetProperty("posts").EnumerateArray());
    }

    [Fact]
    public async Task Drafts_stay_private_until_published()
    {
        var a = await SignUp("drafter");
        using var h = Server.Http(a.Token);
        var draft = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Half an idea", draft = true });
        Assert.Equal("draft", draft.Str("status"));
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http().GetAsync($"/api/drawbridge/v1/posts/{draft.Str("id")}")).StatusCode);
        Assert.Contains("Half an idea", (await h.GetJsonAsync("/api/drawbridge/v1/drafts")).Contents());
        var published = await h.PostJsonAsync($"/api/drawbridge/v1/posts/{draft.Str("id")}/publish", new { });
        Assert.Equal("published", published.Str("status"));
        Assert.Empty((await h.GetJsonAsync("/api/drawbridge/v1/drafts")).EnumerateArray());
        Assert.Contains("Half an idea", (await Server.Http().GetJsonAsync($"/api/drawbridge/v1/accounts/{a.Handle}/posts")).Contents());
    }

    [Fact]
    public async Task A_scheduled_post_must_be_in_the_future_and_waits_for_its_time()
    {
        var a = await SignUp("scheduler");
        using var h = Server.Http(a.Token);
        var past = await h.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Yesterday", publishAt = DateTime.UtcNow.AddDays(-1) });
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        var scheduled = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Tomorrow's news", publishAt = DateTime.UtcNow.AddDays(1) });
        Assert.Equal("scheduled", scheduled.Str("status"));
        await Server.DrainJobsAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http().GetAsync($"/api/drawbridge/v1/posts/{scheduled.Str("id")}")).StatusCode);
        Assert.Contains("Tomorrow's news", (await h.GetJsonAsync("/api/drawbridge/v1/drafts")).Contents());
    }

    [Fact]
    public async Task Guest_comments_wait_for_approval_unless_the_commenter_is_trusted()
    {
        var author = await SignUp("blogger", "professional");
        using var h = Server.Http(author.Token);
        var article = await h.PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "On listening", summary = "Short", text = "Body of the article" });
        using var guest = Server.Http();
        var first = await guest.PostJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/guest-comments", new { name = "Pat", email = "pat@example.org", text = "Lovely piece" });
        Assert.Equal("pending", first.Str("status"));
        var thread = await guest.GetJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/thread");
        Assert.Empty(thread.GetProperty("guestComments").EnumerateArray());
        var waiting = await h.GetJsonAsync("/api/drawbridge/v1/guest-comments");
        Assert.Contains(waiting.EnumerateArray(), c => c.Str("content") == "Lovely piece");
        await h.PostJsonAsync($"/api/drawbridge/v1/guest-comments/{first.Str("id")}/approve", new { trust = true });
        var second = await guest.PostJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/guest-comments", new { name = "Pat", email = "PAT@example.org", text = "And another thing" });
        Assert.Equal("approved", second.Str("status"));
        thread = await guest.GetJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/thread");
        Assert.Equal(["Lovely piece", "And another thing"], thread.GetProperty("guestComments").EnumerateArray().Select(c => c.Str("content")));
    }

    [Fact]
    public async Task Guest_comments_refuse_bots_and_bad_fields()
    {
        var author = await SignUp("guarded", "professional");
        var article = await Server.Http(author.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "T", text = "B" });
        using var guest = Server.Http();
        var bot = await guest.PostAsJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/guest-comments", new { name = "Bot", email = "bot@example.org", text = "Buy now", website = "http://spam.example" });
        Assert.Equal(HttpStatusCode.BadRequest, bot.StatusCode);
        var bad = await guest.PostAsJsonAsync($"/api/drawbridge/v1/posts/{article.Str("id")}/guest-comments", new { name = "", email = "not-an-email", text = "" });
        var errors = (await bad.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _) && errors.TryGetProperty("email", out _) && errors.TryGetProperty("text", out _));
        Assert.Empty((await Server.Http(author.Token).GetJsonAsync("/api/drawbridge/v1/guest-comments")).EnumerateArray());
    }

    [Fact]
    public async Task Account_deletion_hides_the_profile_and_revokes_tokens()
    {
        var a = await SignUp("leaving");
        using var h = Server.Http(a.Token);
        Assert.Equal(HttpStatusCode.Accepted, (await h.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/drawbridge/v1/me") { Content = JsonContent.Create(new { password = DrawbridgeServer.DefaultPassword }) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http().GetAsync($"/api/drawbridge/v1/accounts/{a.Handle}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.GetAsync("/api/drawbridge/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Signed_in_endpoints_answer_401_without_a_token()
    {
        using var http = Server.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/drawbridge/v1/timelines/home")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "hi" })).StatusCode);
    }
}

public sealed class SqliteApiTests(DrawbridgeServer server) : ApiTests<DrawbridgeServer>(server);

public sealed class PostgresApiTests(PostgresDrawbridgeServer server) : ApiTests<PostgresDrawbridgeServer>(server);

public sealed class OrganisationTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task A_professional_creates_an_organisation_and_its_admins_manage_staff()
    {
        var lead = await server.SignUpAsync("orglead", "professional");
        var nurse = await server.SignUpAsync("orgnurse", "professional");
        var member = await server.SignUpAsync("orgpublic");
        using var h = server.Http(lead.Token);
        var org = await h.PostJsonAsync("/api/drawbridge/v1/organisations", new { handle = "WestwardPCN", displayName = "Westward Primary Care Network", bio = "GP practices working together" });
        Assert.Equal("organisation", org.Str("kind"));
        var refused = await server.Http(member.Token).PostAsync("/api/drawbridge/v1/organisations", JsonContent.Create(new { handle = "Fake", displayName = "Fake" }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await h.PostJsonAsync("/api/drawbridge/v1/organisations/WestwardPCN/members", new { handle = nurse.Handle, role = "staff" });
        var notStaff = await h.PostAsync("/api/drawbridge/v1/organisations/WestwardPCN/members", JsonContent.Create(new { handle = member.Handle }));
        Assert.Equal(HttpStatusCode.BadRequest, notStaff.StatusCode);
        var byStaff = await server.Http(nurse.Token).PostAsync("/api/drawbridge/v1/organisations/WestwardPCN/members", JsonContent.Create(new { handle = lead.Handle, role = "staff" }));
        Assert.Equal(HttpStatusCode.Forbidden, byStaff.StatusCode);
        var members = await server.Http().GetJsonAsync("/api/drawbridge/v1/organisations/westwardpcn/members");
        Assert.Equal([("admin", lead.Handle), ("responder", nurse.Handle)], members.EnumerateArray().Select(m => (m.Str("role"), m.GetProperty("account").Str("handle"))));
        var lastAdmin = await h.DeleteAsync($"/api/drawbridge/v1/organisations/WestwardPCN/members/{lead.Id}");
        Assert.Equal(HttpStatusCode.BadRequest, lastAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await h.DeleteAsync($"/api/drawbridge/v1/organisations/WestwardPCN/members/{nurse.Id}")).StatusCode);
    }
}
