using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Listening;

/// <summary>An organisation with an admin, a responder and a viewer, and an outsider who runs another organisation.</summary>
public sealed record Castle(string Handle, TestUser Admin, TestUser Responder, TestUser Viewer, TestUser Outsider, string OtherHandle)
{
    public string Api => $"/api/drawbridge/v1/organisations/{Handle}";

    public static async Task<Castle> BuildAsync(DrawbridgeServer server, string prefix)
    {
        var admin = await server.SignUpAsync(prefix + "_lead", "professional");
        var responder = await server.SignUpAsync(prefix + "_resp", "professional");
        var viewer = await server.SignUpAsync(prefix + "_view", "professional");
        var outsider = await server.SignUpAsync(prefix + "_out", "professional");
        var handle = prefix + "_trust";
        using var a = server.Http(admin.Token);
        await a.PostJsonAsync("/api/drawbridge/v1/organisations", new { handle, displayName = "Riverside Community Trust " + prefix, bio = "Community nursing" });
        await a.PostJsonAsync($"/api/drawbridge/v1/organisations/{handle}/members", new { handle = responder.Handle, role = "responder" });
        await a.PostJsonAsync($"/api/drawbridge/v1/organisations/{handle}/members", new { handle = viewer.Handle, role = "viewer" });
        var other = prefix + "_other";
        await server.Http(outsider.Token).PostJsonAsync("/api/drawbridge/v1/organisations", new { handle = other, displayName = "Other Trust " + prefix, bio = "" });
        return new Castle(handle, admin, responder, viewer, outsider, other);
    }
}

