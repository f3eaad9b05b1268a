using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Federation;
using Drawbridge.Jobs;
using Drawbridge.Social;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// The server process killed with SIGKILL in the middle of delivering a post, then started again on the same data
/// directory: nothing it had to deliver is lost, and what the other servers see twice is only what was in flight.
/// Unlike <see cref="DeliveryFaultTests"/>, which stops a server inside the test process, this runs the built server as
/// a process of its own, as an operator does, so no shutdown code runs at all.
/// </summary>
public sealed class KillNineDeliveryTests(ITestOutputHelper output)
{
    private const string ServerAddress = "127.0.0.90";
    // Three servers whose followers each have an inbox of their own, and one whose followers share its inbox.
    private static readonly string[] PersonalSinks = ["127.0.0.91", "127.0.0.92", "127.0.0.93"];
    private const string SharedSink = "127.0.0.94";
    private const int FollowersPerPersonalSink = 80;
    private const int FollowersOnSharedSink = 40;

    [Fact]
    public async Task A_server_killed_mid_delivery_delivers_to_every_follower_after_restart_and_repeats_only_what_was_in_flight()
    {
        var data = Path.Combine(Path.GetTempPath(), "drawbridge-tests", "kill9-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var log = Path.Combine(data, "server.log");
        var port = FreePort(ServerAddress);
        var baseUrl = $"http://{ServerAddress}:{port}";
        string[] settings =
        [
            $"--Drawbridge:DataDirectory={data}", $"--Drawbridge:PublicUrl={baseUrl}",
            "--Drawbridge:Federation:AllowPrivateNetworks=true", "--Drawbridge:RateLimits:Enabled=false",
            // A claim held by the killed process is taken again 5 s after it was made, not the default 2 minutes.
            "--Drawbridge:Jobs:Queues:delivery:LeaseSeconds=5",
            "--Drawbridge:Federation:TimeoutSeconds=3",
            "--Drawbridge:Jobs:Queues:delivery:RetryBaseSeconds=0.2", "--Drawbridge:Jobs:Queues:delivery:RetryMaxSeconds=1",
        ];
        var sinks = new List<InboxSink>();
        ServerProcess? server = null;
        try
        {
            foreach (var address in PersonalSinks.Append(SharedSink))
            {
                var sink = await InboxSink.StartAsync(address);
                // Slow enough that the post is still going out when the server is killed.
                sink.Delay = TimeSpan.FromMilliseconds(150);
                sinks.Add(sink);
            }
            server = ServerProcess.Start(ServerAddress, port, settings, log);
            await server.WaitUntilHealthyAsync();

            using var anonymous = new HttpClient { BaseAddress = new Uri(baseUrl) };
            var signUp = await anonymous.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle = "kill_nine", displayName = "Kill Nine", email = "kill_nine@example.org", password = "correct horse battery", kind = "member" });
            Assert.True(signUp.IsSuccessStatusCode, $"sign-up answered {(int)signUp.StatusCode}: {await signUp.Content.ReadAsStringAsync()}{server.Tail()}");
            var accountId = long.Parse((await signUp.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
            var token = await ServerProcess.TokenAsync("kill_nine", settings);

            // Remote followers, stored as resolving their actors would.
            var expected = new HashSet<string>(StringComparer.Ordinal);
            await using (var db = Database(data))
            {
                var id = 8_000_000_000_000_000_000L;
                foreach (var sink in sinks)
                {
                    var shared = sink.Address.ToString() == SharedSink;
                    for (var i = 1; i <= (shared ? FollowersOnSharedSink : FollowersPerPersonalSink); i++)
                    {
                        var user = $"u{i}";
                        var follower = new Account
                        {
                            Id = ++id,
                            Handle = user,
                            HandleKey = user,
                            Domain = sink.Authority,
                            Uri = sink.Actor(user),
                            InboxUri = sink.Inbox(user),
                            SharedInboxUri = shared ? sink.SharedInbox : null,
                            DisplayName = user,
                            CreatedAt = DateTime.UtcNow,
                        };
                        db.Accounts.Add(follower);
                        db.Follows.Add(new Follow { FollowerId = follower.Id, FolloweeId = accountId, CreatedAt = DateTime.UtcNow, State = FollowState.Accepted, Uri = $"{follower.Uri}#follows/1" });
                        expected.Add(shared ? sink.SharedInbox : sink.Inbox(user));
                    }
                }
                await db.SaveChangesAsync();
            }
            // Their servers know the author's key, fetched when they followed: a delivery the killed process left
            // half-sent can still be checked while it is down.
            foreach (var sink in sinks)
            {
                await sink.KnowKeyAsync($"{baseUrl}/users/kill_nine#main-key");
            }

            using var author = new HttpClient { BaseAddress = new Uri(baseUrl) };
            author.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var posted = await author.PostAsJsonAsync("/api/drawbridge/v1/posts", new { text = "Clinic moves to the east wing on Monday" });
            Assert.True(posted.IsSuccessStatusCode, $"posting answered {(int)posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}{server.Tail()}");
            var postId = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var createId = $"{baseUrl}/users/kill_nine/statuses/{postId}/activity#create";

            IEnumerable<(string Inbox, SinkDelivery Delivery)> Received() =>
                sinks.SelectMany(s => s.Received.Select(d => (Inbox: s.Url(d.Path), Delivery: d)));
            await Until(() => Received().Count() >= 40, "delivery under way", 60, server);
            server.Kill();
            Assert.True(server.ExitCode == 137, $"the server ended with {server.ExitCode}, not by SIGKILL (137){server.Tail()}");

            // What the killed process left in the database: deliveries it had recorded as done, and claimed ones it had not.
            List<Job> atKill;
            await using (var db = Database(data))
            {
                atKill = await db.Jobs.AsNoTracking().Where(j => j.Kind == DeliverActivity.Kind).ToListAsync();
            }
            var doneAtKill = atKill.Where(j => j.CompletedAt != null).ToList();
            var inFlightAtKill = atKill.Count(j => j.CompletedAt == null && j.FailedAt == null && j.Attempts > 0);
            Assert.Equal(expected.Count, atKill.Count);
            Assert.True(doneAtKill.Count < expected.Count, $"delivery had finished ({doneAtKill.Count} of {expected.Count}) before the kill: the test proves nothing");

            server = ServerProcess.Start(ServerAddress, port, settings, log);
            await server.WaitUntilHealthyAsync();
            await Until(() => expected.IsSubsetOf(Received().Where(r => r.Delivery.Accepted).Select(r => r.Inbox)), "every follower's inbox to have the post", 120, server);
            List<Job> jobs = [];
            await Until(async () =>
            {
                await using var db = Database(data);
                jobs = await db.Jobs.AsNoTracking().Where(j => j.Kind == DeliverActivity.Kind).ToListAsync();
                return jobs.All(j => j.CompletedAt != null || j.FailedAt != null);
            }, "every delivery settled", 60, server);

            var received = Received().ToList();
            var byInbox = received.GroupBy(r => r.Inbox).ToDictionary(g => g.Key, g => g.Select(r => r.Delivery).ToList());
            var repeats = received.Count - byInbox.Count;
            var retried = jobs.Where(j => j.LastError != null).Sum(j => j.Attempts - 1);
            var summary = $"{received.Count} requests to {byInbox.Count} inboxes ({repeats} repeats); at the kill {doneAtKill.Count} deliveries recorded done and {inFlightAtKill} claimed, not done; {retried} retries after a failed try";
            output.WriteLine(summary);
            var report = summary + server.Tail();

            // What the other servers saw: every follower's inbox got the Create, every request signed by the author.
            Assert.True(expected.SetEquals(byInbox.Keys), report);
            Assert.All(received, r => Assert.True(r.Delivery.Verified, $"{r.Inbox}: {r.Delivery.SignatureError}"));
            Assert.All(received, r => Assert.True(r.Delivery.Accepted, $"{r.Inbox} answered {r.Delivery.Status}"));
            // No inbox got the post as two activities: a repeat carries the same id, which a receiving server
            // de-duplicates (Mastodon and Drawbridge alike ignore an activity id they have already processed).
            Assert.All(byInbox, kv => Assert.Equal([createId], kv.Value.Select(d => d.Id).Distinct()));
            Assert.All(byInbox, kv => Assert.Equal(["Create"], kv.Value.Select(d => d.Type).Distinct()));
            Assert.All(jobs, j => Assert.True(j.CompletedAt != null, $"{j.Payload}: {j.LastError}"));

            // A delivery recorded done before the kill is not sent again, so it came once unless a try of it had failed
            // (on a loaded machine a try can time out after the peer had it). Repeats come only from deliveries in
            // flight at the kill (claimed, perhaps sent, not yet recorded done) and from such retries.
            foreach (var done in doneAtKill.Where(j => j.LastError == null))
            {
                var inbox = JsonSerializer.Deserialize<DeliverActivity>(done.Payload, JsonSerializerOptions.Web)!.Inbox;
                Assert.True(byInbox[inbox].Count == 1, $"{inbox} was delivered before the kill, yet got it {byInbox[inbox].Count} times; {report}");
            }
            Assert.True(repeats <= inFlightAtKill + retried, $"more repeats than deliveries in flight at the kill ({inFlightAtKill}) and retries ({retried}): {report}");
        }
        finally
        {
            server?.Kill();
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync();
            }
        }
        // Only when it passed: after a failure the data directory stays, with the server's log.
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The server's database, opened from outside the server as a second process would.</summary>
    private static SqliteDrawbridgeDb Database(string data) =>
        new(new DbContextOptionsBuilder<SqliteDrawbridgeDb>()
            .UseSqlite($"Data Source={Path.Combine(data, "drawbridge.db")};Default Timeout=30;Pooling=False")
            .UseIdentitySchema().Options);

    private static int FreePort(string address)
    {
        using var probe = new TcpListener(IPAddress.Parse(address), 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task Until(Func<bool> condition, string what, int seconds, ServerProcess server) =>
        await Until(() => Task.FromResult(condition()), what, seconds, server);

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds, ServerProcess server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {seconds} s waiting for {what}{server.Tail()}");
            await Task.Delay(25);
        }
    }

    /// <summary>
    /// The built server (the Drawbridge.dll copied next to the tests) run by <c>dotnet</c> as a process of its own,
    /// its output appended to a log file.
    /// </summary>
    private sealed class ServerProcess
    {
        private readonly Process _process;
        private readonly StreamWriter _writer;
        private readonly string _log;
        private readonly string _baseUrl;

        private ServerProcess(Process process, StreamWriter writer, string log, string baseUrl) =>
            (_process, _writer, _log, _baseUrl) = (process, writer, log, baseUrl);

        private static string Dll => Path.Combine(AppContext.BaseDirectory, "Drawbridge.dll");

        public static ServerProcess Start(string address, int port, string[] settings, string log)
        {
            var baseUrl = $"http://{address}:{port}";
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
            foreach (var a in new[] { Dll, "--urls", baseUrl }.Concat(settings))
            {
                start.ArgumentList.Add(a);
            }
            var writer = new StreamWriter(new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            writer.WriteLine($"--- started {DateTime.UtcNow:O}");
            var process = new Process { StartInfo = start };
            var server = new ServerProcess(process, writer, log, baseUrl);
            process.OutputDataReceived += (_, e) => server.Write(e.Data);
            process.ErrorDataReceived += (_, e) => server.Write(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return server;
        }

        private bool _closed;

        private void Write(string? line)
        {
            lock (_writer)
            {
                if (line is not null && !_closed)
                {
                    _writer.WriteLine(line);
                }
            }
        }

        /// <summary>How the process ended: 137 (128 + 9) when SIGKILL ended it.</summary>
        public int ExitCode { get; private set; }

        public async Task WaitUntilHealthyAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                Assert.False(_process.HasExited, $"the server exited with {(_process.HasExited ? _process.ExitCode : 0)} while starting{Tail()}");
                try
                {
                    if ((await http.GetAsync($"{_baseUrl}/health")).IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
                Assert.True(DateTime.UtcNow < deadline, $"the server did not answer /health within 60 s{Tail()}");
                await Task.Delay(100);
            }
        }

        /// <summary>SIGKILL (Process.Kill sends it on Linux, here to the whole tree): no shutdown code runs.</summary>
        public void Kill()
        {
            if (_closed)
            {
                return;
            }
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit(); // and for the end of its output
            ExitCode = _process.ExitCode;
            lock (_writer)
            {
                _writer.WriteLine($"--- ended with {ExitCode} {DateTime.UtcNow:O}");
                _closed = true;
                _writer.Dispose();
            }
            _process.Dispose();
        }

        /// <summary>The end of the server's log, for a failure message.</summary>
        public string Tail()
        {
            try
            {
                using var stream = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var lines = new StreamReader(stream).ReadToEnd().Split('\n');
                return $"\n--- server log ({_log}), last lines:\n" + string.Join('\n', lines.TakeLast(40));
            }
            catch (IOException e)
            {
                return $"\n(no server log: {e.Message})";
            }
        }

        /// <summary>A bearer token from the command line, as an operator makes one (<c>accounts token</c>).</summary>
        public static async Task<string> TokenAsync(string handle, string[] settings)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
            foreach (var a in new[] { Dll, "accounts", "token", handle, "--scopes", "read write" }.Concat(settings).Append("--Logging:LogLevel:Default=Warning"))
            {
                start.ArgumentList.Add(a);
            }
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            Assert.True(process.ExitCode == 0, $"accounts token exited with {process.ExitCode}: {await stderr}");
            return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        }
    }
}
