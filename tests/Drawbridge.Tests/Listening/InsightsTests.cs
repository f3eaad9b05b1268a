using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Listening;

/// <summary>A server whose training runs at normal priority, so the tests do not wait behind a busy machine's other work.</summary>
public sealed class InsightsServer() : DrawbridgeServer(DatabaseKind.Sqlite, Settings)
{
    internal static readonly Dictionary<string, string?> Settings = new() { ["Drawbridge:Insights:TrainingNice"] = "0" };
}

public sealed class PostgresInsightsServer() : DrawbridgeServer(DatabaseKind.Postgres, InsightsServer.Settings);

/// <summary>
/// Insights in the inbox: items classified in the background on arrival (by the default model, then by the
/// organisation's own), training in Settings from a labelled file with its cross-validated quality, switching a model on
/// while requests run, corrections as training data, emerging topics, and uploads that are refused whole.
/// </summary>
public abstract class InsightsTests<TServer>(TServer server) : IClassFixture<TServer> where TServer : DrawbridgeServer
{
    private static int _counter;

    private static string Prefix() => "i" + Interlocked.Increment(ref _counter) + Guid.NewGuid().ToString("N")[..5];

    internal static MultipartFormDataContent Upload(string? framework, byte[]? data, string dataName = "ward-feedback.csv")
    {
        var form = new MultipartFormDataContent();
        if (framework is not null)
        {
            var f = new ByteArrayContent(Encoding.UTF8.GetBytes(framework));
            f.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            form.Add(f, "framework", "ward-feedback.json");
        }
        if (data is not null)
        {
            var d = new ByteArrayContent(data);
            d.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(d, "data", dataName);
        }
        return form;
    }