public abstract class InboxTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    private static int _counter;

    private static string Prefix() => "c" + Interlocked.Increment(ref _counter) + Guid.NewGuid().ToString("N")[..5];

    private async Task<string> FeedbackAsync(Castle c, object body)
    {
        var response = await server.Http().PostAsJsonAsync($"{c.Api}/feedback", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"feedback answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.ReadJsonAsync()).Str("id");
    }

    [Fact]
    public async Task Admins_give_roles_and_the_staff_list_shows_them()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var members = await server.Http().GetJsonAsync($"/api/drawbridge/v1/organisations/{c.Handle}/members");
        Assert.Equal([("admin", c.Admin.Handle), ("responder", c.Responder.Handle), ("viewer", c.Viewer.Handle)],
            members.EnumerateArray().Select(m => (m.Str("role"), m.GetProperty("account").Str("handle"))));
        using var a = server.Http(c.Admin.Token);
        var badRole = await a.PostAsJsonAsync($"/api/drawbridge/v1/organisations/{c.Handle}/members", new { handle = c.Viewer.Handle, role = "owner" });
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.Contains("admin, responder or viewer", await badRole.Content.ReadAsStringAsync());
        // The only admin can't hand the organisation over to no one.
        var demoteSelf = await a.PostAsJsonAsync($"/api/drawbridge/v1/organisations/{c.Handle}/members", new { handle = c.Admin.Handle, role = "viewer" });
        Assert.Equal(HttpStatusCode.BadRequest, demoteSelf.StatusCode);
        Assert.Contains("at least one admin", await demoteSelf.Content.ReadAsStringAsync());
        var byResponder = await server.Http(c.Responder.Token).PostAsJsonAsync($"/api/drawbridge/v1/organisations/{c.Handle}/members", new { handle = c.Viewer.Handle, role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, byResponder.StatusCode);
    }

    [Fact]
    public async Task A_responder_posts_as_the_organisation_and_only_its_staff_see_who_wrote_it()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var posted = await server.Http(c.Responder.Token).PostJsonAsync($"{c.Api}/posts", new { text = "Our clinics are open as usual over the bank holiday." });
        var postId = posted.Str("postId");
        var post = await server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{postId}");
        Assert.Equal(c.Handle, post.GetProperty("author").Str("handle"));
        Assert.DoesNotContain(c.Responder.Handle, post.GetRawText());
        var audit = await server.Http(c.Viewer.Token).GetJsonAsync($"{c.Api}/posts/{postId}/author");
        Assert.Equal(c.Responder.Handle, audit.GetProperty("writtenBy").Str("handle"));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync($"{c.Api}/posts/{postId}/author")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/posts/{postId}/author")).StatusCode);
        var byViewer = await server.Http(c.Viewer.Token).PostAsJsonAsync($"{c.Api}/posts", new { text = "Viewers can't speak for us" });
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);
        var page = await server.Http().GetStringAsync($"/@{c.Handle}/{postId}");
        Assert.Contains("Our clinics are open as usual", page);
        Assert.DoesNotContain(c.Responder.Handle, page);
    }

    [Fact]
    public async Task Guest_feedback_lands_in_the_inbox_and_is_worked_to_closed_with_its_history()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var id = await FeedbackAsync(c, new { name = "Pat", email = "pat@example.org", service = "District nursing", text = "The nurse who came on Tuesday was kind and explained everything." });
        using var r = server.Http(c.Responder.Token);
        var inbox = await r.GetJsonAsync($"{c.Api}/inbox");
        var item = Assert.Single(inbox.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.Str("id"));
        Assert.Equal("new", item.Str("state"));
        Assert.Equal("feedback", item.Str("source"));
        Assert.Equal("District nursing", item.Str("service"));
        Assert.Equal("Pat", item.Str("authorName"));

        await r.PostJsonAsync($"{c.Api}/inbox/{id}/assign", new { assigneeId = c.Responder.Id });
        await r.PostJsonAsync($"{c.Api}/inbox/{id}/notes", new { text = "Pass thanks to Jo on the Tuesday round" });
        var responded = await r.PostJsonAsync($"{c.Api}/inbox/{id}/response", new { text = "Thank you, Pat: we've passed this on to Jo.", asOrganisation = true });
        Assert.Equal("responded", responded.GetProperty("item").Str("state"));
        Assert.Equal(c.Responder.Handle, responded.GetProperty("respondedBy").Str("handle"));
        var mail = server.Services.GetRequiredService<Mailer>().Recent.Last(m => m.To == "pat@example.org");
        Assert.Contains("we've passed this on to Jo", mail.Body);
        Assert.DoesNotContain("Tuesday round", mail.Body);
        var closed = await r.PostJsonAsync($"{c.Api}/inbox/{id}/state", new { state = "closed" });
        Assert.Equal("closed", closed.GetProperty("item").Str("state"));
        Assert.NotEqual(JsonValueKind.Null, closed.GetProperty("item").GetProperty("closedAt").ValueKind);

        var detail = await server.Http(c.Viewer.Token).GetJsonAsync($"{c.Api}/inbox/{id}");
        Assert.Equal("Pass thanks to Jo on the Tuesday round", Assert.Single(detail.GetProperty("notes").EnumerateArray()).Str("text"));
        var history = detail.GetProperty("history").EnumerateArray().Select(h => (h.Str("what"), h.GetProperty("actor").ValueKind == JsonValueKind.Null ? null : h.GetProperty("actor").Str("handle"))).ToList();
        Assert.Equal(
        [
            ("Received through the feedback form", null),
            ($"Assigned to {c.Responder.Handle.Replace('_', ' ')} (@{c.Responder.Handle})", c.Responder.Handle),
            ("Added an internal note", c.Responder.Handle),
            ($"Responded as Riverside Community Trust {c.Handle[..^6]}", c.Responder.Handle),
            ("Marked closed", c.Responder.Handle),
        ], history);
    }

    [Fact]
    public async Task A_viewer_reads_the_inbox_but_cannot_respond_note_assign_or_change_state()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var id = await FeedbackAsync(c, new { text = "Waited two hours for the clinic." });
        using var v = server.Http(c.Viewer.Token);
        Assert.Single((await v.GetJsonAsync($"{c.Api}/inbox")).GetProperty("items").EnumerateArray());
        var attempts = new (string Url, object Body)[]
        {
            ($"{c.Api}/inbox/{id}/response", new { text = "Sorry" }),
            ($"{c.Api}/inbox/{id}/notes", new { text = "A note" }),
            ($"{c.Api}/inbox/{id}/assign", new { assigneeId = c.Viewer.Id }),
            ($"{c.Api}/inbox/{id}/state", new { state = "closed" }),
            ($"{c.Api}/inbox/bulk", new { ids = new[] { id }, action = "close" }),
        };
        foreach (var (url, body) in attempts)
        {
            var response = await v.PostAsJsonAsync(url, body);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url} answered {(int)response.StatusCode} to a viewer");
        }
        var item = await v.GetJsonAsync($"{c.Api}/inbox/{id}");
        Assert.Equal("new", item.GetProperty("item").Str("state"));
        Assert.Empty(item.GetProperty("notes").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("item").GetProperty("response").ValueKind);
    }

    [Fact]
    public async Task Nobody_outside_the_staff_reaches_the_inbox()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var id = await FeedbackAsync(c, new { text = "My dad's care at home has been excellent." });
        var member = await server.SignUpAsync(c.Handle[..^6] + "_pub");
        foreach (var token in new[] { c.Outsider.Token, member.Token })
        {
            using var h = server.Http(token);
            foreach (var url in new[] { $"{c.Api}/inbox", $"{c.Api}/inbox/{id}", $"{c.Api}/inbox/export" })
            {
                Assert.Equal(HttpStatusCode.Forbidden, (await h.GetAsync(url)).StatusCode);
            }
            Assert.Equal(HttpStatusCode.Forbidden, (await h.PostAsJsonAsync($"{c.Api}/inbox/{id}/notes", new { text = "x" })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/inbox")).StatusCode);
        // The outsider's own organisation's inbox does not hold the item either.
        var theirs = await server.Http(c.Outsider.Token).GetJsonAsync($"/api/drawbridge/v1/organisations/{c.OtherHandle}/inbox");
        Assert.Empty(theirs.GetProperty("items").EnumerateArray());
        // Another organisation's staff can't reach this item through their own inbox's address.
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http(c.Outsider.Token).GetAsync($"/api/drawbridge/v1/organisations/{c.OtherHandle}/inbox/{id}")).StatusCode);
    }

    [Fact]
    public async Task Internal_notes_never_appear_in_a_public_page_feed_or_api_answer()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var secret = "NOTE" + Guid.NewGuid().ToString("N")[..10];
        var id = await FeedbackAsync(c, new { email = "sam@example.org", text = "The ward was noisy at night." });
        using var r = server.Http(c.Responder.Token);
        await r.PostJsonAsync($"{c.Api}/posts", new { text = "We've started quiet hours on the wards." });
        await r.PostJsonAsync($"{c.Api}/inbox/{id}/notes", new { text = $"Estates ticket {secret}" });
        await r.PostJsonAsync($"{c.Api}/inbox/{id}/response", new { text = "Thank you: quiet hours start next week." });
        await server.DrainJobsAsync();
        using var visitor = server.Http();
        var publicAnswers = new[]
        {
            $"/@{c.Handle}", $"/@{c.Handle}?tab=replies", $"/@{c.Handle}.rss", $"/@{c.Handle}.atom", $"/@{c.Handle}/articles.rss",
            $"/api/drawbridge/v1/accounts/{c.Handle}", $"/api/drawbridge/v1/accounts/{c.Handle}/posts", "/public/local", "/api/drawbridge/v1/timelines/local",
            $"/organisations/{c.Handle}/staff", $"/organisations/{c.Handle}/feedback", "/search?q=Estates", "/api/drawbridge/v1/search?q=Estates",
        };
        foreach (var url in publicAnswers)
        {
            var response = await visitor.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}");
            Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync());
        }
        foreach (var token in new[] { c.Outsider.Token, (await server.SignUpAsync(c.Handle[..^6] + "_m")).Token })
        {
            using var h = server.Http(token);
            foreach (var url in new[] { $"{c.Api}/inbox/{id}", $"{c.Api}/inbox", $"{c.Api}/inbox/export", "/api/drawbridge/v1/notifications", "/api/drawbridge/v1/search?q=Estates" })
            {
                Assert.DoesNotContain(secret, await (await h.GetAsync(url)).Content.ReadAsStringAsync());
            }
        }
        var mail = server.Services.GetRequiredService<Mailer>().Recent.Last(m => m.To == "sam@example.org");
        Assert.DoesNotContain(secret, mail.Body);
        // Staff do see it.
        Assert.Contains(secret, (await r.GetJsonAsync($"{c.Api}/inbox/{id}")).GetRawText());
    }

    [Fact]
    public async Task Feedback_that_carries_identifiers_is_held_and_the_person_is_told_why()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var response = await server.Http().PostAsJsonAsync($"{c.Api}/feedback", new { text = "My appointment was cancelled twice. My NHS number is 943 476 5919." });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.True(body.GetProperty("held").GetBoolean());
        Assert.Contains("personal identifiers", body.Str("message"));
        var item = Assert.Single((await server.Http(c.Admin.Token).GetJsonAsync($"{c.Api}/inbox")).GetProperty("items").EnumerateArray());
        Assert.Contains("nhs-number", item.Str("heldReason"));
    }

    [Fact]
    public async Task The_counts_follow_every_change_to_the_inbox_at_once()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var first = await FeedbackAsync(c, new { service = "Ward 7", text = "The night staff were kind to my father." });
        await FeedbackAsync(c, new { service = "Ward 7", text = "Nobody told us when visiting ended." });
        using var r = server.Http(c.Responder.Token);
        async Task<int> Total(string query) => (await r.GetJsonAsync($"{c.Api}/inbox?{query}")).GetProperty("total").GetInt32();
        Assert.Equal(2, await Total("state=new"));
        Assert.Equal(2, await Total("service=Ward%207"));

        // Read twice, so a count kept from the first read would show if a change did not replace it.
        await r.PostJsonAsync($"{c.Api}/inbox/bulk", new { ids = new[] { first }, action = "close" });
        Assert.Equal(1, await Total("state=new"));
        Assert.Equal(1, await Total("state=closed"));
        Assert.Equal(2, await Total("service=Ward%207"));

        await FeedbackAsync(c, new { service = "Ward 7", text = "The discharge letter came a week late." });
        Assert.Equal(2, await Total("state=new"));
        Assert.Equal(3, await Total("service=Ward%207"));
        Assert.Equal(3, await Total(""));
    }

    [Fact]
    public async Task The_inbox_page_shows_25_items_unless_the_responder_chooses_more()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        for (var i = 0; i < 30; i++)
        {
            await FeedbackAsync(c, new { service = "Ward 3", text = $"Visit number {i:00} went well" });
        }
        using var web = new Web.WebSession(server);
        await web.SignInAsync(c.Responder.Email);
        var inbox = $"/organisations/{c.Handle}/inbox";
        int Rows(AngleSharp.Dom.IDocument page) => page.QuerySelectorAll("main tbody tr").Length;

        var (status, first) = await web.GetAsync(inbox);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(25, Rows(first));
        Assert.Contains("Page 2 of 2", first.QuerySelector("nav.nhsuk-pagination")?.TextContent);
        Assert.Equal("25", first.QuerySelector("select#size option[selected]")?.GetAttribute("value"));

        var (_, second) = await web.GetAsync(inbox + "?page=2");
        Assert.Equal(5, Rows(second));

        var (_, fifty) = await web.GetAsync(inbox + "?service=Ward%203&size=50");
        Assert.Equal(30, Rows(fifty));
        Assert.Null(fifty.QuerySelector("nav.nhsuk-pagination"));
        Assert.Equal("50", fifty.QuerySelector("select#size option[selected]")?.GetAttribute("value"));
        var (_, ten) = await web.GetAsync(inbox + "?size=10");
        Assert.Contains("Choose 25, 50 or 100 items per page", ten.QuerySelector(".nhsuk-error-summary")?.TextContent);
        Assert.Equal(0, Rows(ten));
    }

    [Fact]
    public async Task Filters_search_bulk_actions_and_csv_export_agree()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var ward = await FeedbackAsync(c, new { service = "Ward 7", text = "Parking was impossible and I missed my slot." });
        var clinic = await FeedbackAsync(c, new { service = "Foot clinic", text = "Quick and friendly, no parking trouble." });
        var formula = await FeedbackAsync(c, new { service = "Ward 7", text = "=HYPERLINK(\"http://evil.example\",\"click\")" });
        using var r = server.Http(c.Responder.Token);
        async Task<List<string>> Ids(string query) =>
            (await r.GetJsonAsync($"{c.Api}/inbox?{query}")).GetProperty("items").EnumerateArray().Select(i => i.Str("id")).ToList();
        Assert.Equal([formula, ward], await Ids("service=Ward%207"));
        Assert.Equal([clinic, ward], await Ids("q=parking"));
        Assert.Equal([ward], await Ids("q=parking%20slot"));
        var bulk = await r.PostJsonAsync($"{c.Api}/inbox/bulk", new { ids = new[] { ward, clinic }, action = "assign_to_me" });
        Assert.Equal(2, bulk.GetProperty("changed").GetInt32());
        Assert.Equal([clinic, ward], await Ids("assignee=me"));
        Assert.Equal([clinic, ward], await Ids("state=assigned"));
        Assert.Equal([formula], await Ids("assignee=none"));
        await r.PostJsonAsync($"{c.Api}/inbox/bulk", new { ids = new[] { clinic }, action = "close" });
        Assert.Equal([clinic], await Ids("state=closed"));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, (await Ids($"from={today}&to={today}")).Count);
        Assert.Empty(await Ids("to=2020-01-01"));

        var csv = await r.GetAsync($"{c.Api}/inbox/export?service=Ward%207");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("id,received_at,source,state", lines[0].TrimStart('\uFEFF'));
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith(ward + ",", StringComparison.Ordinal) && l.Contains("Parking was impossible"));
        // A formula is written as text, never as something a spreadsheet would run.
        Assert.DoesNotContain(",\"=HYPERLINK", text);
        Assert.DoesNotContain(",=HYPERLINK", text);
        Assert.Contains("'=HYPERLINK", text);
    }

    /// <summary>
    /// Intake of replies, mentions and guest comments, run as the post-published handler will run it (the domain-event
    /// seam that triggers it is not on this branch yet): each lands once in the right organisation's inbox.
    /// </summary>
    [Fact]
    public async Task Replies_mentions_and_guest_comments_land_in_the_right_inbox_once()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var member = await server.SignUpAsync(c.Handle[..^6] + "_pt");
        using var r = server.Http(c.Responder.Token);
        var orgPost = (await r.PostJsonAsync($"{c.Api}/posts", new { text = "Flu clinics open on Saturday." })).Str("postId");
        // The viewer opts in to have what is addressed to them join the inbox; the responder does not.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var orgs = scope.ServiceProvider.GetRequiredService<OrganisationService>();
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            var org = (await accounts.FindByHandleAsync(c.Handle, CancellationToken.None))!;
            Assert.True((await orgs.SetIncludeInInboxAsync(long.Parse(c.Viewer.Id, System.Globalization.CultureInfo.InvariantCulture), org.Id, true, CancellationToken.None)).Succeeded);
        }
        using var m = server.Http(member.Token);
        var reply = (await m.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Do I need to book?", inReplyToId = orgPost })).Str("id");
        var mention = (await m.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Thanks @{c.Viewer.Handle} for the jab today" })).Str("id");
        var notOptedIn = (await m.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"Thanks @{c.Responder.Handle} too" })).Str("id");
        var fromStaff = (await r.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Yes, book online", inReplyToId = orgPost })).Str("id");
        var article = (await server.Http(c.Viewer.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { kind = "article", title = "Flu jabs", summary = "Why", text = "Get your flu jab." })).Str("id");
        var comment = await server.Http().PostJsonAsync($"/api/drawbridge/v1/posts/{article}/guest-comments", new { name = "Lee", email = "lee@example.org", text = "Is it safe in pregnancy?" });
        // Intake runs in the background, staged with each change: wait for the three items addressed to the inbox.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await r.GetJsonAsync($"{c.Api}/inbox")).GetProperty("items").GetArrayLength() < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            // Intake again (as a retried job would) adds nothing twice.
            var intake = scope.ServiceProvider.GetRequiredService<Drawbridge.Listening.InboxIntake>();
            Assert.Equal(0, await intake.FromPostAsync(long.Parse(reply, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None));
            Assert.Equal(0, await intake.FromGuestCommentAsync(long.Parse(comment.Str("id"), System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None));
        }
        var items = (await r.GetJsonAsync($"{c.Api}/inbox")).GetProperty("items").EnumerateArray()
            .Select(i => (i.Str("source"), i.Str("text"), i.GetProperty("addressedTo").Str("handle"))).ToList();
        Assert.Equal(
        [
            ("guest_comment", "Is it safe in pregnancy?", c.Viewer.Handle),
            ("mention", $"Thanks @{c.Viewer.Handle} for the jab today", c.Viewer.Handle),
            ("reply", "Do I need to book?", c.Handle),
        ], items);
        Assert.Empty((await server.Http(c.Outsider.Token).GetJsonAsync($"/api/drawbridge/v1/organisations/{c.OtherHandle}/inbox")).GetProperty("items").EnumerateArray());

        // Answering the reply as the organisation posts a reply in the thread, signed by the organisation.
        var replyItem = (await r.GetJsonAsync($"{c.Api}/inbox?source=reply")).GetProperty("items")[0].Str("id");
        var answered = await r.PostJsonAsync($"{c.Api}/inbox/{replyItem}/response", new { text = "No need to book: just come along." });
        var answer = await server.Http().GetJsonAsync($"/api/drawbridge/v1/posts/{answered.GetProperty("item").Str("responsePostId")}");
        Assert.Equal(c.Handle, answer.GetProperty("author").Str("handle"));
        Assert.Equal(reply, answer.Str("inReplyToId"));
    }

    [Fact]
    public async Task Bad_feedback_and_bad_filters_get_errors_that_name_the_problem()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        using var guest = server.Http();
        async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field, string words)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"answered {(int)response.StatusCode}: {body}");
            Assert.Contains(field, body);
            Assert.Contains(words, body);
        }
        await AssertProblem(await guest.PostAsJsonAsync($"{c.Api}/feedback", new { text = "  " }), HttpStatusCode.BadRequest, "text", "Tell us about your experience");
        await AssertProblem(await guest.PostAsJsonAsync($"{c.Api}/feedback", new { text = "Fine", email = "not-an-address" }), HttpStatusCode.BadRequest, "email", "correct format");
        await AssertProblem(await guest.PostAsJsonAsync($"{c.Api}/feedback", new { text = new string('a', 5001) }), HttpStatusCode.BadRequest, "text", "5,000 characters");
        await AssertProblem(await guest.PostAsJsonAsync("/api/drawbridge/v1/organisations/no_such_trust/feedback", new { text = "Hello" }), HttpStatusCode.NotFound, "detail", "No organisation");
        // The admin's personal account is not an organisation.
        await AssertProblem(await guest.PostAsJsonAsync($"/api/drawbridge/v1/organisations/{c.Admin.Handle}/feedback", new { text = "Hello" }), HttpStatusCode.NotFound, "detail", "No organisation");
        var malformed = await guest.PostAsync($"{c.Api}/feedback", new StringContent("{\"text\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var r = server.Http(c.Responder.Token);
        await AssertProblem(await r.GetAsync($"{c.Api}/inbox?state=urgent"), HttpStatusCode.BadRequest, "state", "change_planned");
        await AssertProblem(await r.GetAsync($"{c.Api}/inbox?from=31/12/2026"), HttpStatusCode.BadRequest, "from", "2026-03-31");
        await AssertProblem(await r.GetAsync($"{c.Api}/inbox?assignee=bob"), HttpStatusCode.BadRequest, "assignee", "me or none");
        await AssertProblem(await r.GetAsync($"{c.Api}/inbox?limit=100000"), HttpStatusCode.BadRequest, "limit", "between 1 and 200");
        await AssertProblem(await r.PostAsJsonAsync($"{c.Api}/inbox/bulk", new { ids = new[] { "1" }, action = "explode" }), HttpStatusCode.BadRequest, "action", "mark_read");
        await AssertProblem(await r.PostAsJsonAsync($"{c.Api}/inbox/1/response", new { text = "Hi" }), HttpStatusCode.NotFound, "detail", "No such item");
        // Nothing was half-written: the inbox is still empty.
        Assert.Empty((await r.GetJsonAsync($"{c.Api}/inbox")).GetProperty("items").EnumerateArray());
        // A guest's bot that fills the hidden field is refused.
        await AssertProblem(await guest.PostAsJsonAsync($"{c.Api}/feedback", new { text = "Buy now", website = "http://spam.example" }), HttpStatusCode.BadRequest, "errors", "could not be accepted");
        Assert.Empty((await r.GetJsonAsync($"{c.Api}/inbox")).GetProperty("items").EnumerateArray());
    }
}

