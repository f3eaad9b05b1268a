using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Microsoft.Data.Sqlite;

namespace Drawbridge.Bench;

/// <summary>
/// Fan-out latency: as the hub (the account everyone follows) publish posts through the API one after another, and
/// for each measure the time from sending the request until the post is in every follower's home timeline (and the
/// hub's own), watching home_feed through a read-only connection to the server's database.
/// </summary>
public static class FanOutProbe
{
    public static async Task<int> RunAsync(Options options, TextWriter output)
    {
        var url = options.Text("url").TrimEnd('/');
        var dataDirectory = Path.GetFullPath(options.Text("data"));
        var count = options.Number("posts", 20, 1, 10_000);
        var timeout = TimeSpan.FromSeconds(options.Number("timeout-seconds", 30, 1, 3600));
        options.RejectUnknown();
        var tokens = Path.Combine(dataDirectory, "tokens.txt");
        var database = Path.Combine(dataDirectory, "drawbridge.db");
        if (!File.Exists(tokens) || !File.Exists(database))
        {
            throw new UsageException($"{dataDirectory} has no generated dataset (tokens.txt and drawbridge.db).");
        }
        var token = File.ReadLines(tokens).First().Trim();

        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await db.OpenAsync();
        var hub = await ScalarAsync(db, "SELECT \"AccountId\" FROM access_tokens WHERE \"TokenHash\" = $p", AccessTokenService.Hash(token));
        var expected = await ScalarAsync(db, "SELECT COUNT(*) FROM follows WHERE \"FolloweeId\" = $p", hub) + 1;
        output.WriteLine($"hub account {hub}: each post must reach {expected} home timelines");

        // Posts made earlier (the post-creation load) must have fanned out first, or this would measure the queue.
        var backlogClock = Stopwatch.StartNew();
        var pending = await PendingJobsAsync(db);
        while (await PendingJobsAsync(db) > 0)
        {
            if (backlogClock.Elapsed > TimeSpan.FromMinutes(10))
            {
                await Console.Error.WriteLineAsync($"The job queue still has {await PendingJobsAsync(db)} jobs after 10 minutes.");
                return 1;
            }
            await Task.Delay(50);
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"backlog {backlogClock.Elapsed.TotalMilliseconds:F0} ms ({pending} jobs waiting at the start)"));

        using var counter = db.CreateCommand();
        counter.CommandText = "SELECT COUNT(*) FROM home_feed WHERE \"PostId\" = $p";
        var postParameter = counter.Parameters.Add(new SqliteParameter { ParameterName = "$p" });

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var latencies = new List<double>();
        var timeouts = 0;
        for (var i = 0; i < count; i++)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"Update {i + 1} from the trust at {DateTime.UtcNow:HH:mm:ss.fff}: thank you to the night team. #nhssm");
            var clock = Stopwatch.StartNew();
            var reached = await PublishAndWaitAsync(http, counter, postParameter, text, expected, timeout, output);
            var ms = clock.Elapsed.TotalMilliseconds;
            if (reached is null)
            {
                return 1;
            }
            if (!reached.Value)
            {
                // Counted at the timeout: a lower bound, so the percentile can only understate the problem.
                timeouts++;
                ms = timeout.TotalMilliseconds;
            }
            latencies.Add(ms);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"post {i + 1}: {ms:F0} ms{(reached.Value ? "" : " (timed out)")}"));
            await Task.Delay(250);
        }
        latencies.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fanout_ms p50={Percentile(latencies, 0.50):F0} p95={Percentile(latencies, 0.95):F0} max={latencies[^1]:F0} n={latencies.Count} timeouts={timeouts} followers={expected - 1}"));
        return 0;
    }

    /// <summary>True when the post reached every home timeline in time, false when not, null when the API refused it.</summary>
    private static async Task<bool?> PublishAndWaitAsync(HttpClient http, SqliteCommand counter, SqliteParameter postParameter, string text, long expected,
        TimeSpan timeout, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        long postId;
        try
        {
            using var response = await http.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text });
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"POST /api/drawbridge/v1/posts answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return null;
            }
            using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            postId = long.Parse(body.RootElement.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
        }
        catch (TaskCanceledException)
        {
            output.WriteLine($"POST /api/drawbridge/v1/posts got no answer within {timeout.TotalSeconds} s");
            return false;
        }
        postParameter.Value = postId;
        long reached;
        while ((reached = Convert.ToInt64(await counter.ExecuteScalarAsync(), CultureInfo.InvariantCulture)) < expected)
        {
            if (clock.Elapsed > timeout)
            {
                output.WriteLine($"post {postId} reached only {reached} of {expected} home timelines within {timeout.TotalSeconds} s");
                return false;
            }
            await Task.Delay(2);
        }
        return true;
    }

    private static async Task<long> PendingJobsAsync(SqliteConnection db)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM jobs WHERE \"CompletedAt\" IS NULL AND \"FailedAt\" IS NULL";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<long> ScalarAsync(SqliteConnection db, string sql, object value)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$p", value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
