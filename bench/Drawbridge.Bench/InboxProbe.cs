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
/// <c>inbox-classify</c> sends feedback at a steady rate, then a burst, and reads from the database when each item arrived and was classified;
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
        var seconds = o.Number("seconds", 20, 1, 600);
        var burst = o.Number("burst", 3000, 0, 1_000_000);
        var warmup = o.Number("warmup", 15, 0, 600);
        o.RejectUnknown();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url) };
        await using var sqlite = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await sqlite.OpenAsync();
        var orgId = await ScalarAsync(sqlite, "SELECT \"Id\" FROM accounts WHERE \"Handle\" = $h", org);
        var sent = 0;
        const int senders = 16;

        async Task<bool> SendAsync(int k, string what)
        {
            using var response = await http.PostAsJsonAsync($"/api/drawbridge/v1/organisations/{org}/feedback",
                new { text = texts[k % texts.Length] + $" ({what} {k})" });
            return response.IsSuccessStatusCode;
        }

        async Task<int> SteadyAsync(int count, string what)
        {
            var failed = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
            {
                for (var k = s; k < count; k += senders)
                {
                    var due = TimeSpan.FromSeconds(k / (double)rate);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed);
                    }
                    if (!await SendAsync(k, what))
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })));
            return failed;
        }

        // Warm-up: the first classification loads MiniLM and the model; then the rate itself for a while, as a server
        // that has been running meets it (a cold one spends its first seconds compiling the code the load takes).
        for (var i = 0; i < 20; i++)
        {
            if (!await SendAsync(i, "warm-up"))
            {
                throw new InvalidOperationException("the feedback form refused a warm-up item");
            }
        }
        sent += 20;
        await WaitClassifiedAsync(sqlite, orgId, sent, TimeSpan.FromMinutes(2));
        var warmFrom = DateTime.UtcNow;
        var warmFailures = await SteadyAsync(rate * warmup, "warm-up at the rate");
        sent += rate * warmup - warmFailures;
        await WaitClassifiedAsync(sqlite, orgId, sent, TimeSpan.FromMinutes(5));
        var warming = await TimesAsync(sqlite, orgId, warmFrom);

        // 1. A steady arrival rate: item k is due at k / rate seconds, sent by 16 senders, not a burst.
        var total = rate * seconds;
        var steadyFrom = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var failures = await SteadyAsync(total, "visit");
        var arrived = clock.Elapsed;
        sent += total - failures;
        await WaitClassifiedAsync(sqlite, orgId, sent, TimeSpan.FromMinutes(5));
        var finished = clock.Elapsed;
        var steady = await TimesAsync(sqlite, orgId, steadyFrom);
        var done = steady.Count(t => t.Classified is not null);

        // 2. Capacity: a burst sent as fast as 16 senders go, intake and classification sharing the cores; the rate is
        // items over the time from the first arrival to the last classified.
        var burstFrom = DateTime.UtcNow;
        var burstFailures = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            for (var k = Interlocked.Increment(ref next); k < burst; k = Interlocked.Increment(ref next))
            {
                if (!await SendAsync(k, "burst"))
                {
                    Interlocked.Increment(ref burstFailures);
                }
            }
        })));
        sent += burst - burstFailures;
        await WaitClassifiedAsync(sqlite, orgId, sent, TimeSpan.FromMinutes(5));
        var bursty = await TimesAsync(sqlite, orgId, burstFrom);

        // Per item: the time from its arrival to its classification. Keeping up means this stays small and does not
        // grow; the steady rate counts what was classified from the third second of arrivals to the last arrival.
        var lags = Lag(steady).Order().ToArray();
        var first = steady.Min(t => t.Received);
        var last = steady.Max(t => t.Received);
        var windowFrom = first.AddSeconds(2);
        var window = (last - windowFrom).TotalSeconds;
        var arrivedInWindow = steady.Count(t => t.Received >= windowFrom && t.Received <= last);
        var classifiedInWindow = steady.Count(t => t.Classified >= windowFrom && t.Classified <= last);
        var lateLags = steady.Where(t => t.Classified is not null && t.Received >= last.AddSeconds(-2))
            .Select(t => (t.Classified!.Value - t.Received).TotalSeconds).DefaultIfEmpty(0).Max();
        var burstSpan = bursty.Count == 0 ? 0 : (bursty.Max(t => t.Classified ?? t.Received) - bursty.Min(t => t.Received)).TotalSeconds;
        var burstIntake = bursty.Count == 0 ? 0 : (bursty.Max(t => t.Received) - bursty.Min(t => t.Received)).TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warmup_items {warming.Count} warmup_lag_max_s {Lag(warming).DefaultIfEmpty(0).Max():F2} items {total} failed {failures} arrival_rate {(total - failures) / arrived.TotalSeconds:F1} classified {done} " +
            $"first_to_last_rate {done / finished.TotalSeconds:F1} lag_after_last_arrival_s {(finished - arrived).TotalSeconds:F2} " +
            $"window_arrival_rate {arrivedInWindow / window:F1} window_classified_rate {classifiedInWindow / window:F1} " +
            $"lag_p50_s {Quantile(lags, 0.5):F2} lag_p99_s {Quantile(lags, 0.99):F2} lag_max_s {lags[^1]:F2} lag_max_last_2s_s {lateLags:F2} " +
            $"burst_items {bursty.Count} burst_failed {burstFailures} burst_intake_rate {(burstIntake > 0 ? bursty.Count / burstIntake : 0):F1} " +
            $"burst_rate {(burstSpan > 0 ? bursty.Count / burstSpan : 0):F1} all_items {sent}"));
        return failures + burstFailures == 0 ? 0 : 1;
    }

    private static IEnumerable<double> Lag(List<(DateTime Received, DateTime? Classified)> times) =>
        times.Where(t => t.Classified is not null).Select(t => (t.Classified!.Value - t.Received).TotalSeconds);

    private static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>Arrival and classification times of the organisation's items that arrived from <paramref name="from"/> on.</summary>
    private static async Task<List<(DateTime Received, DateTime? Classified)>> TimesAsync(SqliteConnection sqlite, long orgId, DateTime from)
    {
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT \"ReceivedAt\", \"ClassifiedAt\" FROM inbox_items WHERE \"OrganisationId\" = $o AND \"ReceivedAt\" >= $from";
        command.Parameters.AddWithValue("$o", orgId);
        command.Parameters.AddWithValue("$from", from.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        var times = new List<(DateTime, DateTime?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            times.Add((Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : Parse(reader.GetString(1))));
        }
        return times;

        static DateTime Parse(string s) => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
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
