using System.Data.Common;
using Drawbridge.Accounts;
using Drawbridge.Jobs;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Drawbridge.Data;

/// <summary>
/// The one model. Each provider has its own subclass only so that each keeps its own migrations
/// (docs/decisions/0001-one-model-two-providers.md); features are the same on both.
/// </summary>
public abstract class DrawbridgeDb(DbContextOptions options) : IdentityDbContext<User, IdentityRole<long>, long>(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<OrganisationMember> OrganisationMembers => Set<OrganisationMember>();
    public DbSet<Post> Posts => Set<Post>();
    public DbSet<PostEdit> PostEdits => Set<PostEdit>();
    public DbSet<PostTag> PostTags => Set<PostTag>();
    public DbSet<PostMention> PostMentions => Set<PostMention>();
    public DbSet<Like> Likes => Set<Like>();
    public DbSet<GuestComment> GuestComments => Set<GuestComment>();
    public DbSet<TrustedCommenter> TrustedCommenters => Set<TrustedCommenter>();
    public DbSet<MediaAttachment> Media => Set<MediaAttachment>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Mute> Mutes => Set<Mute>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<HomeFeedEntry> HomeFeed => Set<HomeFeedEntry>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();
    public DbSet<Pin> Pins => Set<Pin>();
    public DbSet<AccountList> Lists => Set<AccountList>();
    public DbSet<ListMember> ListMembers => Set<ListMember>();
    public DbSet<ContentFilter> Filters => Set<ContentFilter>();
    public DbSet<FilterKeyword> FilterKeywords => Set<FilterKeyword>();
    public DbSet<FollowedTag> FollowedTags => Set<FollowedTag>();
    public DbSet<AccountNote> AccountNotes => Set<AccountNote>();
    public DbSet<Federation.InboundActivity> InboundActivities => Set<Federation.InboundActivity>();
    public DbSet<Federation.DomainBlock> DomainBlocks => Set<Federation.DomainBlock>();
    public DbSet<Federation.RemoteReport> RemoteReports => Set<Federation.RemoteReport>();
    public DbSet<Federation.ServerKey> ServerKeys => Set<Federation.ServerKey>();
    public DbSet<Federation.DeliveryDomain> DeliveryDomains => Set<Federation.DeliveryDomain>();
    public DbSet<Federation.GoneInbox> GoneInboxes => Set<Federation.GoneInbox>();

    public abstract bool IsPostgres { get; }

    /// <summary>Events raised in this unit of work, with the transaction they were raised in, dispatched once it commits.</summary>
    internal List<(Events.IDomainEvent Event, Guid? Transaction)> PendingEvents { get; } = [];

    /// <summary>The queues that jobs were staged on in this unit of work: their local workers are woken once it commits.</summary>
    internal HashSet<string> StagedJobs { get; } = new(StringComparer.Ordinal);

    public override void Dispose()
    {
        PendingEvents.Clear();
        StagedJobs.Clear();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        PendingEvents.Clear();
        StagedJobs.Clear();
        return base.DisposeAsync();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is stored and read as UTC, whatever the provider keeps of the kind.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(DrawbridgeDb).Assembly, t => t.Namespace?.StartsWith("Drawbridge", StringComparison.Ordinal) == true && !t.IsAbstract);
        // OAuth apps, authorization codes and consents (OpenIddict's stores), named as the rest of the schema.
        builder.UseOpenIddict();
        builder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().ToTable("oauth_applications");
        builder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization>().ToTable("oauth_authorizations");
        builder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreScope>().ToTable("oauth_scopes");
        builder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>().ToTable("oauth_tokens");
    }
}

internal sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

public sealed class SqliteDrawbridgeDb(DbContextOptions<SqliteDrawbridgeDb> options) : DrawbridgeDb(options)
{
    public override bool IsPostgres => false;

    /// <summary>Whether this context holds the process's <see cref="SqliteWriteGate"/> (see there).</summary>
    internal bool HoldsWriteGate { get; set; }

