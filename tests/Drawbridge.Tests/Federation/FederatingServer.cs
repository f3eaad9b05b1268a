using System.Net;
using System.Net.Sockets;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Social;
using Drawbridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Drawbridge.Tests.Federation;

/// <summary>
/// A Drawbridge that federates with peers on loopback: its public address is its own socket (so the key ids it signs
/// with resolve), <c>AllowPrivateNetworks</c> is on, and delivery retries come back within a second instead of minutes.
/// </summary>
public class FederatingServer : DrawbridgeServer
{
    public FederatingServer() : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>A server with settings of its own; on <paramref name="port"/> and <paramref name="dataDirectory"/> to stand in for one restarted; on <paramref name="clock"/>'s time when given.</summary>
    public static FederatingServer With(IDictionary<string, string?> settings, int? port = null, string? dataDirectory = null, TimeProvider? clock = null) =>
        new(settings, port, dataDirectory, clock);

    protected FederatingServer(IDictionary<string, string?> settings, int? port = null, string? dataDirectory = null, TimeProvider? clock = null)
        : this(port ?? FreePort(), settings, dataDirectory)
    {
        _clock = clock;
    }

    private readonly TimeProvider? _clock;

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_clock is { } clock)
        {
            Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, s => s.AddSingleton(clock));
        }
    }

    private FederatingServer(int port, IDictionary<string, string?> settings, string? dataDirectory)
        : base(DatabaseKind.Sqlite, Settings(port, settings, dataDirectory))
    {
        Port = port;
        UseKestrel(o => o.Listen(IPAddress.Loopback, port));
    }

    public int Port { get; }
    public string PublicUrl => $"http://127.0.0.1:{Port}";

    private static Dictionary<string, string?> Settings(int port, IDictionary<string, string?> extra, string? dataDirectory)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Drawbridge:PublicUrl"] = $"http://127.0.0.1:{port}",
            ["Drawbridge:Federation:AllowPrivateNetworks"] = "true",
            ["Drawbridge:Federation:TimeoutSeconds"] = "3",
            ["Drawbridge:Jobs:Queues:delivery:RetryBaseSeconds"] = "0.2",
            ["Drawbridge:Jobs:Queues:delivery:RetryMaxSeconds"] = "1",
        };
        if (dataDirectory is not null)
        {
            settings["Drawbridge:DataDirectory"] = dataDirectory;
        }
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        return settings;
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Stores an account of the sink's server, as resolving it from its actor would.</summary>
    public async Task<Account> AddRemoteAccountAsync(InboxSink sink, string user, bool sharedInbox = true)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        var ids = scope.ServiceProvider.GetRequiredService<Snowflake>();
        var account = new Account
        {
            Id = ids.Next(),
            Handle = user,
            HandleKey = user.ToLowerInvariant(),
            Domain = sink.Authority,
            Uri = sink.Actor(user),
            Url = sink.Url($"/@{user}"),
            InboxUri = sink.Inbox(user),
            SharedInboxUri = sharedInbox ? sink.SharedInbox : null,
            DisplayName = user,
            CreatedAt = DateTime.UtcNow,
        };
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account;
    }

    /// <summary>Makes <paramref name="follower"/> (remote) an accepted follower of a local account, as an accepted remote Follow would.</summary>
    public async Task AddFollowerAsync(long localAccountId, Account follower)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        db.Follows.Add(new Follow { FollowerId = follower.Id, FolloweeId = localAccountId, CreatedAt = DateTime.UtcNow, State = FollowState.Accepted, Uri = $"{follower.Uri}#follows/{Guid.NewGuid():N}" });
        await db.Accounts.Where(a => a.Id == localAccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.FollowersCount, a => a.FollowersCount + 1));
        await db.SaveChangesAsync();
    }

    public async Task<T> WithDbAsync<T>(Func<DrawbridgeDb, IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<DrawbridgeDb>(), scope.ServiceProvider);
    }
}