public sealed class SqliteInboxTests(DrawbridgeServer server) : InboxTests<DrawbridgeServer>(server);

public sealed class PostgresInboxTests(PostgresDrawbridgeServer server) : InboxTests<PostgresDrawbridgeServer>(server);

/// <summary>A server with its rate limits on, as in production.</summary>
public sealed class RateLimitedServer() : DrawbridgeServer(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Drawbridge:RateLimits:Enabled"] = "true" });

public sealed class FeedbackFloodTests(RateLimitedServer server) : IClassFixture<RateLimitedServer>
{
    [Fact]
    public async Task One_address_flooding_the_form_is_held_back_and_keeps_what_it_typed()
    {
        var admin = await server.SignUpAsync("flood_lead", "professional");
        await server.Http(admin.Token).PostJsonAsync("/api/drawbridge/v1/organisations", new { handle = "flood_trust", displayName = "Flood Trust", bio = "" });
        using var guest = server.Http();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await guest.PostAsJsonAsync("/api/drawbridge/v1/organisations/flood_trust/feedback", new { text = $"Message {i}" })).StatusCode);
        }
        var refused = await guest.PostAsJsonAsync("/api/drawbridge/v1/organisations/flood_trust/feedback", new { text = "Message 6" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "no Retry-After");
        Assert.Contains("a lot of feedback from this address", await refused.Content.ReadAsStringAsync());

        // The form counts with the API: the page answers 429 with what the person wrote still in the box.
        using var web = new Web.WebSession(server);
        var page = await web.SubmitAsync("/organisations/flood_trust/feedback", "main form", new Dictionary<string, string> { ["text"] = "Typed with care, not lost" });
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("a lot of feedback from this address", html);
        Assert.Contains("Typed with care, not lost", html);
        var inbox = await server.Http(admin.Token).GetJsonAsync("/api/drawbridge/v1/organisations/flood_trust/inbox");
        Assert.Equal(5, inbox.GetProperty("total").GetInt32());
    }
}