    /// <summary>Set by the interceptor that took the gate, so a context going back to the pool never keeps it.</summary>
    internal SqliteWriteGate? WriteGate { get; set; }

    /// <summary>The gate was taken for a SaveChanges outside a transaction: that SaveChanges gives it back, however it ends.</summary>
    internal bool GateHeldBySave { get; set; }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            EndSave();
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            EndSave();
        }
    }

    private void EndSave()
    {
        if (GateHeldBySave)
        {
            GateHeldBySave = false;
            ReleaseWriteGate();
        }
    }

    public override void Dispose()
    {
        ReleaseWriteGate();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        ReleaseWriteGate();
        return base.DisposeAsync();
    }

    internal void ReleaseWriteGate()
    {
        if (HoldsWriteGate)
        {
            HoldsWriteGate = false;
            WriteGate?.Exit();
        }
    }
}

public sealed class PostgresDrawbridgeDb(DbContextOptions<PostgresDrawbridgeDb> options) : DrawbridgeDb(options)
{
    public override bool IsPostgres => true;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Full-text search: a stored tsvector kept by PostgreSQL itself, GIN-indexed.
        // 'simple' (no stemming, no stop words) so results match SQLite's FTS5 unicode61 tokenizer.
        builder.Entity<Post>()
            .Property<NpgsqlTypes.NpgsqlTsVector>("SearchVector")
            .HasComputedColumnSql("to_tsvector('simple', coalesce(\"Title\", '') || ' ' || coalesce(\"Summary\", '') || ' ' || \"Content\")", stored: true);
        builder.Entity<Post>().HasIndex("SearchVector").HasMethod("GIN");
    }
}

/// <summary>
/// Per-connection SQLite settings (WAL is persistent, these are not), and a connection kept open for the context's
/// lifetime: EF Core would otherwise close and reopen it around every query, and each open re-runs these pragmas and
/// re-registers EF's SQL functions on the native handle, leaving finalizable handles behind (hundreds of thousands
/// a minute under load, measured as most of the heap's churn). The connection closes when the context is disposed.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        eventData.Context is null ? result : InterceptionResult.Suppress();

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        ValueTask.FromResult(eventData.Context is null ? result : InterceptionResult.Suppress());

    /// <summary>
    /// What every connection to the file sets, reading or writing: the lock wait and the page cache (128 KB). About 20
    /// connections stay open, and the hot reads are served from the caches in memory, not from SQLite's pages: side by
    /// side, 128 KB instead of 512 KB measured 10 MB less resident memory with home timelines, posting and fan-out
    /// within noise (BENCHMARKS.md). The operating system's page cache still holds the file.
    /// </summary>
    internal const string Shared = "PRAGMA busy_timeout=10000; PRAGMA cache_size=-128;";

    private const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; " + Shared + " " + SqliteCheckpointer.WriterPragmas;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

// Design-time factories so `dotnet ef migrations add` builds each provider's migrations.
internal sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteDrawbridgeDb>
{
    public SqliteDrawbridgeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDrawbridgeDb>().UseSqlite("Data Source=design.db").UseIdentitySchema().Options);
}

internal sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresDrawbridgeDb>
{
    public PostgresDrawbridgeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDrawbridgeDb>().UseNpgsql("Host=localhost;Database=design").UseIdentitySchema().Options);
}

public static class IdentitySchema
{
    /// <summary>Version 3 adds passkeys (AspNetUserPasskeys).</summary>
    public static readonly Version Version = IdentitySchemaVersions.Version3;

    /// <summary>
    /// Identity picks its tables from the app's IdentityOptions (Stores.SchemaVersion: version 3 has passkeys), which
    /// a design-time context doesn't have: give it the same options the host sets, so migrations match the running model.
    /// </summary>
    public static DbContextOptionsBuilder<T> UseIdentitySchema<T>(this DbContextOptionsBuilder<T> builder) where T : DbContext =>
        builder.UseApplicationServiceProvider(new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = Version)
            .BuildServiceProvider());
}
