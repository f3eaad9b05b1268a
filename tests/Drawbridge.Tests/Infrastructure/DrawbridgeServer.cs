using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Drawbridge.Tests.Infrastructure;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// A real Drawbridge on a real Kestrel socket (127.0.0.1, a free port), with a real database: a fresh SQLite
/// file in a temporary data directory, or a fresh PostgreSQL database when DRAWBRIDGE_TEST_POSTGRES holds a
/// connection string to a server (CI starts one).
/// </summary>
public class DrawbridgeServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string PostgresVariable = "DRAWBRIDGE_TEST_POSTGRES";
    private readonly string? _postgresDatabase;
    private readonly Dictionary<string, string?> _settings;

    public DrawbridgeServer() : this(DatabaseKind.Sqlite)
    {
    }

    protected DrawbridgeServer(DatabaseKind kind, IDictionary<string, string?>? settings = null, IPAddress? address = null, int port = 0)
    {
        Kind = kind;
        DataDirectory = Path.Combine(Path.GetTempPath(), "drawbridge-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings = new Dictionary<string, string?>
        {
            ["Drawbridge:DataDirectory"] = DataDirectory,
            ["Drawbridge:RateLimits:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (kind == DatabaseKind.Postgres)
        {
            var admin = PostgresConnectionString ?? throw new InvalidOperationException($"Set {PostgresVariable} to run PostgreSQL tests");
            _postgresDatabase = "drawbridge_test_" + Guid.NewGuid().ToString("N")[..12];
            _settings["ConnectionStrings:Drawbridge"] = new NpgsqlConnectionStringBuilder(admin) { Database = _postgresDatabase }.ToString();
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
        UseKestrel(o => o.Listen(address ?? IPAddress.Loopback, port));
    }

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs ? cs : null;

    public DatabaseKind Kind { get; }
    public string DataDirectory { get; }
    public Uri BaseAddress { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
        builder.UseEnvironment("Production");
    }

    public async Task InitializeAsync()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());
        await Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(PostgresConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>An HTTP client on the real socket (no cookies kept).</summary>
    public HttpClient Http(string? token = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public const string DefaultPassword = "correct horse battery";

    /// <summary>Signs up through the API, confirms the email as the emailed link would, and returns a bearer token.</summary>
    public async Task<TestUser> SignUpAsync(string handle, string kind = "member", string? profession = null)
    {
        using var http = Http();
        var email = $"{handle}@example.org";
        var response = await http.PostAsJsonAsync("/api/drawbridge/v1/accounts", new { handle, displayName = handle.Replace('_', ' '), email, password = DefaultPassword, kind, profession = profession ?? (kind == "professional" ? "Staff nurse" : null) });
        response.EnsureSuccessStatusCode();
        var account = await response.Content.ReadFromJsonAsync<JsonElement>();
        await ConfirmEmailAsync(email);
        var tokenResponse = await http.PostAsJsonAsync("/api/drawbridge/v1/auth/tokens", new { email, password = DefaultPassword });
        tokenResponse.EnsureSuccessStatusCode();
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        return new TestUser(handle, email, account.GetProperty("id").GetString()!, token);
    }

    public async Task ConfirmEmailAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}");
        var code = await users.GenerateEmailConfirmationTokenAsync(user);
        var result = await users.ConfirmEmailAsync(user, code);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>Runs background jobs (fan-out, scheduled posts) until none is due, so tests needn't sleep.</summary>
    public async Task DrainJobsAsync()
    {
        // The server's own runner may hold a job at this moment: wait until nothing due is left undone.
        var runner = Services.GetRequiredService<Drawbridge.Jobs.JobRunner>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await runner.RunOneAsync(CancellationToken.None))
            {
                continue;
            }
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Drawbridge.Data.DrawbridgeDb>();
            var now = DateTime.UtcNow;
            if (!await db.Jobs.AnyAsync(j => j.CompletedAt == null && j.FailedAt == null && j.RunAt <= now))
            {
                return;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("Background jobs did not finish within 30 seconds");
    }
}

public sealed record TestUser(string Handle, string Email, string Id, string Token);

/// <summary>The same server on PostgreSQL.</summary>
public sealed class PostgresDrawbridgeServer() : DrawbridgeServer(DatabaseKind.Postgres);
