using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Drawbridge.Bench;

/// <summary>
/// The inbox classification bench's client side (bench/inbox-classification drives it):
/// <c>inbox-setup</c> signs up an admin and creates an organisation (prints "TOKEN HANDLE");
/// <c>inbox-classify</c> sends feedback at a steady rate and reads from the database how fast it is classified;
/// <c>inbox-train</c> uploads the default framework and labelled file as the organisation's model and returns once it trains;
/// <c>inbox-model</c> prints a model's state.
/// </summary>
public static class InboxProbe
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<int> SetupAsync(Options o, TextWriter output)
    {
        var url = o.Text("url");
        o.RejectUnknown();
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var handle = "bench_lead_" + suffix;
        var email = handle + "@example.org";
        (await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle, displayName = "Bench lead", email, password = "correct horse battery", kind = "professional", profession = "Patient experience lead" })).EnsureSuccessStatusCode();
        var token = (await (await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", new { email, password = "correct horse battery" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var org = "bench_trust_" + suffix;
        (await http.PostAsJsonAsync("/api/drawbridge/v1/organisations", new { handle = org, displayName = "Bench Trust", bio = "" })).EnsureSuccessStatusCode();
        output.WriteLine($"{token} {org}");
        return 0;
    }

    public static async Task<int> ClassifyAsync(Options o, TextWriter output)
    {
        var url = o.Text("url");
        var org = o.Text("org");
        var db = o.Text("db");
        // Texts of the kind the inbox gets: the default's labelled comments (each sent with a visit number, so none repeats).
        var texts = Insights.FeedbackCsv.ReadLabelled(o.Text("data"), Insights.Framework.Load(o.Text("framework"))).Rows.Select(r => r.Text).ToArray();
        var rate = o.Number("rate", 300, 1, 100_000);
        var seconds = o.Number("seconds", 10, 1, 600);
        o.RejectUnknown();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url) };
        await using var sqlite = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await sqlite.OpenAsync();
        var orgId = await ScalarAsync(sqlite, "SELECT \"Id\" FROM accounts WHERE \"Handle\" = $h", org);

        // Warm-up: the first classification loads MiniLM and the model.
        for (var i = 0; i < 20; i++)
        {
            (await http.PostAsJsonAsync($"/api/drawbridge/v1/organisations/{org}/feedback", new { text = texts[i % texts.Length] + $" (warm-up {i})" })).EnsureSuccessStatusCode();
        }
        await WaitClassifiedAsync(sqlite, orgId, 20, TimeSpan.FromMinutes(2));

        var total = rate * seconds;
        const int senders = 16;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var k = s; k < total; k += senders)
            {
                // Item k is due at k / rate seconds: a steady arrival rate, not a burst.
                var due = TimeSpan.FromSeconds(k / (double)rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }
                using var response = await http.PostAsJsonAsync($"/api/drawbridge/v1/organisations/{org}/feedback",
                    new { text = texts[k % texts.Length] + $" (visit {k})" });
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        await Task.WhenAll(tasks);
        var arrived = clock.Elapsed;
        var done = await WaitClassifiedAsync(sqlite, orgId, 20 + total - failures, TimeSpan.FromMinutes(5));
        var finished = clock.Elapsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"items {total} failed {failures} arrival_rate {(total - failures) / arrived.TotalSeconds:F1} classified {done - 20} " +
            $"classification_rate {(done - 20) / finished.TotalSeconds:F1} lag_after_last_arrival_s {(finished - arrived).TotalSeconds:F2}"));
        return 0;
    }

    public static async Task<int> TrainAsync(Options o, TextWriter output)
    {
        var url = o.Text("url");
        var org = o.Text("org");
        var token = o.Text("token");
        var framework = File.ReadAllBytes(o.Text("framework"));
        var data = File.ReadAllBytes(o.Text("data"));
        o.RejectUnknown();
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(framework), "framework", "framework.json" },
            { new ByteArrayContent(data), "data", "data.csv" },
        };
        var response = await http.PostAsync($"/api/drawbridge/v1/organisations/{org}/insights/models", form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"upload answered {(int)response.StatusCode}: {body}");
            return 1;
        }
        var id = JsonSerializer.Deserialize<JsonElement>(body, Web).GetProperty("id").GetString()!;
        // Back once the job has claimed it, so the measurement overlaps the training itself.
        for (var i = 0; i < 600; i++)
        {
            var state = await StateAsync(http, org, id);
            if (state != "queued")
            {
                break;
            }
            await Task.Delay(100);
        }
        output.WriteLine(id);
        return 0;
    }

    public static async Task<int> ModelAsync(Options o, TextWriter output)
    {
        var url = o.Text("url");
        var org = o.Text("org");
        var token = o.Text("token");
        var id = o.Text("model");
        o.RejectUnknown();
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        output.WriteLine(await StateAsync(http, org, id));
        return 0;
    }

    private static async Task<string> StateAsync(HttpClient http, string org, string id)
    {
        var model = await http.GetFromJsonAsync<JsonElement>($"/api/drawbridge/v1/organisations/{org}/insights/models/{id}");
        return model.GetProperty("state").GetString()!;
    }

    private static async Task<long> ScalarAsync(SqliteConnection sqlite, string sql, string value)
    {
        await using var command = sqlite.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$h", value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<long> WaitClassifiedAsync(SqliteConnection sqlite, long orgId, long count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT count(*) FROM inbox_items WHERE \"OrganisationId\" = $o AND \"ClassifiedAt\" IS NOT NULL";
        command.Parameters.AddWithValue("$o", orgId);
        while (true)
        {
            var n = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            if (n >= count || deadline.Elapsed > timeout)
            {
                return n;
            }
            await Task.Delay(50);
        }
    }
}
