using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Drawbridge.Media;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Security;

/// <summary>A server that trusts no Host header (no public URL, any host allowed), as a careless deployment would be.</summary>
public sealed class AnyHostServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["AllowedHosts"] = "*" });

/// <summary>Rate limits on, behind a proxy at 127.0.0.1 whose X-Forwarded-For is believed.</summary>
public sealed class ProxiedServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?>
{
    ["Drawbridge:RateLimits:Enabled"] = "true",
    ["Drawbridge:RateLimits:SignInPerMinute"] = "2",
    ["Drawbridge:RateLimits:PostsPerMinute"] = "2",
    ["Drawbridge:RateLimits:SignUpPerHour"] = "100",
    ["Drawbridge:ForwardedHeaders:KnownProxies"] = "127.0.0.1",
});

/// <summary>Rate limits on, no proxy named: X-Forwarded-For is nobody's to set.</summary>
public sealed class UnproxiedServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?>
{
    ["Drawbridge:RateLimits:Enabled"] = "true",
    ["Drawbridge:RateLimits:SignInPerMinute"] = "2",
});

/// <summary>Accounts go as soon as they ask (no grace period), uploads are capped at two an hour.</summary>
public sealed class PurgeServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?>
{
    ["Drawbridge:DeletionGraceDays"] = "0",
    ["Drawbridge:Uploads:PerHour"] = "2",
});

public sealed class PostgresPurgeServer() : DrawbridgeServer(DatabaseKind.Postgres, new Dictionary<string, string?>
{
    ["Drawbridge:DeletionGraceDays"] = "0",
    ["Drawbridge:Uploads:PerHour"] = "2",
});

public sealed class NoQuotaServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Drawbridge:Uploads:QuotaMegabytes"] = "0" });

public sealed class MailLinkTests(AnyHostServer anyHost, DrawbridgeServer named) : IClassFixture<AnyHostServer>, IClassFixture<DrawbridgeServer>
{
    private static async Task<HttpResponseMessage> SignUpWithHostAsync(DrawbridgeServer server, string handle, string host)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, OwnApi.Path("/accounts"))
        {
            Content = JsonContent.Create(new { handle, displayName = "Hosted", email = $"{handle}@example.org", password = DrawbridgeServer.DefaultPassword, kind = "member" }),
        };
        request.Headers.Host = host;
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_confirmation_link_never_takes_its_host_from_a_request_the_server_cant_trust()
    {
        var handle = $"host_{Guid.NewGuid():N}"[..14];
        using var signedUp = await SignUpWithHostAsync(anyHost, handle, "evil.example");
        Assert.Equal(HttpStatusCode.Created, signedUp.StatusCode);
        Assert.DoesNotContain(anyHost.Services.GetRequiredService<Mailer>().Recent, m => m.Body.Contains("evil.example", StringComparison.Ordinal));
        Assert.DoesNotContain(anyHost.Services.GetRequiredService<Mailer>().Recent, m => m.To == $"{handle}@example.org");

        // Where the hosts are named, another Host header is refused outright; a named one gets its link.
        using var refused = await SignUpWithHostAsync(named, $"evil_{Guid.NewGuid():N}"[..14], "evil.example");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var good = $"good_{Guid.NewGuid():N}"[..14];
        using var accepted = await SignUpWithHostAsync(named, good, $"127.0.0.1:{named.BaseAddress.Port}");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Contains(named.Services.GetRequiredService<Mailer>().Recent, m => m.To == $"{good}@example.org" && m.Body.Contains($"http://127.0.0.1:{named.BaseAddress.Port}/auth/confirm-email", StringComparison.Ordinal));
    }
}

