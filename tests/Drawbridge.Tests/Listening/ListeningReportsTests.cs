using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Drawbridge.Listening;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Listening;

/// <summary>
/// Response times in working hours, "you said, we did", the two-way score, the dashboard and the digest, through the
/// API of a real server: what each role may do, what bad input gets back, and what never leaves the organisation.
/// </summary>
public abstract class ListeningReportsTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    private static int _counter;

    private static string Prefix() => "r" + Interlocked.Increment(ref _counter) + Guid.NewGuid().ToString("N")[..5];

    private async Task<string> FeedbackAsync(Castle c, string text, string? service = null)
    {
        var response = await server.Http().PostAsJsonAsync($"{c.Api}/feedback", new { text, service });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"feedback answered {(int)response.StatusCode}");
        return (await response.ReadJsonAsync()).Str("id");
    }

    /// <summary>Sets what a real inbox would have accumulated over time (arrival, answer, classification) on one item.</summary>
    private async Task SetItemAsync(string id, DateTime receivedAt, DateTime? respondedAt = null, string? theme = null, string? sentiment = null)
    {
        // Classification on arrival runs first, so the theme set here is the one that stays (as a staff correction would).
        await server.DrainJobsAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var itemId = long.Parse(id, CultureInfo.InvariantCulture);
        await db.Set<InboxItem>().Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.ClassifiedAt, i => i.ClassifiedAt ?? DateTime.UtcNow)
            .SetProperty(i => i.ReceivedAt, receivedAt)
            .SetProperty(i => i.RespondedAt, respondedAt)
            .SetProperty(i => i.ResponseText, respondedAt == null ? null : "Thank you")
            .SetProperty(i => i.State, respondedAt == null ? InboxState.New : InboxState.Responded)
            .SetProperty(i => i.Theme, theme)
            .SetProperty(i => i.Sentiment, sentiment));
    }

    /// <summary>A Friday at least two weeks back whose Friday and next Monday are working days in England and Wales.</summary>
    private static DateTime OrdinaryFriday()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-14);
        while (day.DayOfWeek != DayOfWeek.Friday || UkBankHolidays.IsHoliday(UkNation.EnglandAndWales, day) || UkBankHolidays.IsHoliday(UkNation.EnglandAndWales, day.AddDays(3)))
        {
            day = day.AddDays(-1);
        }
        return day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    }

    [Fact]
    public async Task Admins_set_opening_hours_and_target_and_bad_settings_are_refused_whole()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        using var admin = server.Http(c.Admin.Token);
        var defaults = await server.Http(c.Viewer.Token).GetJsonAsync($"{c.Api}/settings");
        Assert.Equal("09:00", defaults.Str("opens"));
        Assert.Equal(16, defaults.GetProperty("responseTargetHours").GetInt32());

        var saved = await admin.PutAsJsonAsync($"{c.Api}/settings", new { nation = "scotland", opens = "08:30", closes = "18:00", openDays = new[] { "mon", "tue", "wed", "thu", "fri", "sat" }, responseTargetHours = 24 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var read = await server.Http(c.Responder.Token).GetJsonAsync($"{c.Api}/settings");
        Assert.Equal("scotland", read.Str("nation"));
        Assert.Equal("08:30", read.Str("opens"));
        Assert.Equal(6, read.GetProperty("openDays").GetArrayLength());
        Assert.Equal(24, read.GetProperty("responseTargetHours").GetInt32());

        var bad = await admin.PutAsJsonAsync($"{c.Api}/settings", new { nation = "wales", opens = "18:00", closes = "09:00", openDays = Array.Empty<string>(), responseTargetHours = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.ReadJsonAsync();
        foreach (var field in new[] { "nation", "closes", "openDays", "responseTargetHours" })
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        }
        var unchanged = await admin.GetJsonAsync($"{c.Api}/settings");
        Assert.Equal("scotland", unchanged.Str("nation"));
        Assert.Equal(24, unchanged.GetProperty("responseTargetHours").GetInt32());

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Responder.Token).PutAsJsonAsync($"{c.Api}/settings", new { responseTargetHours = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync($"{c.Api}/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/settings")).StatusCode);
    }

    [Fact]
    public async Task Response_times_count_working_hours_and_overdue_items_are_flagged_and_filtered()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var friday = OrdinaryFriday();
        // Friday 16:00 to Monday 10:00 (GMT or BST alike, 9 to 5): one hour on Friday, one on Monday.
        var answered = await FeedbackAsync(c, "The leaflet about the new clinic was clear.");
        var offset = BusinessCalendar.IsBritishSummerTime(friday.AddHours(12)) ? -1 : 0;
        await SetItemAsync(answered, friday.AddHours(16 + offset), friday.AddDays(3).AddHours(10 + offset));
        var waiting = await FeedbackAsync(c, "Nobody called me back about my appointment.");
        await SetItemAsync(waiting, friday.AddHours(11 + offset));
        var fresh = await FeedbackAsync(c, "Just arrived: the car park is full again.");

        using var viewer = server.Http(c.Viewer.Token);
        var times = await viewer.GetJsonAsync($"{c.Api}/response-times?days=60");
        Assert.Equal(3, times.GetProperty("received").GetInt32());
        Assert.Equal(1, times.GetProperty("responded").GetInt32());
        Assert.Equal(2.0, times.GetProperty("medianFirstResponseHours").GetDouble(), 3);
        Assert.Equal(1, times.GetProperty("overdue").GetInt32());
        Assert.Equal(1, times.GetProperty("withinTarget").GetInt32());
        Assert.Equal(2, times.GetProperty("due").GetInt32());
        var buckets = times.GetProperty("distribution").EnumerateArray().ToDictionary(b => b.Str("label"), b => b.GetProperty("count").GetInt32());
        Assert.Equal(1, buckets["1 to 4 hours"]);
        Assert.Equal(2, buckets["Not yet answered"]);

        var overdue = await viewer.GetJsonAsync($"{c.Api}/inbox?overdue=true");
        Assert.Equal([waiting], overdue.GetProperty("items").EnumerateArray().Select(i => i.Str("id")));
        var all = await viewer.GetJsonAsync($"{c.Api}/inbox");
        var flags = all.GetProperty("items").EnumerateArray().ToDictionary(i => i.Str("id"), i => i.GetProperty("overdue").GetBoolean());
        Assert.True(flags[waiting]);
        Assert.False(flags[fresh]);
        Assert.False(flags[answered]);

        // A target longer than the wait makes nothing overdue.
        await server.Http(c.Admin.Token).PutAsJsonAsync($"{c.Api}/settings", new { responseTargetHours = 500 });
        Assert.Empty((await viewer.GetJsonAsync($"{c.Api}/inbox?overdue=true")).GetProperty("items").EnumerateArray());

        var bad = await viewer.GetAsync($"{c.Api}/inbox?overdue=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Overdue must be true or false", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"{c.Api}/response-times?days=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync($"{c.Api}/response-times")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/response-times")).StatusCode);
    }

    [Fact]
    public async Task A_change_is_drafted_reviewed_and_published_and_nothing_internal_reaches_the_public()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var item = await FeedbackAsync(c, "Visiting hours changed and nobody told us.", "Ward 3");
        var secret = "INTERNAL" + Guid.NewGuid().ToString("N")[..10];
        using var responder = server.Http(c.Responder.Token);
        using var admin = server.Http(c.Admin.Token);

        var missing = await responder.PostAsJsonAsync($"{c.Api}/changes", new { youSaid = "x", weDid = "y" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("Enter a title", await missing.Content.ReadAsStringAsync());
        var foreign = await responder.PostAsJsonAsync($"{c.Api}/changes", new { title = "T", youSaid = "x", weDid = "y", itemIds = new[] { "123" } });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("No item 123 in this inbox", await foreign.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Viewer.Token).PostAsJsonAsync($"{c.Api}/changes", new { title = "T", youSaid = "x", weDid = "y" })).StatusCode);
        Assert.Empty((await responder.GetJsonAsync($"{c.Api}/changes/all")).EnumerateArray());

        var draft = await responder.PostJsonAsync($"{c.Api}/changes", new
        {
            title = "Visiting hours on every ward door",
            youSaid = "Families told us they did not know when visiting hours changed.",
            weDid = "We are putting the hours on every ward door and on our website.",
            service = "Ward 3",
            internalNote = $"Estates job {secret}",
            itemIds = new[] { item },
        });
        var id = draft.Str("id");
        Assert.Equal("draft", draft.Str("review"));
        Assert.Equal(c.Responder.Handle, draft.GetProperty("draftedBy").Str("handle"));
        Assert.Equal("change_planned", (await responder.GetJsonAsync($"{c.Api}/inbox/{item}")).GetProperty("item").Str("state"));

        // Not public until an admin publishes it.
        Assert.Empty((await server.Http().GetJsonAsync($"{c.Api}/changes")).EnumerateArray());
        Assert.DoesNotContain("Visiting hours on every ward door", await server.Http().GetStringAsync($"/organisations/{c.Handle}/you-said-we-did"));
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.PostAsJsonAsync($"{c.Api}/changes/{id}/review", new { decision = "publish" })).StatusCode);
        Assert.Equal("awaiting_review", (await responder.PostJsonAsync($"{c.Api}/changes/{id}/submit")).Str("review"));
        var badDecision = await admin.PostAsJsonAsync($"{c.Api}/changes/{id}/review", new { decision = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, badDecision.StatusCode);
        var published = await admin.PostJsonAsync($"{c.Api}/changes/{id}/review", new { decision = "publish" });
        Assert.Equal("published", published.Str("review"));
        // Once published, only an admin edits it or marks it made.
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.PutAsJsonAsync($"{c.Api}/changes/{id}", new { status = "made" })).StatusCode);
        var made = await admin.PutAsJsonAsync($"{c.Api}/changes/{id}", new { status = "made", weDid = "The hours are now on every ward door and on our website." });
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        Assert.Equal("change_made", (await responder.GetJsonAsync($"{c.Api}/inbox/{item}")).GetProperty("item").Str("state"));

        var publicList = await server.Http().GetJsonAsync($"{c.Api}/changes");
        var entry = Assert.Single(publicList.EnumerateArray());
        Assert.Equal("made", entry.Str("status"));
        Assert.Equal(1, entry.GetProperty("feedbackCount").GetInt32());
        foreach (var field in new[] { "internalNote", "draftedBy", "publishedBy", "itemIds", "review" })
        {
            Assert.False(entry.TryGetProperty(field, out _), $"the public API shows {field}");
        }
        var publicAnswers = new[]
        {
            $"/organisations/{c.Handle}/you-said-we-did", $"/organisations/{c.Handle}/you-said-we-did.rss", $"/organisations/{c.Handle}/you-said-we-did.atom",
            $"{c.Api}/changes", $"/@{c.Handle}", $"/@{c.Handle}.rss",
        };
        foreach (var url in publicAnswers)
        {
            var response = await server.Http().GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain(c.Responder.Handle, body);
            Assert.DoesNotContain("Visiting hours changed and nobody told us", body);
            if (url.Contains("you-said-we-did", StringComparison.Ordinal) || url.EndsWith("/changes", StringComparison.Ordinal))
            {
                Assert.Contains("Visiting hours on every ward door", body);
            }
        }
        var rss = await server.Http().GetAsync($"/organisations/{c.Handle}/you-said-we-did.rss");
        Assert.Equal("application/rss+xml", rss.Content.Headers.ContentType!.MediaType);
        Assert.Equal("application/atom+xml", (await server.Http().GetAsync($"/organisations/{c.Handle}/you-said-we-did.atom")).Content.Headers.ContentType!.MediaType);

        // Outsiders get neither the records nor the drafts.
        foreach (var token in new[] { c.Outsider.Token, (await server.SignUpAsync(c.Handle[..^6] + "_m")).Token })
        {
            using var h = server.Http(token);
            Assert.Equal(HttpStatusCode.Forbidden, (await h.GetAsync($"{c.Api}/changes/all")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await h.GetAsync($"{c.Api}/changes/{id}")).StatusCode);
            Assert.DoesNotContain(secret, await (await h.GetAsync($"{c.Api}/changes")).Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/changes/all")).StatusCode);
        // The staff see the note.
        Assert.Contains(secret, (await server.Http(c.Viewer.Token).GetJsonAsync($"{c.Api}/changes/{id}")).Str("internalNote"));

        // Withdrawn: gone from the public page and feeds.
        await admin.PostJsonAsync($"{c.Api}/changes/{id}/review", new { decision = "return" });
        Assert.Empty((await server.Http().GetJsonAsync($"{c.Api}/changes")).EnumerateArray());
        Assert.DoesNotContain("Visiting hours on every ward door", await server.Http().GetStringAsync($"/organisations/{c.Handle}/you-said-we-did.rss"));
    }

    [Fact]
    public async Task The_two_way_score_counts_conversation_and_people_and_is_public_only_with_consent()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var member = await server.SignUpAsync(c.Handle[..^6] + "_pt");
        using var pro = server.Http(c.Responder.Token);
        await pro.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Our clinic opens an hour earlier from Monday." });
        var question = await server.Http(member.Token).PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Does the earlier clinic take walk-ins?" });
        await pro.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "Yes, walk-ins are welcome from 8.", inReplyToId = question.Str("id") });
        await pro.PostJsonAsync("/api/drawbridge/v1/posts", new { text = "And bring your red book for children.", inReplyToId = question.Str("id") });

        var url = $"/api/drawbridge/v1/accounts/{c.Responder.Handle}/score";
        var own = await pro.GetJsonAsync(url);
        Assert.False(own.GetProperty("public").GetBoolean());
        var thirty = own.GetProperty("windows").EnumerateArray().First(w => w.GetProperty("days").GetInt32() == 30);
        Assert.Equal(2, thirty.GetProperty("conversationPosts").GetInt32());
        Assert.Equal(1, thirty.GetProperty("broadcastPosts").GetInt32());
        Assert.Equal(0.667, thirty.GetProperty("conversationShare").GetDouble(), 3);
        Assert.Equal(1, thirty.GetProperty("answersToThePublic").GetInt32());
        Assert.Equal(1, thirty.GetProperty("peopleEngaged").GetInt32());

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(member.Token).GetAsync(url)).StatusCode);
        Assert.DoesNotContain("Two-way score", await server.Http().GetStringAsync($"/@{c.Responder.Handle}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await pro.PutAsJsonAsync("/api/drawbridge/v1/me/two-way-score", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await pro.PutAsJsonAsync("/api/drawbridge/v1/me/two-way-score", new { @public = true })).StatusCode);
        Assert.True((await server.Http().GetJsonAsync(url)).GetProperty("public").GetBoolean());
        Assert.Contains("Two-way score", await server.Http().GetStringAsync($"/@{c.Responder.Handle}"));
        await pro.PutAsJsonAsync("/api/drawbridge/v1/me/two-way-score", new { @public = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync(url)).StatusCode);
        Assert.DoesNotContain("Two-way score", await server.Http().GetStringAsync($"/@{c.Responder.Handle}"));

        // The organisation's: its staff always; others once an admin publishes it.
        var orgScore = $"{c.Api}/score";
        Assert.Equal(HttpStatusCode.OK, (await server.Http(c.Viewer.Token).GetAsync(orgScore)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync(orgScore)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync(orgScore)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Responder.Token).PutAsJsonAsync($"{c.Api}/settings", new { scorePublic = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http(c.Admin.Token).PutAsJsonAsync($"{c.Api}/settings", new { scorePublic = true })).StatusCode);
        Assert.Equal(2, (await server.Http().GetJsonAsync(orgScore)).GetProperty("windows").GetArrayLength());
    }

    [Fact]
    public async Task The_dashboard_counts_themes_and_sentiment_by_week_for_staff_only()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var now = DateTime.UtcNow;
        var seeds = new (string Text, string Service, string Theme, string Sentiment, int DaysAgo)[]
        {
            ("Kind staff on the ward", "Ward 3", "Staff attitude", "positive", 1),
            ("Waited too long in the clinic", "Outpatients", "Waiting times", "negative", 2),
            ("Waited again for my follow-up", "Outpatients", "Waiting times", "negative", 9),
            ("Food was fine", "Ward 3", "Food", "neutral", 9),
        };
        foreach (var s in seeds)
        {
            var id = await FeedbackAsync(c, s.Text, s.Service);
            await SetItemAsync(id, now.AddDays(-s.DaysAgo), theme: s.Theme, sentiment: s.Sentiment);
        }
        using var viewer = server.Http(c.Viewer.Token);
        var d = await viewer.GetJsonAsync($"{c.Api}/dashboard?weeks=4");
        Assert.Equal(4, d.GetProperty("sentiment").GetProperty("categories").GetArrayLength());
        int Sum(JsonElement chart, string series) => chart.GetProperty("series").EnumerateArray().First(s => s.Str("name") == series).GetProperty("values").EnumerateArray().Sum(v => v.GetInt32());
        Assert.Equal(2, Sum(d.GetProperty("sentiment"), "negative"));
        Assert.Equal(1, Sum(d.GetProperty("sentiment"), "positive"));
        Assert.Equal(2, Sum(d.GetProperty("themes"), "Waiting times"));
        var outpatients = await viewer.GetJsonAsync($"{c.Api}/dashboard?weeks=4&service=Outpatients");
        Assert.Equal(["Waiting times"], outpatients.GetProperty("themes").GetProperty("series").EnumerateArray().Select(s => s.Str("name")));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"{c.Api}/dashboard?weeks=1000")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync($"{c.Api}/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/dashboard")).StatusCode);

        var page = await server.Http(c.Outsider.Token).GetAsync($"/organisations/{c.Handle}/dashboard");
        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task The_digest_comes_as_json_csv_pdf_html_and_text_and_is_mailed_to_admins_once_a_week()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        var lastWeek = DigestService.LastWeekStart(DateTime.UtcNow);
        var first = await FeedbackAsync(c, "The discharge letter was clear and kind.", "Ward 3");
        await SetItemAsync(first, lastWeek.AddDays(1).AddHours(10), lastWeek.AddDays(1).AddHours(12), "Communication", "positive");
        var second = await FeedbackAsync(c, "Parking was impossible.", "Outpatients");
        await SetItemAsync(second, lastWeek.AddDays(2).AddHours(10), theme: "Parking", sentiment: "negative");
        await FeedbackAsync(c, "This week, not last week.");

        using var viewer = server.Http(c.Viewer.Token);
        var json = await viewer.GetJsonAsync($"{c.Api}/digest");
        Assert.Equal(2, json.GetProperty("week").GetProperty("received").GetInt32());
        Assert.Equal(1, json.GetProperty("week").GetProperty("responded").GetInt32());
        Assert.Equal(["Communication", "Parking"], json.GetProperty("themes").EnumerateArray().Select(t => t.Str("name")).Order());

        var csv = await viewer.GetAsync($"{c.Api}/digest?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var csvText = await csv.Content.ReadAsStringAsync();
        Assert.StartsWith("section,name,value", csvText.TrimStart('\uFEFF'));
        Assert.Contains("theme,Parking,1", csvText);

        var pdf = await viewer.GetAsync($"{c.Api}/digest?format=pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.True(bytes.Length > 1000, "the PDF is empty");

        Assert.Contains("<h1", await viewer.GetStringAsync($"{c.Api}/digest?format=html"));
        Assert.Contains("Received: 2", await viewer.GetStringAsync($"{c.Api}/digest?format=text"));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync($"{c.Api}/digest?format=docx")).StatusCode);
        var notMonday = await viewer.GetAsync($"{c.Api}/digest?week=2026-12-02");
        Assert.Equal(HttpStatusCode.BadRequest, notMonday.StatusCode);
        Assert.Contains("must be a Monday", await notMonday.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync($"{c.Api}/digest")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/digest?format=pdf")).StatusCode);

        // The weekly job mails the admins (HTML and plain text), once for the week however often it runs.
        var mailer = server.Services.GetRequiredService<Mailer>();
        for (var run = 0; run < 2; run++)
        {
            await using (var scope = server.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
                scope.ServiceProvider.GetRequiredService<JobQueue>().Enqueue(db, new SendWeeklyDigests());
                await db.SaveChangesAsync();
            }
            await server.DrainJobsAsync();
        }
        var mails = mailer.Recent.Where(m => m.To == c.Admin.Email && m.Subject.Contains("your week of feedback", StringComparison.Ordinal)).ToList();
        var mail = Assert.Single(mails);
        Assert.Contains("Received: 2", mail.Body);
        Assert.NotNull(mail.Html);
        Assert.Contains("<table", mail.Html);
        Assert.DoesNotContain(mailer.Recent, m => m.To == c.Responder.Email && m.Subject.Contains("your week of feedback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_new_operations()
    {
        var doc = await server.Http().GetJsonAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
        {
            "/api/drawbridge/v1/organisations/{handle}/settings", "/api/drawbridge/v1/organisations/{handle}/response-times",
            "/api/drawbridge/v1/organisations/{handle}/score", "/api/drawbridge/v1/organisations/{handle}/dashboard",
            "/api/drawbridge/v1/organisations/{handle}/digest", "/api/drawbridge/v1/organisations/{handle}/changes",
            "/api/drawbridge/v1/organisations/{handle}/changes/{id}/review", "/api/drawbridge/v1/accounts/{handle}/score",
            "/api/drawbridge/v1/me/two-way-score",
        })
        {
            Assert.Contains(path, paths);
        }
    }
}

public sealed class SqliteListeningReportsTests(DrawbridgeServer server) : ListeningReportsTests<DrawbridgeServer>(server);

public sealed class PostgresListeningReportsTests(PostgresDrawbridgeServer server) : ListeningReportsTests<PostgresDrawbridgeServer>(server);

/// <summary>Working time and the UK's bank holidays, without a server.</summary>
public sealed class BusinessCalendarTests
{
    private static readonly BusinessCalendar England = new(UkNation.EnglandAndWales, 9 * 60, 17 * 60, OrganisationListeningSettings.WeekdayMask);

    [Fact]
    public void The_rules_give_the_published_bank_holidays_for_every_tabled_year()
    {
        foreach (var ((nation, year), published) in UkBankHolidays.Published)
        {
            Assert.Equal(published, UkBankHolidays.ByRule(nation, year));
        }
    }

    [Fact]
    public void A_weekend_and_a_bank_holiday_do_not_count()
    {
        // Friday 24 December 2027 16:00 GMT to Wednesday 29 December 10:00: Christmas and Boxing Day fall on the weekend,
        // so Monday 27 and Tuesday 28 are holidays: one hour on Friday, one on Wednesday.
        var from = new DateTime(2027, 12, 24, 16, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2027, 12, 29, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal(TimeSpan.FromHours(2), England.Between(from, to));
        Assert.Equal(to, England.Add(from, TimeSpan.FromHours(2)));
        Assert.Equal(from, England.Subtract(to, TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Scotland_keeps_st_andrews_day_and_england_does_not()
    {
        var scotland = new BusinessCalendar(UkNation.Scotland, 9 * 60, 17 * 60, OrganisationListeningSettings.WeekdayMask);
        var friday = new DateTime(2026, 11, 27, 16, 0, 0, DateTimeKind.Utc);
        var monday = new DateTime(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal(TimeSpan.FromHours(2), England.Between(friday, monday));
        Assert.Equal(TimeSpan.FromHours(1), scotland.Between(friday, monday));
    }

    [Fact]
    public void Opening_hours_are_uk_time_in_summer()
    {
        // 9:00 BST is 8:00 UTC: a message at 07:30 UTC on a June Monday answered at 08:30 UTC took half an hour.
        var from = new DateTime(2026, 6, 1, 7, 30, 0, DateTimeKind.Utc);
        Assert.Equal(TimeSpan.FromMinutes(30), England.Between(from, from.AddHours(1)));
        Assert.True(BusinessCalendar.IsBritishSummerTime(from));
        Assert.False(BusinessCalendar.IsBritishSummerTime(new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Easter_follows_the_calendar()
    {
        Assert.Equal(new DateOnly(2026, 4, 5), UkBankHolidays.EasterSunday(2026));
        Assert.Equal(new DateOnly(2030, 4, 21), UkBankHolidays.EasterSunday(2030));
        Assert.Contains(new DateOnly(2030, 4, 22), UkBankHolidays.For(UkNation.EnglandAndWales, 2030));
        Assert.DoesNotContain(new DateOnly(2030, 4, 22), UkBankHolidays.For(UkNation.Scotland, 2030));
    }
}

/// <summary>What the PDF digest draws of names the public typed.</summary>
public sealed class DigestTextTests
{
    [Fact]
    public void Control_characters_go_and_a_cut_keeps_surrogate_pairs_whole()
    {
        Assert.Equal("Ward 3", DigestService.Printable("Ward\u0000 3\u0007", 40));
        Assert.Equal("ab…", DigestService.Printable("ab\U0001F600cd", 3));
        Assert.Equal("ab\U0001F600…", DigestService.Printable("ab\U0001F600cd", 4));
        Assert.Equal("lone", DigestService.Printable("lo\uD800ne", 40));
    }
}
