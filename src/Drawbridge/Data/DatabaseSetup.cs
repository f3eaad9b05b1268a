using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Data;

public sealed class DrawbridgeOptions
{
    public const string Section = "Drawbridge";

    /// <summary>Where the SQLite database and uploaded media live.</summary>
    public string DataDirectory { get; set; } = "data";
    /// <summary>Public base address used in feeds and emails, e.g. https://drawbridge.example.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The public base address: the configured one, else the address this request came to.</summary>
    public string BaseUrl(HttpRequest request) =>
        !string.IsNullOrWhiteSpace(PublicUrl) ? PublicUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}";
    /// <summary>
    /// The base address for links sent by mail (password reset, email confirmation): the configured public address;
    /// else the request's own, but only in Development or when AllowedHosts names the hosts (host filtering then
    /// refuses any other Host header). Otherwise null: a link built from a Host header an attacker chose would send
    /// a victim's reset code to the attacker's server.
    /// </summary>
    public string? LinkBaseUrl(HttpRequest request)
    {
        if (!string.IsNullOrWhiteSpace(PublicUrl))
        {
            return PublicUrl.TrimEnd('/');
        }
        var services = request.HttpContext.RequestServices;
        var allowedHosts = services.GetRequiredService<IConfiguration>()["AllowedHosts"]?.Trim();
        return services.GetRequiredService<IHostEnvironment>().IsDevelopment() || (!string.IsNullOrEmpty(allowedHosts) && allowedHosts != "*")
            ? $"{request.Scheme}://{request.Host}"
            : null;
    }

    public const string NoLinkBase = "Mail with a link was not sent: set Drawbridge:PublicUrl (or AllowedHosts) so links can't be pointed at another host";

    public string InstanceName { get; set; } = "Drawbridge";
    /// <summary>Days between an account's deletion request and its removal.</summary>
    public int DeletionGraceDays { get; set; } = 30;
    /// <summary>Days a moderation decision can be appealed; a removed post's files are kept this long, then purged.</summary>
    public int AppealDays { get; set; } = 30;
    /// <summary>Requests a second a client may make to rate-limited endpoints (sign-up, sign-in, posting).</summary>
    public RateLimitOptions RateLimits { get; set; } = new();
    public SmtpOptions Smtp { get; set; } = new();
    /// <summary>When true new accounts must confirm their email before signing in.</summary>
    public bool RequireConfirmedEmail { get; set; } = true;
}

public sealed class RateLimitOptions
{
    public int SignUpPerHour { get; set; } = 20;
    public int SignInPerMinute { get; set; } = 20;
    public int PostsPerMinute { get; set; } = 30;
    public int GuestCommentsPerHour { get; set; } = 10;
    /// <summary>Feedback forms one address may send an hour (to an organisation's "Tell us about your experience").</summary>
    public int FeedbackPerHour { get; set; } = 5;
    public bool Enabled { get; set; } = true;
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "drawbridge@localhost";
    public bool UseStartTls { get; set; } = true;
}

public static class DatabaseSetup
{
    public static bool IsPostgres(string? connectionString) =>
        connectionString is not null &&
        (connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) ||
         connectionString.StartsWith("postgres", StringComparison.OrdinalIgnoreCase));

    public static IServiceCollection AddDrawbridgeDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Drawbridge");
        // The model's Identity tables follow this option, so it is set wherever the database is (the host, the benchmark's
        // generator); the migrations are built with the same version (IdentitySchema, used by the design-time factories).
        services.Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchema.Version);
        if (IsPostgres(connectionString))
        {
            services.AddDbContextPool<PostgresDrawbridgeDb>((sp, o) => o.UseNpgsql(connectionString).AddInterceptors(new Events.DomainEventDispatch(sp), new Listening.InboxChangeWatch(sp)));
            services.AddScoped<DrawbridgeDb>(sp => sp.GetRequiredService<PostgresDrawbridgeDb>());
        }
        else
        {
            var dataDirectory = DataDirectory(configuration);
            var sqlite = new SqliteConnectionStringBuilder(connectionString ?? "")
            {
                DataSource = string.IsNullOrEmpty(connectionString) ? Path.Combine(dataDirectory, "drawbridge.db") : new SqliteConnectionStringBuilder(connectionString).DataSource,
                DefaultTimeout = 30,
                Pooling = true,
            }.ToString();
            var writeGate = new SqliteWriteGate();
            services.AddSingleton(writeGate);
            services.AddDbContextPool<SqliteDrawbridgeDb>((sp, o) => o.UseSqlite(sqlite).AddInterceptors(new SqlitePragmas(), new SqliteWriteGateInterceptor(writeGate), new Events.DomainEventDispatch(sp), new Listening.InboxChangeWatch(sp)));
            // Its own connections, outside the shared pool: they are read-only and stay open.
            services.AddSingleton(new SqliteReadPool(new SqliteConnectionStringBuilder(sqlite) { Pooling = false }.ToString()));
            services.AddScoped<DrawbridgeDb>(sp => sp.GetRequiredService<SqliteDrawbridgeDb>());
            services.AddHostedService(sp => new SqliteCheckpointer(sqlite, sp.GetRequiredService<ILogger<SqliteCheckpointer>>()));
        }
        return services;
    }

    public static string DataDirectory(IConfiguration configuration)
    {
        var dir = configuration[$"{DrawbridgeOptions.Section}:DataDirectory"] ?? "data";
        var full = Path.GetFullPath(dir);
        Directory.CreateDirectory(full);
        return full;
    }

    /// <summary>Creates or migrates the schema; SQLite also switches to WAL (persistent per file).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        if (!db.IsPostgres)
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        // MigrateAsync also compares the model with the last migration's snapshot, which builds a second copy of the
        // model and diffs it (about 700 methods compiled at start, 4 MB resident for the process's life); that check is
        // for developers adding migrations (MigrationTests makes it for both providers), so it runs only when there is
        // something to apply.
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            await db.Database.MigrateAsync(ct);
        }
        if (!db.IsPostgres)
        {
            // Fresh statistics for the query planner, bounded so it stays quick on a large file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;", ct);
        }
    }
}
