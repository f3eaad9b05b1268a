using System.Threading.RateLimiting;
using Drawbridge.Accounts;
using Drawbridge.Api;
using Drawbridge.Data;
using Drawbridge.Demo;
using Drawbridge.Events;
using Drawbridge.Federation;
using Drawbridge.Feeds;
using Drawbridge.Jobs;
using Drawbridge.Mastodon;
using Drawbridge.Media;
using Drawbridge.Posts;
using Drawbridge.Search;
using Drawbridge.Social;
using Drawbridge.Timelines;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Drawbridge;

/// <summary>The composition root of the web host.</summary>
public static class DrawbridgeHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args) });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://localhost:5080");
        }
        configure?.Invoke(builder);
        var services = builder.Services;
        var config = builder.Configuration;

        services.Configure<DrawbridgeOptions>(config.GetSection(DrawbridgeOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new Snowflake(sp.GetRequiredService<TimeProvider>(), config.GetValue("Drawbridge:NodeId", 0)));
        services.AddDrawbridgeDatabase(config);
        // First hosted service: the schema is migrated (and the demo seeded) before jobs or requests run.
        services.AddHostedService<DatabaseInitializer>();
        services.AddMemoryCache();
        // Sign-in cookies, antiforgery tokens and Identity's emailed codes are protected with these keys: kept with the
        // data, a restart (or a move to another machine with the data) doesn't sign everyone out or break the links in
        // mail already sent. The fixed name keeps them valid when the program is installed in another folder.
        services.AddDataProtection()
            .SetApplicationName("Drawbridge")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(DatabaseSetup.DataDirectory(config), "keys")));

        services.AddIdentity<User, IdentityRole<long>>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.SignIn.RequireConfirmedEmail = config.GetValue("Drawbridge:RequireConfirmedEmail", true);
                o.Lockout.MaxFailedAccessAttempts = 10;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<DrawbridgeDb>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<ClaimsFactory>();
        // Two-factor secrets are encrypted at rest (ProtectedUserStore), replacing the store AddEntityFrameworkStores added.
        services.AddScoped<IUserStore<User>, ProtectedUserStore>();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/auth/sign-in";
            o.LogoutPath = "/auth/sign-out";
            o.AccessDeniedPath = "/auth/sign-in";
            o.Cookie.Name = "drawbridge";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            // The API answers 401/403 instead of redirecting to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
        });
        // A session's cookie is checked against the account's security stamp this often, so a password change (or
        // two-factor turned off, or an email changed) signs every other browser out within this time.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromSeconds(config.GetValue("Drawbridge:SessionCheckSeconds", 60)));
        // Bearer tokens are the API's (and media's, for apps showing what they fetched); pages only ever take the
        // sign-in cookie, so a leaked API token can't open Settings.
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = "drawbridge";
                o.DefaultAuthenticateScheme = "drawbridge";
                o.DefaultChallengeScheme = "drawbridge";
                o.DefaultForbidScheme = "drawbridge";
            })
            .AddPolicyScheme("drawbridge", "Cookie or bearer token", o => o.ForwardDefaultSelector = ctx =>
                BearerTokenHandler.Accepts(ctx.Request) ? BearerTokenHandler.Name : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.Name, null);
        services.AddAuthorization(o =>
        {
            // Drawbridge's own API acts fully as a person: a bearer token needs both read and write (tokens made by hand
            // have them; an OAuth app's token has what the person allowed).
            o.AddPolicy(ApiEndpoints.Policy, p => p
                .AddAuthenticationSchemes(BearerTokenHandler.Name, IdentityConstants.ApplicationScheme)
                .RequireClaim(AccountClaims.AccountId)
                .RequireAssertion(ctx => ctx.User.FindFirst(AccountClaims.Scopes) is not { } scopes
                    || (ApiScopes.Allows(scopes.Value, "read:statuses") && ApiScopes.Allows(scopes.Value, "write:statuses"))));
        });

        services.AddScoped<AccountService>();
        services.AddScoped<OrganisationService>();
        services.AddScoped<Listening.OrganisationDesks>();
        services.AddScoped<Listening.OrganisationVoice>();
        services.AddScoped<Listening.InboxService>();
        services.AddScoped<Listening.InboxIntake>();
        services.AddSingleton<Listening.InsightsEngine>();
        services.AddScoped<Listening.InboxClassification>();
        services.AddScoped<Listening.InsightsTraining>();
        services.AddSingleton<Listening.FeedbackLimiter>();
        services.AddScoped<Listening.ListeningSettingsService>();
        services.AddSingleton<Listening.InboxChoices>();
        services.AddSingleton<Listening.KeptListeningSettings>();
        services.AddSingleton<Listening.InboxCounts>();
        services.AddScoped<Listening.ResponseTimes>();
        services.AddScoped<Listening.ChangeService>();
        services.AddScoped<Listening.TwoWayScores>();
        services.AddScoped<Listening.DashboardService>();
        services.AddScoped<Listening.DigestService>();
        services.AddScoped<AccessTokenService>();
        services.AddMastodonOAuth();
        services.AddSingleton<MastodonRateLimits>();
        services.AddScoped<PasskeyService>();
        services.AddScoped<Moderation.ModerationService>();
        services.AddSingleton<Moderation.AccountStanding>();
        services.AddScoped<Reauthentication>();
        services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<DrawbridgeOptions>>((o, drawbridge) =>
        {
            // The relying party is this site: the host of the configured public address, else the host each request came
            // to (Identity's default), so a passkey made at https://drawbridge.example works there and nowhere else.
            if (Uri.TryCreate(drawbridge.Value.PublicUrl, UriKind.Absolute, out var publicUrl))
            {
                o.ServerDomain = publicUrl.Host;
            }
            // Discoverable credentials: "Sign in with a passkey" asks for no email address first.
            o.ResidentKeyRequirement = "required";
        });
        services.AddSingleton<Mailer>();
        services.AddScoped<AccountMail>();
        services.AddSingleton<ContentRenderer>();
        services.AddSingleton<ISafetyScreen, SafetyScreen>();
        services.AddScoped<PostChecks>();
        services.AddScoped<PostPublishing>();
        services.AddScoped<PostEditing>();
        services.AddScoped<PostInteractions>();
        services.AddScoped<GuestCommentService>();
        services.AddScoped<MediaService>();
        services.AddSingleton<MediaFiles>();
        services.AddScoped<NotificationService>();
        services.AddScoped<FollowService>();
        services.AddScoped<TimelineService>();
        services.AddScoped<PostMarkService>();
        services.AddScoped<ListService>();
        services.AddScoped<FilterService>();
        services.AddScoped<TagFollowService>();
        services.AddScoped<AccountNoteService>();
        services.AddScoped<HomeTimelineJson>();
        services.AddScoped<MastodonHomeJson>();
        var lifetimes = CacheLifetimes.For(DatabaseSetup.IsPostgres(config.GetConnectionString("Drawbridge")));
        services.AddSingleton(lifetimes);
        var cacheSizes = config.GetSection(CacheSizes.Section).Get<CacheSizes>() ?? new CacheSizes();
        services.AddSingleton(cacheSizes);
        services.AddSingleton<PostJsonCache>();
        services.AddSingleton<HomeFeedCache>();
        services.AddSingleton<PublicPageCache>();
        services.AddOutputCache(o =>
        {
            o.SizeLimit = CacheSizes.Bytes(cacheSizes.PublicPagesMegabytes);
            o.AddPolicy(PublicPageCache.PolicyName, new PublicPageCache.Policy(lifetimes));
        });
        // The framework's in-memory store, holding pages compressed.
        var pageStore = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Remove(pageStore);
        services.AddSingleton<IOutputCacheStore>(sp => new CompressedOutputCacheStore(pageStore switch
        {
            { ImplementationInstance: IOutputCacheStore instance } => instance,
            { ImplementationFactory: { } factory } => (IOutputCacheStore)factory(sp),
            _ => (IOutputCacheStore)ActivatorUtilities.CreateInstance(sp, pageStore.ImplementationType!),
        }));
        services.AddScoped<SearchIndex>();
        services.AddScoped<SearchService>();
        services.AddScoped<FeedService>();
        services.AddScoped<Events.DomainEvents>();
        services.AddEventHandler<FanOutOnPublish>();
        services.AddEventHandler<NotificationHandlers>();
        services.AddEventHandler<SearchIndexing>();
        services.AddEventHandler<CacheEviction>();
        services.AddEventHandler<Listening.InboxIntakeOnPublish>();
        services.AddEventHandler<Streaming.StreamingEvents>();
        services.AddSingleton<Streaming.StreamingHub>();
        services.AddSingleton<Streaming.StreamingDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<Streaming.StreamingDispatcher>());
        if (DatabaseSetup.IsPostgres(config.GetConnectionString("Drawbridge")))
        {
            // Several nodes share one database: a change on any node reaches every node's listeners through NOTIFY.
            services.AddSingleton<Streaming.IStreamBus, Streaming.PostgresStreamBus>();
            services.AddSingleton<Streaming.PostgresStreamListener>();
            services.AddHostedService(sp => sp.GetRequiredService<Streaming.PostgresStreamListener>());
        }
        else
        {
            services.AddSingleton<Streaming.IStreamBus, Streaming.LocalStreamBus>();
        }
        services.Configure<JobOptions>(config.GetSection(JobOptions.Section));
        services.AddSingleton<JobQueue>();
        services.AddSingleton<QueuePressure>();
        services.AddScoped<JobAdmin>();
        services.AddSingleton<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        services.AddJobHandler<FanOutJob, FanOutPost>();
        services.AddJobHandler<PublishScheduledJob, PublishScheduled>();
        services.AddJobHandler<AccountDeletionJob, PurgeDeletedAccounts>();
        services.AddJobHandler<CleanUpJobsJob, CleanUpJobs>();
        services.AddJobHandler<Listening.InboxPostIntakeJob, Listening.InboxPostIntake>();
        services.AddJobHandler<Listening.InboxGuestCommentIntakeJob, Listening.InboxGuestCommentIntake>();
        services.AddJobHandler<Listening.InboxClassifyJob, Listening.ClassifyInbox>();
        services.AddJobHandler<Listening.InsightsTrainJob, Listening.TrainInsightsModel>();
        services.AddJobHandler<Listening.WeeklyDigestJob, Listening.SendWeeklyDigests>();
        services.AddJobHandler<Moderation.PurgeAppealFilesJob, Moderation.PurgeAppealFiles>();
        services.AddHostedService<MaintenanceScheduler>();
        services.AddHostedService<NativeMemoryTrimmer>();
        services.AddHostedService<HeapSlackCollector>();
        services.AddScoped<DemoSeeder>();
        services.AddFederation(config);

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default));
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        // Unreadable JSON and bad route values become exceptions the handler turns into problem details that say what was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi("v1");
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Settings");
            o.Conventions.AuthorizePage("/Compose");
            o.Conventions.AuthorizePage("/Drafts");
            o.Conventions.AuthorizePage("/Notifications");
            o.Conventions.AuthorizePage("/Moderation");
            o.Conventions.AuthorizeFolder("/Moderation");
            o.Conventions.AuthorizeFolder("/Admin");
            o.Conventions.AuthorizePage("/Appeals");
            o.Conventions.AuthorizePage("/Report");
            o.Conventions.AuthorizePage("/Organisations/Index");
            o.Conventions.AuthorizeFolder("/Inbox");
            // A remote account's pages: /@user@domain. Route matching finds a literal's last occurrence in a segment, so
            // "/@{handle}" never matches a value with a second @; the whole segment is the handle here instead.
            o.Conventions.AddPageRoute("/Profile", "{handle:regex(^@.+@.+$)}");
            o.Conventions.AddPageRoute("/Thread", "{handle:regex(^@.+@.+$)}/{id:long}");
            o.Conventions.AddPageRoute("/History", "{handle:regex(^@.+@.+$)}/{id:long}/history");
        }).AddMvcOptions(o => o.Filters.Add(new UnreadableFormFilter()));
        services.AddAntiforgery(o => o.HeaderName = "X-CSRF-TOKEN");
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = MediaService.MaxEpisodeBytes + 1024 * 1024);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MediaService.MaxEpisodeBytes + 1024 * 1024);
        services.AddHealthChecks();
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddAspNetCoreInstrumentation()
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", DrawbridgeMetrics.MeterName)
            // Each metric stream preallocates room for its tag combinations: 2,000 by default, about 5 MB over the
            // server's 34 streams. The two tagged by route (requests by route, method and status; route matching) get
            // 1,000, as Drawbridge has under 200 routes; the rest have a handful of tags. Combinations past the limit
            // are still counted, under an overflow tag.
            .AddView(instrument => new MetricStreamConfiguration
            {
                CardinalityLimit = instrument.Name is "http.server.request.duration" or "aspnetcore.routing.match_attempts" ? 1000 : 100,
            })
            .AddPrometheusExporter());
        services.AddSingleton<DrawbridgeMetrics>();
        AddRateLimits(services, config);
        AddForwardedHeaders(services, config);
        return builder.Build().Configure();
    }

    /// <summary>
    /// `dotnet run` starts in the folder the command was typed in (so CLI paths and the data directory are relative
    /// to it), but the pages' static files and settings live with the app: next to the binary when published, in the
    /// project folder when run from source. An explicit --contentRoot (as the test host passes) wins.
    /// </summary>
    private static string? ContentRoot(string[] args)
    {
        if (args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 })
        {
            return null;
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        if (Directory.Exists(Path.Combine(dir.FullName, "wwwroot")))
        {
            return dir.FullName;
        }
        for (var d = dir; d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Drawbridge.csproj")))
            {
                return d.FullName;
            }
        }
        return null;
    }

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    private static void AddRateLimits(IServiceCollection services, IConfiguration config)
    {
        var limits = config.GetSection("Drawbridge:RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)retry.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                var problems = ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails = { Title = "Too many requests", Detail = "You're doing that too often. Wait a little and try again.", Status = 429 },
                });
            };
            void Add(string name, int permits, TimeSpan window, bool byAccount) => o.AddPolicy(name, ctx =>
            {
                if (!limits.Enabled)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }
                var key = byAccount && ctx.User.AccountIdOf() is { } id ? $"a{id}" : ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window });
            });
            Add("sign-up", limits.SignUpPerHour, TimeSpan.FromHours(1), false);
            Add("sign-in", limits.SignInPerMinute, TimeSpan.FromMinutes(1), false);
            Add("posting", limits.PostsPerMinute, TimeSpan.FromMinutes(1), true);
            Add("guest-comments", limits.GuestCommentsPerHour, TimeSpan.FromHours(1), false);
            // Not a rate limit but a capacity one, always on with SQLite: it takes one writer at a time, so requests
            // that change things wait their turn here, before they hold a connection (each costs memory), rather
            // than all at once inside. Reads are never held back.
            if (!DatabaseSetup.IsPostgres(config.GetConnectionString("Drawbridge")))
            {
                var writers = new ConcurrencyLimiterOptions { PermitLimit = Math.Max(2, Environment.ProcessorCount * 2), QueueLimit = 100_000, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                    IsRead(ctx.Request.Method) || ctx.Request.ContentLength is null or > BodyLimits.Json
                        ? RateLimitPartition.GetNoLimiter("reads and streamed bodies")
                        : RateLimitPartition.GetConcurrencyLimiter("writes", _ => writers));
            }
        });
    }

    /// <summary>
    /// With SQLite, requests that change things take a permit of the write capacity (AddRateLimits). A small body is
    /// read into memory first, so a slow client holds no permit while it sends; a large or streamed one (an upload)
    /// takes no permit at all: its write is one short transaction behind the write gate.
    /// </summary>
    private static async Task SqliteBodiesFirst(HttpContext ctx, Func<Task> next)
    {
        if (ctx.Request.ContentLength is > 0 and <= BodyLimits.Json && !IsRead(ctx.Request.Method))
        {
            ctx.Request.EnableBuffering((int)BodyLimits.Json);
            await ctx.Request.Body.DrainAsync(ctx.RequestAborted);
            ctx.Request.Body.Position = 0;
        }
        await next();
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto are honoured only from the proxies named in
    /// Drawbridge:ForwardedHeaders:KnownProxies (addresses) or KnownNetworks (CIDR); with none named, from no one,
    /// so a client can't choose its own address (and its own rate-limit bucket).
    /// </summary>
    private static void AddForwardedHeaders(IServiceCollection services, IConfiguration config)
    {
        var proxies = Split(config["Drawbridge:ForwardedHeaders:KnownProxies"]);
        var networks = Split(config["Drawbridge:ForwardedHeaders:KnownNetworks"]);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var p in proxies)
            {
                o.KnownProxies.Add(System.Net.IPAddress.Parse(p));
            }
            foreach (var n in networks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n));
            }
        });
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split([';', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static WebApplication Configure(this WebApplication app)
    {
        if (Split(app.Configuration["Drawbridge:ForwardedHeaders:KnownProxies"]).Length > 0 || Split(app.Configuration["Drawbridge:ForwardedHeaders:KnownNetworks"]).Length > 0)
        {
            app.UseForwardedHeaders();
        }
        // Unexpected failures: problem details from the API, a friendly page elsewhere.
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler());
        app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api"), web => web.UseExceptionHandler("/error"));
        // The API answers with problem details; pages get friendly error pages.
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api"), web => web.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseActivityPubNegotiation();
        app.UseStaticFiles();
        app.UseWebSockets();
        app.UseRouting();
        app.UseCors();
        app.Use(MastodonOAuth.JsonBodiesAsForms);
        // A streaming connection is one long request, not a burst of them: it doesn't count against the API's limit.
        app.UseWhen(ctx => (ctx.Request.Path.StartsWithSegments("/api/v1") && !ctx.Request.Path.StartsWithSegments("/api/v1/streaming"))
                           || ctx.Request.Path.StartsWithSegments("/api/v2"),
            api => api.Use(api.ApplicationServices.GetRequiredService<MastodonRateLimits>().InvokeAsync));
        // Read once: the configuration takes a lock on every read, which many requests at once queue on.
        if (!DatabaseSetup.IsPostgres(app.Configuration.GetConnectionString("Drawbridge")))
        {
            app.Use(SqliteBodiesFirst);
        }
        // After authentication, so per-account limits count per account (not per address).
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.Use(Moderation.AccountStanding.Enforce);
        app.UseAntiforgery();
        app.Use(SecurityHeaders);
        app.UseOutputCache();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks("/health");
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapDrawbridgeApi();
        app.MapMastodonOAuth();
        app.MapMastodonApi();
        app.MapMastodonStreaming();
        app.MapLiveUpdates();
        Listening.ListeningEndpoints.MapListeningApi(app);
        Listening.InsightsEndpoints.MapInsightsApi(app);
        Listening.ListeningReportsEndpoints.MapListeningReports(app);
        Listening.ListeningReportsEndpoints.MapChangeFeeds(app);
        Moderation.ModerationEndpoints.MapModerationApi(app);
        app.MapFeeds();
        app.MapFederation();
        app.MapMediaFiles();
        app.MapRazorPages();
        if (app.Configuration.GetValue<bool>("Drawbridge:Benchmark:ReferenceEndpoint"))
        {
            Benchmarks.ReferenceEndpoint.MapBenchmarkReference(app);
        }
        return app;
    }

    private static Task SecurityHeaders(HttpContext ctx, Func<Task> next)
    {
        var h = ctx.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "strict-origin-when-cross-origin";
        // No inline script anywhere: the policy forbids it, so injected markup can't run.
        h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; script-src 'self'; style-src 'self'; font-src 'self' https://assets.nhs.uk; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
        return next();
    }

}