public sealed class SignInAnswerTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        return page.QuerySelector(".nhsuk-error-summary")!.TextContent.Trim();
    }

    [Fact]
    public async Task Sign_in_says_the_same_for_no_account_a_wrong_password_and_an_unconfirmed_account()
    {
        var known = await server.SignUpAsync($"known_{Guid.NewGuid():N}"[..14]);
        var unconfirmed = $"unconf_{Guid.NewGuid():N}"[..14];
        using (var http = server.Http())
        {
            (await http.PostAsJsonAsync(OwnApi.Path("/accounts"), new { handle = unconfirmed, displayName = "Unconfirmed", email = $"{unconfirmed}@example.org", password = DrawbridgeServer.DefaultPassword, kind = "member" })).EnsureSuccessStatusCode();
        }
        using var web = new WebSession(server);
        var answers = new List<string>();
        foreach (var email in new[] { "nobody-here@example.org", known.Email, $"{unconfirmed}@example.org" })
        {
            using var response = await web.SubmitAsync("/auth/sign-in", "main form", new Dictionary<string, string> { ["email"] = email, ["password"] = "not the password at all" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await ErrorAsync(response));
        }
        Assert.Single(answers.Distinct());
        Assert.Contains("The email address or password is not right", answers[0], StringComparison.Ordinal);

        // With the right password, the unconfirmed account is told what to do.
        using var right = await web.SubmitAsync("/auth/sign-in", "main form", new Dictionary<string, string> { ["email"] = $"{unconfirmed}@example.org", ["password"] = DrawbridgeServer.DefaultPassword });
        Assert.Contains("Confirm your email address first", await ErrorAsync(right), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_request_answers_alike_for_known_and_unknown_emails()
    {
        var known = await server.SignUpAsync($"reset_{Guid.NewGuid():N}"[..14]);
        using var web = new WebSession(server);
        using var forKnown = await web.SubmitAsync("/auth/forgot-password", "main form", new Dictionary<string, string> { ["email"] = known.Email });
        using var forUnknown = await web.SubmitAsync("/auth/forgot-password", "main form", new Dictionary<string, string> { ["email"] = "no-such-person@example.org" });
        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(forKnown.Headers.Location, forUnknown.Headers.Location);
        Assert.Contains(server.Services.GetRequiredService<Mailer>().Recent, m => m.To == known.Email && m.Subject.Contains("Reset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_factor_secrets_and_recovery_codes_are_encrypted_in_the_database()
    {
        var person = await server.SignUpAsync($"totp_{Guid.NewGuid():N}"[..14]);
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(person.Email))!;
        await users.ResetAuthenticatorKeyAsync(user);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var stored = await db.UserTokens.AsNoTracking().Where(t => t.UserId == user.Id).Select(t => t.Value ?? "").ToListAsync();
        Assert.Equal(2, stored.Count);
        Assert.DoesNotContain(stored, v => v.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(stored, v => codes.Any(c => v.Contains(c, StringComparison.Ordinal)));
        // They still work: the key reads back the same, a code redeems once.
        Assert.Equal(key, await users.GetAuthenticatorKeyAsync(user));
        Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync(user, codes[3])).Succeeded);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(user, codes[3])).Succeeded);
        Assert.Equal(9, await users.CountRecoveryCodesAsync(user));
    }
}

public sealed class ProxyAndLimitTests(ProxiedServer proxied, UnproxiedServer unproxied) : IClassFixture<ProxiedServer>, IClassFixture<UnproxiedServer>
{
    private static async Task<HttpStatusCode> TokenAttemptAsync(DrawbridgeServer server, string forwardedFor)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, OwnApi.Path("/auth/tokens")) { Content = JsonContent.Create(new { email = "x@example.org", password = "wrong password" }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Behind_a_named_proxy_each_visitor_has_their_own_sign_in_bucket()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAttemptAsync(proxied, "203.0.113.10"));
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAttemptAsync(proxied, "203.0.113.10"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await TokenAttemptAsync(proxied, "203.0.113.10"));
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAttemptAsync(proxied, "203.0.113.11"));
    }

    [Fact]
    public async Task Without_a_named_proxy_a_forged_forwarded_address_buys_no_fresh_bucket()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAttemptAsync(unproxied, "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenAttemptAsync(unproxied, "198.51.100.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await TokenAttemptAsync(unproxied, "198.51.100.3"));
    }

    [Fact]
    public async Task The_posting_limit_counts_per_account_not_per_address()
    {
        var busy = await proxied.SignUpAsync($"busy_{Guid.NewGuid():N}"[..14]);
        var quiet = await proxied.SignUpAsync($"quiet_{Guid.NewGuid():N}"[..14]);
        using var b = proxied.Http(busy.Token);
        for (var i = 0; i < 2; i++)
        {
            await b.PostJsonAsync(OwnApi.Path("/posts"), new { text = $"Post {i}" });
        }
        using var third = await b.PostAsJsonAsync(OwnApi.Path("/posts"), new { text = "One too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        using var q = proxied.Http(quiet.Token);
        using var other = await q.PostAsJsonAsync(OwnApi.Path("/posts"), new { text = "My first post today" });
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }
}

/// <summary>A body that is never finished until released: a slow client.</summary>
internal sealed class HeldBodyContent(TaskCompletionSource release) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(new byte[1024]);
        await stream.FlushAsync();
        await release.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

public abstract class PurgeTests<TServer>(TServer server) where TServer : DrawbridgeServer
{
    private async Task<JsonElement> UploadAsync(HttpClient owner, string alt = "A chart of waiting times")
    {
        var response = await owner.PostAsync(OwnApi.Path("/media"), MediaAccessTests.ImageForm(alt));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    private string MediaFolder => server.Services.GetRequiredService<MediaFiles>().Folder;

    [Fact]
    public async Task Deleting_a_post_deletes_its_files()
    {
        var author = await server.SignUpAsync($"files_{Guid.NewGuid():N}"[..14], "professional");
        using var a = server.Http(author.Token);
        var media = await UploadAsync(a);
        var post = await a.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Waiting times this month", mediaIds = new[] { media.Str("id") } });
        var before = Directory.GetFiles(MediaFolder, media.Str("id") + ".*");
        Assert.Single(before);
        (await a.DeleteAsync(OwnApi.Path($"/posts/{post.Str("id")}"))).EnsureSuccessStatusCode();
        Assert.Empty(Directory.GetFiles(MediaFolder, media.Str("id") + ".*"));
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/media/{media.Str("id")}")).StatusCode);
    }

    [Fact]
    public async Task After_the_grace_period_a_deleted_account_leaves_nothing_personal_behind()
    {
        var leaving = await server.SignUpAsync($"leave_{Guid.NewGuid():N}"[..14], "professional");
        var friend = await server.SignUpAsync($"frnd_{Guid.NewGuid():N}"[..14]);
        using var l = server.Http(leaving.Token);
        var media = await UploadAsync(l, "A photo of the team");
        var unattached = await UploadAsync(l, "A photo never posted");
        var word = "zebracrossing" + Guid.NewGuid().ToString("N")[..6];
        var note = await l.PostJsonAsync(OwnApi.Path("/posts"), new { text = $"Hello @{friend.Handle} #{word} from the team", mediaIds = new[] { media.Str("id") } });
        using (var edited = await l.PutAsJsonAsync(OwnApi.Path($"/posts/{note.Str("id")}"), new { text = $"Hello @{friend.Handle} #{word} from all the team" }))
        {
            edited.EnsureSuccessStatusCode();
        }
        var article = await l.PostJsonAsync(OwnApi.Path("/posts"), new { kind = "article", title = "Our ward", text = "How we work" });
        await server.Http().PostJsonAsync(OwnApi.Path($"/posts/{article.Str("id")}/guest-comments"), new { name = "Robin", email = "robin.commenter@example.org", text = "Thank you" });
        var org = $"org_{Guid.NewGuid():N}"[..14];
        await l.PostJsonAsync(OwnApi.Path("/organisations"), new { handle = org, displayName = "Leaving Trust", bio = "" });
        await server.Http(friend.Token).PostJsonAsync(OwnApi.Path("/reports"), new { accountId = leaving.Id, rule = "listen", comment = "Reported before leaving" });
        await server.DrainJobsAsync();
        Assert.Single((await server.Http().GetJsonAsync(OwnApi.Path($"/search?q={word}"))).GetProperty("posts").EnumerateArray());

        using (var request = new HttpRequestMessage(HttpMethod.Delete, OwnApi.Path("/me")) { Content = JsonContent.Create(new { password = DrawbridgeServer.DefaultPassword }) })
        {
            (await l.SendAsync(request)).EnsureSuccessStatusCode();
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(AccountDeletionJob.KindName);
            await job.HandleAsync(scope.ServiceProvider.GetRequiredService<DrawbridgeDb>(), "", CancellationToken.None);
        }

        await using var check = server.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var accountId = long.Parse(leaving.Id, System.Globalization.CultureInfo.InvariantCulture);
        var postIds = await db.Posts.Where(p => p.AuthorId == accountId).Select(p => p.Id).ToListAsync();
        Assert.Equal(0, await db.Media.CountAsync(m => m.OwnerId == accountId));
        Assert.Empty(Directory.GetFiles(MediaFolder, media.Str("id") + ".*"));
        Assert.Empty(Directory.GetFiles(MediaFolder, unattached.Str("id") + ".*"));
        Assert.Equal(0, await db.PostEdits.CountAsync(e => postIds.Contains(e.PostId)));
        Assert.Equal(0, await db.PostMentions.CountAsync(m => postIds.Contains(m.PostId)));
        Assert.Equal(0, await db.GuestComments.CountAsync(c => c.Email == "robin.commenter@example.org"));
        Assert.Equal(0, await db.OrganisationMembers.CountAsync(m => m.AccountId == accountId));
        Assert.Equal(0, await db.Set<Drawbridge.Moderation.Report>().CountAsync(r => r.AccountId == accountId));
        Assert.Equal(0, await db.Users.CountAsync(u => u.AccountId == accountId));
        Assert.All(await db.Posts.Where(p => p.AuthorId == accountId).ToListAsync(), p => Assert.Equal("", p.Content));
        Assert.Empty((await server.Http().GetJsonAsync(OwnApi.Path($"/search?q={word}"))).GetProperty("posts").EnumerateArray());
        if (!db.IsPostgres)
        {
            // The full-text index kept its own copy of the words: it is gone too.
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM post_search WHERE rowid IN ({string.Join(",", postIds)})";
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        }
        var (_, privacy) = await new WebSession(server).GetAsync("/privacy");
        Assert.Contains("guest comments on your articles and their commenters' email addresses", privacy.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_are_capped_per_hour()
    {
        var person = await server.SignUpAsync($"upl_{Guid.NewGuid():N}"[..14]);
        using var p = server.Http(person.Token);
        await UploadAsync(p);
        await UploadAsync(p);
        using var third = await p.PostAsync(OwnApi.Path("/media"), MediaAccessTests.ImageForm("One more"));
        Assert.Equal(HttpStatusCode.BadRequest, third.StatusCode);
        Assert.Contains("2 files an hour", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class SqlitePurgeTests(PurgeServer server) : PurgeTests<PurgeServer>(server), IClassFixture<PurgeServer>;

public sealed class PostgresPurgeTests(PostgresPurgeServer server) : PurgeTests<PostgresPurgeServer>(server), IClassFixture<PostgresPurgeServer>;

public sealed class UploadHousekeepingTests(NoQuotaServer noQuota, DrawbridgeServer server) : IClassFixture<NoQuotaServer>, IClassFixture<DrawbridgeServer>
{
    [Fact]
    public async Task An_upload_past_the_allowance_is_refused_naming_it()
    {
        var person = await noQuota.SignUpAsync($"quota_{Guid.NewGuid():N}"[..14]);
        using var response = await noQuota.Http(person.Token).PostAsync(OwnApi.Path("/media"), MediaAccessTests.ImageForm("A chart"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("upload allowance of 0 MB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Abandoned_uploads_are_swept_and_fresh_ones_kept()
    {
        var files = server.Services.GetRequiredService<MediaFiles>();
        Directory.CreateDirectory(files.Folder);
        var old = Path.Combine(files.Folder, "111.upload");
        var fresh = Path.Combine(files.Folder, "222.upload");
        File.WriteAllText(old, "half an upload");
        File.WriteAllText(fresh, "an upload in progress");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-3));
        Assert.Equal(1, files.CleanAbandonedUploads(DateTime.UtcNow));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task Slow_uploads_hold_no_write_permit_so_posting_goes_on()
    {
        var person = await server.SignUpAsync($"slow_{Guid.NewGuid():N}"[..14]);
        var release = new TaskCompletionSource();
        var uploads = new List<Task>();
        using var uploader = server.Http(person.Token);
        // More slow uploads than there are write permits (two per core, at least two).
        for (var i = 0; i < Math.Max(2, Environment.ProcessorCount * 2) + 2; i++)
        {
            var form = new MultipartFormDataContent { { new HeldBodyContent(release), "file", "big.mp3" } };
            uploads.Add(uploader.PostAsync(OwnApi.Path("/media"), form).ContinueWith(t => t.Exception, TaskScheduler.Default));
        }
        await Task.Delay(500);
        try
        {
            using var poster = server.Http(person.Token);
            poster.Timeout = TimeSpan.FromSeconds(30);
            var post = await poster.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Posting while others upload" });
            Assert.Equal("published", post.Str("status"));
        }
        finally
        {
            release.SetResult();
            await Task.WhenAll(uploads);
        }
    }
}
