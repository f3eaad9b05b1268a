using Drawbridge.Events;
using Drawbridge.Jobs;
using Microsoft.Net.Http.Headers;

namespace Drawbridge.Federation;

/// <summary>Federation's services, its content negotiation on the HTML pages' URLs, and its endpoints.</summary>
public static class FederationSetup
{
    public static IServiceCollection AddFederation(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<FederationOptions>(config.GetSection(FederationOptions.Section));
        services.AddHttpContextAccessor();
        services.AddScoped<ActorUrls>();
        services.AddSingleton<FederationHttp>();
        services.AddScoped<LocalActorKeys>();
        services.AddSingleton<LocalSigningKeys>();
        services.AddScoped<InstanceActor>();
        services.AddScoped<RemoteAccounts>();
        services.AddScoped<AuthorizedFetch>();
        services.AddScoped<DomainBlocks>();
        services.AddScoped<InboxReceiver>();
        services.AddScoped<InboundProcessor>();
        services.AddScoped<FederatedLookup>();
        services.AddScoped<Posts.IRemoteMentionResolver, RemoteMentionResolver>();
        services.AddJobHandler<InboundActivityJob, ProcessInboundActivity>();
        services.AddEventHandler<RemoteFollowAnswers>();
        services.AddSingleton<ActivityDelivery>();
        services.AddSingleton<DeliveryDomains>();
        services.AddJobHandler<DeliverActivityJob, DeliverActivity>();
        services.AddJobHandler<DistributeActivityJob, DistributeActivity>();
        services.AddEventHandler<OutboundActivities>();
        return services;
    }

    public static void MapFederation(this IEndpointRouteBuilder app)
    {
        app.MapDiscovery();
        app.MapActors();
        app.MapInboxes();
        app.MapGet("/actor", InstanceActorDocument);
    }

    /// <summary>This server's own actor: the key that signs its fetches, so authorized-fetch servers can check them.</summary>
    private static async Task<IResult> InstanceActorDocument(ActorUrls urls, InstanceActor instance, CancellationToken ct)
    {
        var key = await instance.KeyAsync(create: true, ct);
        var id = urls.InstanceActor;
        var actor = new System.Text.Json.Nodes.JsonObject
        {
            ["@context"] = ActivityJson.Context(),
            ["id"] = id,
            ["type"] = "Application",
            ["preferredUsername"] = urls.Domain,
            ["name"] = urls.Domain,
            ["url"] = urls.Base,
            ["inbox"] = urls.SharedInbox,
            ["outbox"] = $"{id}/outbox",
            ["endpoints"] = new System.Text.Json.Nodes.JsonObject { ["sharedInbox"] = urls.SharedInbox },
            ["manuallyApprovesFollowers"] = true,
            ["discoverable"] = false,
            ["indexable"] = false,
            ["publicKey"] = new System.Text.Json.Nodes.JsonObject { ["id"] = key!.KeyId, ["owner"] = id, ["publicKeyPem"] = key.PublicKeyPem },
        };
        return Results.Text(actor.ToJsonString(), ActorEndpoints.ContentType);
    }

    /// <summary>
    /// An ActivityPub client asking for a profile (<c>/@handle</c>) or a post (<c>/@handle/123</c>) gets the actor or
    /// object there, as Mastodon answers; everyone else gets the page. Rewritten before routing and the page cache, so
    /// the cached HTML is never served as JSON nor the other way round; both answers vary on Accept.
    /// </summary>
    public static IApplicationBuilder UseActivityPubNegotiation(this IApplicationBuilder app) => app.Use((ctx, next) =>
    {
        var path = ctx.Request.Path.Value;
        if ((HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method)) && path is { Length: > 2 } && path.StartsWith("/@", StringComparison.Ordinal))
        {
            ctx.Response.Headers.Append(HeaderNames.Vary, "Accept");
            if (WantsActivityJson(ctx.Request))
            {
                ctx.Items[AuthorizedFetch.SignedPathItem] = path;
                var parts = path[2..].Split('/');
                if (parts.Length == 1)
                {
                    ctx.Request.Path = $"/users/{parts[0]}";
                }
                else if (parts.Length == 2 && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    ctx.Request.Path = $"/users/{parts[0]}/statuses/{parts[1]}";
                }
            }
        }
        return next(ctx);
    });

    /// <summary>True when the request's Accept names activity+json or ld+json (with or without the ActivityStreams profile).</summary>
    public static bool WantsActivityJson(HttpRequest request)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is not null && (value.Contains("application/activity+json", StringComparison.OrdinalIgnoreCase)
                || value.Contains("application/ld+json", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        return false;
    }
}