/// <summary>Turns a request the framework could not read (malformed JSON, a non-numeric id) into a 400 that names the problem.</summary>
public sealed class BadRequestHandler(IProblemDetailsService problems) : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int Status, string Detail)? problem = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.InnerException is System.Text.Json.JsonException json ? $"{bad.Message} {json.Message}" : bad.Message),
            // A form body the framework cannot decode (a NUL or malformed percent-encoding in a value), met by model binding.
            Microsoft.AspNetCore.Mvc.ModelBinding.ValueProviderException or InvalidDataException =>
                (StatusCodes.Status400BadRequest, $"The form could not be read: {exception.Message}"),
            _ => null,
        };
        if (problem is not { } p || httpContext.Response.HasStarted)
        {
            return false;
        }
        httpContext.Response.StatusCode = p.Status;
        if (!httpContext.Request.Path.StartsWithSegments("/api"))
        {
            httpContext.Response.ContentType = "text/plain; charset=utf-8";
            await httpContext.Response.WriteAsync($"The request could not be read. {p.Detail}", cancellationToken);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = p.Status, Title = "The request could not be read", Detail = p.Detail },
            Exception = exception,
        });
    }
}

/// <summary>Creates or migrates the schema, and seeds the demo community when Drawbridge:Demo is true (the --demo flag).</summary>
public sealed class DatabaseInitializer(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        if (configuration.GetValue<bool>("Drawbridge:Demo"))
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
