using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Drawbridge.Tests.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Security;

public static class ServerRoles
{
    /// <summary>Gives an account a server role, as an operator would with the accounts role verb.</summary>
    public static async Task GrantAsync(DrawbridgeServer server, string email, string role)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<long>>>();
        if (!await roles.RoleExistsAsync(role))
        {
            await roles.CreateAsync(new IdentityRole<long>(role));
        }
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(email))!;
        if (!await users.IsInRoleAsync(user, role))
        {
            await users.AddToRoleAsync(user, role);
        }
    }
}

/// <summary>Reports, decisions, appeals, the public log, roles and reply restrictions, through the real server.</summary>
public abstract class ModerationTests<TServer>(TServer server) where TServer : DrawbridgeServer
{
    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..14];

    private async Task<(TestUser Moderator, WebSession Web)> ModeratorAsync()
    {
        var moderator = await server.SignUpAsync(Unique("mod_"), "professional");
        await ServerRoles.GrantAsync(server, moderator.Email, "moderator");
        var web = new WebSession(server);
        await web.SignInAsync(moderator.Email);
        return (moderator, web);
    }

    private static string Text(AngleSharp.Dom.IDocument page) => page.QuerySelector("main")!.TextContent;

    [Fact]
    public async Task A_reported_post_is_removed_under_a_rule_the_log_says_so_without_names_and_an_appeal_brings_it_back()
    {
        var author = await server.SignUpAsync(Unique("auth_"), "professional");
        var reader = await server.SignUpAsync(Unique("read_"));
        using var a = server.Http(author.Token);
        var post = await a.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Honestly the people on ward nine are hopeless" });
        var postId = post.Str("id");

        using var r = server.Http(reader.Token);
        using (var missingRule = await r.PostAsJsonAsync(OwnApi.Path("/reports"), new { accountId = author.Id, postId, comment = "x" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missingRule.StatusCode);
            Assert.Contains("rule", await missingRule.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var self = await a.PostAsJsonAsync(OwnApi.Path("/reports"), new { accountId = author.Id, rule = "respect" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        }
        using (var anonymous = await server.Http().PostAsJsonAsync(OwnApi.Path("/reports"), new { accountId = author.Id, rule = "respect" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        using (var nobody = await r.PostAsJsonAsync(OwnApi.Path("/reports"), new { accountId = "999999999", rule = "respect" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        }
        var report = await r.PostJsonAsync(OwnApi.Path("/reports"), new { accountId = author.Id, postId, rule = "respect", comment = "Secret detail from the reporter" });
        Assert.Equal("open", report.Str("status"));

        // Only moderators see the queue.
        using var readerWeb = new WebSession(server);
        await readerWeb.SignInAsync(reader.Email);
        Assert.NotEqual(HttpStatusCode.OK, (await readerWeb.GetAsync("/moderation/reports")).Status);
        var (moderator, mod) = await ModeratorAsync();
        using var _ = mod;
        var (status, queue) = await mod.GetAsync("/moderation/reports");
        Assert.Equal(HttpStatusCode.OK, status);
        var link = queue.QuerySelectorAll("a").Single(l => l.GetAttribute("href") == $"/moderation/reports/{report.Str("id")}");
        Assert.Contains(author.Handle, link.TextContent, StringComparison.Ordinal);

        var decided = await mod.SubmitAsync($"/moderation/reports/{report.Str("id")}", "main form", new Dictionary<string, string>
        {
            ["decision"] = "hide", ["rule"] = "respect", ["reason"] = "Private reason: disparaging colleagues by name of ward",
        });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);

        // The tombstone says a moderator removed it, and under which rule; the words are gone.
        var (_, thread) = await new WebSession(server).GetAsync($"/@{author.Handle}/{postId}");
        var tombstone = thread.QuerySelector(".db-post__tombstone")!.TextContent;
        Assert.Contains("removed by a moderator", tombstone, StringComparison.Ordinal);
        Assert.Contains("Respect", tombstone, StringComparison.Ordinal);
        Assert.DoesNotContain("hopeless", Text(thread), StringComparison.Ordinal);

        // The public log: what, which rule, when; never who or why.
        var log = await server.Http().GetJsonAsync(OwnApi.Path("/moderation/log"));
        var entry = log.EnumerateArray().First(e => e.Str("action") == "hide_post");
        Assert.Equal(2, entry.GetProperty("rule").GetInt32());
        var (_, logPage) = await new WebSession(server).GetAsync("/about/moderation");
        foreach (var secret in new[] { author.Handle, reader.Handle, moderator.Handle, "Secret detail", "Private reason", "hopeless" })
        {
            Assert.DoesNotContain(secret, log.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, Text(logPage), StringComparison.Ordinal);
        }
        Assert.Contains("A post was removed by a moderator", Text(logPage), StringComparison.Ordinal);

        // The audit trail has who and why, for moderators.
        var (_, audit) = await mod.GetAsync("/moderation/audit");
        Assert.Contains(moderator.Handle, Text(audit), StringComparison.Ordinal);
        Assert.Contains("Private reason", Text(audit), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, (await readerWeb.GetAsync("/moderation/audit")).Status);

        // The author reads the decision and appeals; a moderator reverses it and the post is back.
        using var authorWeb = new WebSession(server);
        await authorWeb.SignInAsync(author.Email);
        var (_, decisions) = await authorWeb.GetAsync("/appeals");
        Assert.Contains("Private reason", Text(decisions), StringComparison.Ordinal);
        var decisionLink = decisions.QuerySelectorAll("a").First(l => l.GetAttribute("href")?.StartsWith("/appeals?decision=", StringComparison.Ordinal) == true).GetAttribute("href")!.Split('#')[0];
        var appealed = await authorWeb.SubmitAsync(decisionLink, "main form", new Dictionary<string, string> { ["text"] = "I meant the rota system, not people" });
        Assert.Equal(HttpStatusCode.Redirect, appealed.StatusCode);
        var (_, afterAppeal) = await authorWeb.GetAsync(decisionLink);
        Assert.Null(afterAppeal.QuerySelector("main form")); // one appeal per decision
        Assert.Contains("waiting for a moderator", Text(afterAppeal), StringComparison.Ordinal);
        var (_, appeals) = await mod.GetAsync("/moderation/appeals");
        var decideLink = appeals.QuerySelectorAll("a").First(l => l.GetAttribute("href")?.StartsWith("/moderation/appeals?appeal=", StringComparison.Ordinal) == true).GetAttribute("href")!.Split('#')[0];
        Assert.Contains("I meant the rota system", Text(appeals), StringComparison.Ordinal);
        var noAnswer = await mod.SubmitAsync(decideLink, "main form", new Dictionary<string, string> { ["outcome"] = "reverse" });
        Assert.Equal(HttpStatusCode.OK, noAnswer.StatusCode);
        Assert.Contains("Say why", await noAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var reversed = await mod.SubmitAsync(decideLink, "main form", new Dictionary<string, string> { ["outcome"] = "reverse", ["answer"] = "Fair: it reads as the system." });
        Assert.Equal(HttpStatusCode.Redirect, reversed.StatusCode);
        var back = await server.Http().GetJsonAsync(OwnApi.Path($"/posts/{postId}"));
        Assert.Contains("hopeless", back.Str("content"), StringComparison.Ordinal);
        var logAfter = await server.Http().GetJsonAsync(OwnApi.Path("/moderation/log"));
        Assert.Contains(logAfter.EnumerateArray(), e => e.Str("action") == "appeal_succeeded");
        Assert.True(logAfter.EnumerateArray().First(e => e.Str("id") == entry.Str("id")).GetProperty("reversed").GetBoolean());
        var (_, answered) = await authorWeb.GetAsync("/appeals");
        Assert.Contains("Fair: it reads as the system.", Text(answered), StringComparison.Ordinal);
    }

    /// <summary>A reader reports the post and a moderator removes it under a rule, through the moderation pages.</summary>
    private async Task RemoveAsync(TestUser author, string postId, WebSession mod)
    {
        var reader = await server.SignUpAsync(Unique("read_"));
        var report = await server.Http(reader.Token).PostJsonAsync(OwnApi.Path("/reports"), new { accountId = author.Id, postId, rule = "respect" });
        var decided = await mod.SubmitAsync($"/moderation/reports/{report.Str("id")}", "main form", new Dictionary<string, string>
        {
            ["decision"] = "hide", ["rule"] = "respect", ["reason"] = "Disparaging colleagues",
        });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
    }

    /// <summary>The author appeals the newest decision about them and a moderator decides it.</summary>
    private async Task AppealAsync(TestUser author, WebSession mod, string outcome)
    {
        using var authorWeb = new WebSession(server);
        await authorWeb.SignInAsync(author.Email);
        var (_, decisions) = await authorWeb.GetAsync("/appeals");
        var decisionLink = decisions.QuerySelectorAll("a").First(l => l.GetAttribute("href")?.StartsWith("/appeals?decision=", StringComparison.Ordinal) == true).GetAttribute("href")!.Split('#')[0];
        Assert.Equal(HttpStatusCode.Redirect, (await authorWeb.SubmitAsync(decisionLink, "main form", new Dictionary<string, string> { ["text"] = "The photo shows the rota board" })).StatusCode);
        var (_, appeals) = await mod.GetAsync("/moderation/appeals");
        var decideLink = appeals.QuerySelectorAll("a").First(l => l.TextContent.Contains(author.Handle, StringComparison.Ordinal)).GetAttribute("href")!.Split('#')[0];
        Assert.Equal(HttpStatusCode.Redirect, (await mod.SubmitAsync(decideLink, "main form", new Dictionary<string, string> { ["outcome"] = outcome, ["answer"] = "Looked again." })).StatusCode);
    }

    private async Task<(string PostId, string MediaUrl)> PostWithPictureAsync(TestUser author)
    {
        using var a = server.Http(author.Token);
        using var upload = await a.PostAsync(OwnApi.Path("/media"), MediaAccessTests.ImageForm("The rota board"));
        var media = await upload.ReadJsonAsync();
        var post = await a.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Look at this rota", mediaIds = new[] { media.Str("id") } });
        return (post.Str("id"), media.Str("url"));
    }

    private async Task<HttpStatusCode> StatusAsync(string url, string? token = null)
    {
        using var response = await server.Http(token).GetAsync(url);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_removed_posts_files_wait_for_its_appeal_come_back_when_it_succeeds_and_go_when_it_fails()
    {
        var author = await server.SignUpAsync(Unique("pic_"), "professional");
        var (_, mod) = await ModeratorAsync();
        using var _ = mod;

        // Removed: the picture is out of sight for everyone else, and not listed on the tombstone.
        var (postId, picture) = await PostWithPictureAsync(author);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(picture));
        await RemoveAsync(author, postId, mod);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(picture));
        var (_, thread) = await new WebSession(server).GetAsync($"/@{author.Handle}/{postId}");
        Assert.Null(thread.QuerySelector($"img[src='{picture}']"));

        // The appeal succeeds: the post is back with its picture.
        await AppealAsync(author, mod, "reverse");
        var back = await server.Http().GetJsonAsync(OwnApi.Path($"/posts/{postId}"));
        Assert.Equal(picture, Assert.Single(back.GetProperty("media").EnumerateArray()).Str("url"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(picture));

        // The decision stands: the picture is gone, for its author too.
        var (keptId, kept) = await PostWithPictureAsync(author);
        await RemoveAsync(author, keptId, mod);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(kept, author.Token));
        await AppealAsync(author, mod, "uphold");
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(kept, author.Token));

        // Not appealed in time: the hourly purge takes the files once the window has closed, and the appeal is refused.
        var (lateId, late) = await PostWithPictureAsync(author);
        await RemoveAsync(author, lateId, mod);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Drawbridge.Data.DrawbridgeDb>();
            var post = long.Parse(lateId, System.Globalization.CultureInfo.InvariantCulture);
            // The decision as it stands 31 days on.
            await db.Set<Drawbridge.Moderation.ModerationAction>().Where(x => x.PostId == post)
                .ExecuteUpdateAsync(x => x.SetProperty(m => m.CreatedAt, m => m.CreatedAt.AddDays(-31)));
            scope.ServiceProvider.GetRequiredService<Drawbridge.Jobs.JobQueue>().Enqueue(db, new Drawbridge.Moderation.PurgeAppealFiles());
            await db.SaveChangesAsync();
        }
        await server.DrainJobsAsync();
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(late, author.Token));
        using var authorWeb = new WebSession(server);
        await authorWeb.SignInAsync(author.Email);
        var (_, decisions) = await authorWeb.GetAsync("/appeals");
        var decisionLink = decisions.QuerySelectorAll("a").First(l => l.GetAttribute("href")?.StartsWith("/appeals?decision=", StringComparison.Ordinal) == true).GetAttribute("href")!.Split('#')[0];
        var refused = await authorWeb.SubmitAsync(decisionLink, "main form", new Dictionary<string, string> { ["text"] = "Too late?" });
        Assert.Contains("can no longer be", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_its_author_deleted_says_so()
    {
        var author = await server.SignUpAsync(Unique("del_"), "professional");
        using var a = server.Http(author.Token);
        var root = await a.PostJsonAsync(OwnApi.Path("/posts"), new { text = "A thread starter" });
        var reply = await a.PostJsonAsync(OwnApi.Path("/posts"), new { text = "A reply I regret", inReplyToId = root.Str("id") });
        (await a.DeleteAsync(OwnApi.Path($"/posts/{reply.Str("id")}"))).EnsureSuccessStatusCode();
        var (_, thread) = await new WebSession(server).GetAsync($"/@{author.Handle}/{root.Str("id")}");
        Assert.Contains("deleted by its author", thread.QuerySelector(".db-post__tombstone")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suspended_account_can_read_and_appeal_but_change_nothing_and_its_posts_are_hidden()
    {
        var member = await server.SignUpAsync(Unique("sus_"));
        var reporter = await server.SignUpAsync(Unique("rep_"));
        using var m = server.Http(member.Token);
        var post = await m.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Visible until suspended" });
        var report = await server.Http(reporter.Token).PostJsonAsync(OwnApi.Path("/reports"), new { accountId = member.Id, rule = "1", comment = "Spam" });
        var (_, mod) = await ModeratorAsync();
        using var __ = mod;
        var suspended = await mod.SubmitAsync($"/moderation/reports/{report.Str("id")}", "main form", new Dictionary<string, string> { ["decision"] = "suspend", ["rule"] = "listen", ["reason"] = "Posting adverts" });
        Assert.Equal(HttpStatusCode.Redirect, suspended.StatusCode);

        // Its tokens no longer work, its profile says why its posts are gone.
        Assert.Equal(HttpStatusCode.Unauthorized, (await m.PostAsJsonAsync(OwnApi.Path("/posts"), new { text = "still here?" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http().GetAsync(OwnApi.Path($"/posts/{post.Str("id")}"))).StatusCode);
        var (_, profile) = await new WebSession(server).GetAsync($"/@{member.Handle}");
        Assert.Contains("suspended", profile.QuerySelector(".db-profile__suspended")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Visible until suspended", Text(profile), StringComparison.Ordinal);

        // Signed in, the person reads and appeals; anything else that changes something is refused.
        using var web = new WebSession(server);
        await web.SignInAsync(member.Email);
        var composed = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = "Let me post", ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.Forbidden, composed.StatusCode);
        Assert.Contains("suspended", await composed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var (_, decisions) = await web.GetAsync("/appeals");
        var decisionLink = decisions.QuerySelectorAll("a").First(l => l.GetAttribute("href")?.StartsWith("/appeals?decision=", StringComparison.Ordinal) == true).GetAttribute("href")!.Split('#')[0];
        var appealed = await web.SubmitAsync(decisionLink, "main form", new Dictionary<string, string> { ["text"] = "It was one post about our fundraiser" });
        Assert.Equal(HttpStatusCode.Redirect, appealed.StatusCode);

        var (_, appeals) = await mod.GetAsync("/moderation/appeals");
        var decideLink = appeals.QuerySelectorAll("a").First(l => l.GetAttribute("href")?.StartsWith("/moderation/appeals?appeal=", StringComparison.Ordinal) == true).GetAttribute("href")!.Split('#')[0];
        var lifted = await mod.SubmitAsync(decideLink, "main form", new Dictionary<string, string> { ["outcome"] = "reverse", ["answer"] = "Suspension lifted" });
        Assert.Equal(HttpStatusCode.Redirect, lifted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http().GetAsync(OwnApi.Path($"/posts/{post.Str("id")}"))).StatusCode);
        var posted = await web.SubmitAsync("/compose", "main form", new Dictionary<string, string> { ["text"] = "Back again", ["intent"] = "publish" });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
    }

    [Fact]
    public async Task A_limited_accounts_new_posts_wait_for_a_moderator()
    {
        var member = await server.SignUpAsync(Unique("lim_"));
        var reporter = await server.SignUpAsync(Unique("rep_"));
        var report = await server.Http(reporter.Token).PostJsonAsync(OwnApi.Path("/reports"), new { accountId = member.Id, rule = "respect" });
        var (_, mod) = await ModeratorAsync();
        using var __ = mod;
        var limited = await mod.SubmitAsync($"/moderation/reports/{report.Str("id")}", "main form", new Dictionary<string, string> { ["decision"] = "limit", ["rule"] = "respect", ["reason"] = "Piling on" });
        Assert.Equal(HttpStatusCode.Redirect, limited.StatusCode);
        var post = await server.Http(member.Token).PostJsonAsync(OwnApi.Path("/posts"), new { text = "Waiting for a moderator" });
        Assert.Equal("held", post.Str("status"));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http().GetAsync(OwnApi.Path($"/posts/{post.Str("id")}"))).StatusCode);
        var (_, held) = await mod.GetAsync("/moderation");
        Assert.Contains("Waiting for a moderator", Text(held), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mastodon_apps_report_with_a_rule_and_read_the_rules()
    {
        var author = await server.SignUpAsync(Unique("mast_"), "professional");
        var reader = await server.SignUpAsync(Unique("mrd_"));
        var post = await server.Http(author.Token).PostJsonAsync(OwnApi.Path("/posts"), new { text = "Reportable words" });
        var rules = await server.Http().GetJsonAsync("/api/v1/instance/rules");
        Assert.Equal(["Listen", "Respect", "Know your subject", "Discuss limitations", "No individual advice"], rules.EnumerateArray().Select(x => x.Str("text")));
        using var r = server.Http(reader.Token);
        using var noRule = await r.PostAsync("/api/v1/reports", new FormUrlEncodedContent(new Dictionary<string, string> { ["account_id"] = author.Id }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noRule.StatusCode);
        Assert.Contains("rule_ids", await noRule.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var filed = await r.PostJsonAsync("/api/v1/reports", new Dictionary<string, object> { ["account_id"] = author.Id, ["status_ids"] = new[] { post.Str("id") }, ["rule_ids"] = new[] { "5" }, ["comment"] = "Advice to one patient" });
        Assert.Equal(author.Id, filed.GetProperty("target_account").Str("id"));
        Assert.Equal(["5"], filed.GetProperty("rule_ids").EnumerateArray().Select(x => x.GetString()));
        var (_, mod) = await ModeratorAsync();
        using var __ = mod;
        var (_, queue) = await mod.GetAsync("/moderation/reports");
        Assert.Contains(queue.QuerySelectorAll("a"), l => l.GetAttribute("href") == $"/moderation/reports/{filed.Str("id")}");
    }

    [Fact]
    public async Task Only_admins_grant_roles_and_the_last_admin_stays()
    {
        var admin = await server.SignUpAsync(Unique("adm_"), "professional");
        var candidate = await server.SignUpAsync(Unique("cand_"), "professional");
        await ServerRoles.GrantAsync(server, admin.Email, "admin");
        using var candidateWeb = new WebSession(server);
        await candidateWeb.SignInAsync(candidate.Email);
        Assert.NotEqual(HttpStatusCode.OK, (await candidateWeb.GetAsync("/admin/roles")).Status);
        Assert.NotEqual(HttpStatusCode.OK, (await candidateWeb.GetAsync("/moderation/reports")).Status);

        using var adminWeb = new WebSession(server);
        await adminWeb.SignInAsync(admin.Email);
        var unknown = await adminWeb.SubmitAsync("/admin/roles", "form[action='/admin/roles?handler=grant']", new Dictionary<string, string> { ["handle"] = "nobody_here_at_all", ["role"] = "moderator" });
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Contains("No account of a person has that handle", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var granted = await adminWeb.SubmitAsync("/admin/roles", "form[action='/admin/roles?handler=grant']", new Dictionary<string, string> { ["handle"] = candidate.Handle, ["role"] = "moderator" });
        Assert.Equal(HttpStatusCode.Redirect, granted.StatusCode);

        // A fresh sign-in carries the new role.
        using var promoted = new WebSession(server);
        await promoted.SignInAsync(candidate.Email);
        Assert.Equal(HttpStatusCode.OK, (await promoted.GetAsync("/moderation/reports")).Status);
        var (_, audit) = await promoted.GetAsync("/moderation/audit");
        Assert.Contains(audit.QuerySelectorAll("tr"), row => row.TextContent.Contains("A role was granted", StringComparison.Ordinal) && row.TextContent.Contains(admin.Handle, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_organisation_that_restricts_replies_says_why_on_its_page_and_only_followers_reply()
    {
        var lead = await server.SignUpAsync(Unique("lead_"), "professional");
        var follower = await server.SignUpAsync(Unique("fol_"));
        var stranger = await server.SignUpAsync(Unique("str_"));
        var org = Unique("org_");
        using var l = server.Http(lead.Token);
        var created = await l.PostJsonAsync(OwnApi.Path("/organisations"), new { handle = org, displayName = "Hilltop Practice", bio = "" });
        var orgPost = await l.PostJsonAsync(OwnApi.Path($"/organisations/{org}/posts"), new { text = "Our flu clinics start on Monday" });
        using var leadWeb = new WebSession(server);
        await leadWeb.SignInAsync(lead.Email);
        var noReason = await leadWeb.SubmitAsync($"/organisations/{org}/staff", $"form[action='/organisations/{org}/staff?handler=replies']", new Dictionary<string, string> { ["replyPolicy"] = "followers", ["replyReason"] = "" });
        Assert.Equal(HttpStatusCode.OK, noReason.StatusCode);
        Assert.Contains("Say why replies are restricted", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var saved = await leadWeb.SubmitAsync($"/organisations/{org}/staff", $"form[action='/organisations/{org}/staff?handler=replies']", new Dictionary<string, string> { ["replyPolicy"] = "followers", ["replyReason"] = "During the pre-election period we answer followers only" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var (_, page) = await new WebSession(server).GetAsync($"/@{org}");
        Assert.Contains("takes replies from followers only: During the pre-election period", page.QuerySelector(".db-profile__replies")!.TextContent, StringComparison.Ordinal);

        using var s = server.Http(stranger.Token);
        using var refused = await s.PostAsJsonAsync(OwnApi.Path("/posts"), new { text = "When?", inReplyToId = orgPost.Str("postId") });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("followers only", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var f = server.Http(follower.Token);
        (await f.PostAsync(OwnApi.Path($"/accounts/{created.Str("id")}/follow"), null)).EnsureSuccessStatusCode();
        await f.PostJsonAsync(OwnApi.Path("/posts"), new { text = "Which days?", inReplyToId = orgPost.Str("postId") });

        // Someone who isn't the organisation's admin can't change it.
        using var strangerWeb = new WebSession(server);
        await strangerWeb.SignInAsync(stranger.Email);
        var (_, staffPage) = await strangerWeb.GetAsync($"/organisations/{org}/staff");
        Assert.Null(staffPage.QuerySelector($"form[action='/organisations/{org}/staff?handler=replies']"));
        var forged = await strangerWeb.PostRawAsync($"/organisations/{org}/staff?handler=replies", new Dictionary<string, string> { ["replyPolicy"] = "everyone" });
        Assert.NotEqual(HttpStatusCode.Redirect, forged.StatusCode);
    }

    [Fact]
    public async Task Sign_up_and_the_about_page_show_the_rules()
    {
        using var web = new WebSession(server);
        foreach (var url in new[] { "/auth/sign-up", "/about" })
        {
            var (status, page) = await web.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, status);
            foreach (var rule in new[] { "Listen", "Respect", "Know your subject", "Discuss limitations", "No individual advice" })
            {
                Assert.Contains(rule, Text(page), StringComparison.Ordinal);
            }
        }
    }
}

public sealed class SqliteModerationTests(DrawbridgeServer server) : ModerationTests<DrawbridgeServer>(server), IClassFixture<DrawbridgeServer>;

public sealed class PostgresModerationTests(PostgresDrawbridgeServer server) : ModerationTests<PostgresDrawbridgeServer>(server), IClassFixture<PostgresDrawbridgeServer>;

/// <summary>The operator makes the first admin from the command line.</summary>
public sealed class RoleCommandTests(DrawbridgeServer server) : IClassFixture<DrawbridgeServer>
{
    private async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Drawbridge.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add($"--Drawbridge:DataDirectory={server.DataDirectory}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    [Fact]
    public async Task Accounts_role_makes_an_admin_who_can_then_open_the_roles_page()
    {
        var person = await server.SignUpAsync($"root_{Guid.NewGuid():N}"[..14], "professional");
        var bad = await CliAsync("accounts", "role", person.Handle, "overlord");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("moderator|admin", bad.Err, StringComparison.Ordinal);
        var (exit, output, error) = await CliAsync("accounts", "role", person.Handle, "admin");
        Assert.True(exit == 0, error);
        Assert.Equal($"@{person.Handle} is now admin", output);
        using var web = new WebSession(server);
        await web.SignInAsync(person.Email);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/admin/roles")).Status);
    }
}