    internal static async Task<JsonElement> WaitForModelAsync(HttpClient admin, string api, string modelId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(6);
        while (true)
        {
            var model = await admin.GetJsonAsync($"{api}/insights/models/{modelId}");
            if (model.Str("state") is "ready" or "failed" || DateTime.UtcNow > deadline)
            {
                return model;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The inbox once the items with these texts have arrived and every item is classified (the job runs in the background; this only waits for it).</summary>
    internal static async Task<List<JsonElement>> ClassifiedInboxAsync(HttpClient staff, string api, params string[] texts)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var items = (await staff.GetJsonAsync($"{api}/inbox?limit=200")).GetProperty("items").EnumerateArray().ToList();
            var arrived = texts.All(t => items.Any(i => i.Str("text") == t));
            if ((arrived && items.All(i => i.GetProperty("classifiedAt").ValueKind != JsonValueKind.Null)) || DateTime.UtcNow > deadline)
            {
                return items;
            }
            await Task.Delay(300);
        }
    }

    private static JsonElement ItemWith(List<JsonElement> items, string text) => items.Single(i => i.Str("text") == text);

    [Fact]
    public async Task Feedback_replies_and_mentions_are_classified_by_the_model_an_admin_trains_and_switches_on()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        using var admin = server.Http(c.Admin.Token);
        using var responder = server.Http(c.Responder.Token);
        using var guest = server.Http();

        // Before the organisation has a model of its own, the default sorts its feedback.
        var framework = await responder.GetJsonAsync($"{c.Api}/insights/framework");
        Assert.True(framework.GetProperty("isDefault").GetBoolean());
        const string food = "The food on the ward was cold and tasteless.";
        await guest.PostJsonAsync($"{c.Api}/feedback", new { text = food });
        var first = ItemWith(await ClassifiedInboxAsync(responder, c.Api, food), food);
        Assert.Equal("Food and drink", first.Str("theme"));
        Assert.Equal("negative", first.Str("sentiment"));

        // Training runs in the background; the default keeps sorting until the new model is switched on.
        var upload = await admin.PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, Encoding.UTF8.GetBytes(WardFeedbackFixture.Csv())));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var queued = await upload.ReadJsonAsync();
        Assert.Equal(60, queued.GetProperty("rows").GetInt32());
        Assert.False(queued.GetProperty("active").GetBoolean());
        var model = await WaitForModelAsync(admin, c.Api, queued.Str("id"));
        Assert.Equal("ready", model.Str("state"));
        Assert.True((await responder.GetJsonAsync($"{c.Api}/insights/framework")).GetProperty("isDefault").GetBoolean());
        Assert.Equal(3, model.GetProperty("folds").GetInt32());
        var quality = model.GetProperty("themes").EnumerateArray().ToDictionary(t => t.Str("id"));
        Assert.Equal(["food", "parking", "staff", "waiting"], quality.Keys);
        Assert.All(quality.Values, t => Assert.Equal(18, t.GetProperty("examples").GetInt32()));
        Assert.All(quality.Values, t => Assert.InRange(t.GetProperty("f1").GetDouble(), 0.5, 1.0));

        // Switch-over while the inbox is read and feedback arrives: every request succeeds.
        using var load = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var readers = Enumerable.Range(0, 4).Select(n => Task.Run(async () =>
        {
            using var http = server.Http(n % 2 == 0 ? c.Responder.Token : null);
            var k = 0;
            while (!load.IsCancellationRequested)
            {
                using var response = n % 2 == 0
                    ? await http.GetAsync($"{c.Api}/inbox")
                    : await http.PostAsJsonAsync($"{c.Api}/feedback", new { text = $"Visiting note {n}-{k++}: thank you to the team." });
                statuses.Add(response.StatusCode);
                await Task.Delay(25);
            }
        })).ToList();
        await Task.Delay(300);
        var activated = await admin.PostAsync($"{c.Api}/insights/models/{queued.Str("id")}/activate", null);
        await Task.Delay(300);
        await load.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.True((await activated.ReadJsonAsync()).GetProperty("active").GetBoolean());
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Created, $"a request during switch-over answered {(int)s}"));
        var now = await responder.GetJsonAsync($"{c.Api}/insights/framework");
        Assert.Equal("Ward feedback", now.Str("name"));
        Assert.False(now.GetProperty("isDefault").GetBoolean());

        // A guest's feedback, a member's reply and a mention, each classified by the organisation's model.
        var member = await server.SignUpAsync(c.Handle[..^6] + "_pub");
        using var m = server.Http(member.Token);
        var orgPost = (await responder.PostJsonAsync($"{c.Api}/posts", new { text = "How was your visit this week?" })).Str("postId");
        const string parking = "The car park was full and we drove round for an hour.";
        const string staff = "The nurse was rude and dismissive to my mother.";
        const string waiting = "We waited five hours in the waiting room to be seen.";
        const string critical = "My father was assaulted by another patient on the ward last night.";
        await m.PostJsonAsync("/api/drawbridge/v1/posts", new { text = parking, inReplyToId = orgPost });
        await m.PostJsonAsync("/api/drawbridge/v1/posts", new { text = $"@{c.Handle} {staff}" });
        await guest.PostJsonAsync($"{c.Api}/feedback", new { text = waiting, service = "Emergency department" });
        await guest.PostJsonAsync($"{c.Api}/feedback", new { text = critical });
        // The switch-over's reclassification of earlier items runs as a job too: let it finish before reading.
        await server.DrainJobsAsync();
        var items = await ClassifiedInboxAsync(responder, c.Api, parking, $"@{c.Handle} {staff}", waiting, critical);
        var fromReply = ItemWith(items, parking);
        Assert.Equal(("reply", "Parking", "negative"), (fromReply.Str("source"), fromReply.Str("theme"), fromReply.Str("sentiment")));
        var fromMention = ItemWith(items, $"@{c.Handle} {staff}");
        Assert.Equal(("mention", "Staff attitude"), (fromMention.Str("source"), fromMention.Str("theme")));
        Assert.Equal("Waiting times", ItemWith(items, waiting).Str("theme"));
        // Items sorted before the switch are sorted again by the new model.
        Assert.Equal("Food", ItemWith(items, food).Str("theme"));
        // Safety, harm or distress is critical, and comes first.
        Assert.True(ItemWith(items, critical).GetProperty("critical").GetBoolean());
        Assert.Equal(critical, items[0].Str("text"));
        Assert.False(ItemWith(items, parking).GetProperty("critical").GetBoolean());

        // Staff correct a theme; the correction is kept and becomes training data for the next model.
        var wrongId = ItemWith(items, waiting).Str("id");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Viewer.Token).PostAsJsonAsync($"{c.Api}/inbox/{wrongId}/themes", new { themes = new[] { "staff" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).PostAsJsonAsync($"{c.Api}/inbox/{wrongId}/themes", new { themes = new[] { "staff" } })).StatusCode);
        var unknown = await responder.PostAsJsonAsync($"{c.Api}/inbox/{wrongId}/themes", new { themes = new[] { "cleanliness" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("'cleanliness' is not a theme of Ward feedback", await unknown.Content.ReadAsStringAsync());
        var corrected = await responder.PostJsonAsync($"{c.Api}/inbox/{wrongId}/themes", new { themes = new[] { "waiting", "staff" } });
        Assert.Equal(["Waiting times", "Staff attitude"], corrected.GetProperty("themes").EnumerateArray().Select(t => t.GetString()));
        var detail = await responder.GetJsonAsync($"{c.Api}/inbox/{wrongId}");
        Assert.Contains(detail.GetProperty("history").EnumerateArray(), h => h.Str("what") == "Corrected the theme to Waiting times, Staff attitude"
            && h.GetProperty("actor").Str("handle") == c.Responder.Handle);
        Assert.True(detail.GetProperty("item").GetProperty("themeCorrected").GetBoolean());

        Assert.Equal(HttpStatusCode.Forbidden, (await responder.PostAsync($"{c.Api}/insights/models/retrain", null)).StatusCode);
        var retrain = await admin.PostAsync($"{c.Api}/insights/models/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, retrain.StatusCode);
        var next = await WaitForModelAsync(admin, c.Api, (await retrain.ReadJsonAsync()).Str("id"));
        Assert.Equal("ready", next.Str("state"));
        Assert.Equal(1, next.GetProperty("corrections").GetInt32());
        Assert.Equal(60, next.GetProperty("rows").GetInt32());
        // A correction outlives a model switch: the item keeps the themes staff gave it.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{c.Api}/insights/models/{next.Str("id")}/activate", null)).StatusCode);
        var after = await ClassifiedInboxAsync(responder, c.Api, waiting);
        Assert.Equal("Waiting times", ItemWith(after, waiting).Str("theme"));
        Assert.Equal(["Waiting times", "Staff attitude"], ItemWith(after, waiting).GetProperty("themes").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Bad_uploads_are_refused_whole_with_the_problem_named()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        using var admin = server.Http(c.Admin.Token);
        var csv = Encoding.UTF8.GetBytes(WardFeedbackFixture.Csv());
        async Task<string> Refused(HttpResponseMessage response, HttpStatusCode status)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
            return body;
        }

        await Refused(await server.Http().PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, csv)), HttpStatusCode.Unauthorized);
        Assert.Contains("Only the organisation's admins", await Refused(await server.Http(c.Responder.Token).PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, csv)), HttpStatusCode.Forbidden));
        await Refused(await server.Http(c.Outsider.Token).PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, csv)), HttpStatusCode.Forbidden);
        await Refused(await server.Http(c.Viewer.Token).GetAsync($"{c.Api}/insights/models"), HttpStatusCode.Forbidden);

        Assert.Contains("The framework file is empty", await Refused(await admin.PostAsync($"{c.Api}/insights/models", Upload("", csv)), HttpStatusCode.BadRequest));
        Assert.Contains("The labelled file is empty", await Refused(await admin.PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, [])), HttpStatusCode.BadRequest));
        Assert.Contains("Choose a labelled file", await Refused(await admin.PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, null)), HttpStatusCode.BadRequest));
        Assert.Contains("not a valid framework", await Refused(await admin.PostAsync($"{c.Api}/insights/models", Upload("{ \"name\": ", csv)), HttpStatusCode.BadRequest));
        // A framework whose columns the file does not have.
        var otherColumns = WardFeedbackFixture.FrameworkJson.Replace("\"column\": \"parking\"", "\"column\": \"car_park\"", StringComparison.Ordinal);
        Assert.Contains("car_park", await Refused(await admin.PostAsync($"{c.Api}/insights/models", Upload(otherColumns, csv)), HttpStatusCode.BadRequest));
        // A file whose labels are all zero for the framework's themes has nothing to learn.
        var unlabelled = Encoding.UTF8.GetBytes("id,comment,food,parking,staff,waiting,rating\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"u{i},Comment {i},0,0,0,0,3\n")));
        Assert.Contains("No theme has the 8 labelled examples", await Refused(await admin.PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, unlabelled)), HttpStatusCode.BadRequest));

        // A file far over the limit is refused before it is read.
        var huge = new byte[100 * 1024 * 1024];
        try
        {
            using var tooBig = await admin.PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, huge));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // Refused mid-body: the server closed the connection before reading it all.
        }
        Assert.Empty((await admin.GetJsonAsync($"{c.Api}/insights/models")).EnumerateArray());

        // Excel's CSV on Windows is Windows-1252: it is read as such, and the upload says so.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var windows = Encoding.GetEncoding(1252).GetBytes(WardFeedbackFixture.Csv().Replace("Honestly, ", "Honestly \u2019 \u00a35, ", StringComparison.Ordinal));
        var accepted = await admin.PostAsync($"{c.Api}/insights/models", Upload(WardFeedbackFixture.FrameworkJson, windows, "excel.csv"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("Windows-1252", (await accepted.ReadJsonAsync()).Str("readAs"));
        var models = (await admin.GetJsonAsync($"{c.Api}/insights/models")).EnumerateArray().ToList();
        Assert.Equal("excel.csv", Assert.Single(models).Str("dataFile"));
        // A model still training cannot be switched on.
        var id = models[0].Str("id");
        var early = await admin.PostAsync($"{c.Api}/insights/models/{id}/activate", null);
        if (early.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Contains("still training", await early.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"{c.Api}/insights/models/12345/activate", null)).StatusCode);
    }

    [Fact]
    public async Task The_insights_endpoints_are_in_the_openapi_document()
    {
        var paths = (await server.Http().GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        foreach (var (path, method) in new[]
        {
            ("/api/drawbridge/v1/organisations/{handle}/insights/framework", "get"),
            ("/api/drawbridge/v1/organisations/{handle}/insights/topics", "get"),
            ("/api/drawbridge/v1/organisations/{handle}/insights/models", "post"),
            ("/api/drawbridge/v1/organisations/{handle}/insights/models/{id}", "get"),
            ("/api/drawbridge/v1/organisations/{handle}/insights/models/{id}/activate", "post"),
            ("/api/drawbridge/v1/organisations/{handle}/insights/models/retrain", "post"),
            ("/api/drawbridge/v1/organisations/{handle}/inbox/{id}/themes", "post"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task Emerging_topics_show_the_staff_what_the_framework_misses()
    {
        var c = await Castle.BuildAsync(server, Prefix());
        using var guest = server.Http();
        // Hospital radio is in no theme of the default framework.
        string[] radio =
        [
            "The hospital radio played lovely music.",
            "I enjoyed the hospital radio request show.",
            "Hospital radio kept me company at night.",
            "The radio volunteers played my favourite song.",
            "Please keep the hospital radio going.",
            "Hospital radio read out my name, it made my day.",
            "We listened to hospital radio every evening.",
            "The hospital radio quiz was great fun.",
        ];
        foreach (var text in radio)
        {
            await guest.PostJsonAsync($"{c.Api}/feedback", new { text });
        }
        using var viewer = server.Http(c.Viewer.Token);
        await ClassifiedInboxAsync(viewer, c.Api, radio);
        var topics = await viewer.GetJsonAsync($"{c.Api}/insights/topics");
        Assert.Equal(radio.Length, topics.GetProperty("comments").GetInt32());
        Assert.Equal("Patient experience (Drawbridge default)", topics.Str("framework"));
        var found = topics.GetProperty("topics").EnumerateArray().ToList();
        Assert.Contains(found, t => t.GetProperty("keywords").EnumerateArray().Any(k => k.GetString() == "radio"));
        Assert.All(found.SelectMany(t => t.GetProperty("examples").EnumerateArray()), e => Assert.Contains(e.GetString(), radio));

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(c.Outsider.Token).GetAsync($"{c.Api}/insights/topics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync($"{c.Api}/insights/topics")).StatusCode);
    }
}

public sealed class SqliteInsightsTests(InsightsServer server) : InsightsTests<InsightsServer>(server);

public sealed class PostgresInsightsTests(PostgresInsightsServer server) : InsightsTests<PostgresInsightsServer>(server);
