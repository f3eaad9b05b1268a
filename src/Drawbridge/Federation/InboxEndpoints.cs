using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Federation;

/// <summary>
/// The inboxes: <c>POST /users/{handle}/inbox</c> and the shared <c>POST /inbox</c>. Open to any server, but only for
/// activities signed (HTTP signatures) by the key of the actor they name. An accepted activity is stored and answered
/// 202 at once; it is acted on by a job, so a burst of deliveries never holds the web server. Every refusal stores
/// nothing.
/// </summary>
public static class InboxEndpoints
{
    /// <summary>The largest activity accepted: room for a long article, far below what could hurt.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static void MapInboxes(this IEndpointRouteBuilder app)
    {
        app.MapPost("/users/{handle}/inbox", (string handle, HttpContext ctx, InboxReceiver inbox, CancellationToken ct) => inbox.ReceiveAsync(ctx, handle, ct))
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes + 1));
        app.MapPost("/inbox", (HttpContext ctx, InboxReceiver inbox, CancellationToken ct) => inbox.ReceiveAsync(ctx, null, ct))
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes + 1));
    }
}

/// <summary>Checks and stores one delivery (see <see cref="InboxEndpoints"/>).</summary>
public sealed class InboxReceiver(
    DrawbridgeDb db, RemoteAccounts remote, DomainBlocks blocks, JobQueue jobs, QueuePressure pressure, Snowflake ids, TimeProvider clock,
    ILogger<InboxReceiver> log)
{
    private static IResult Refuse(int status, string title, string detail) => Results.Problem(title: title, detail: detail, statusCode: status);

    public async Task<IResult> ReceiveAsync(HttpContext ctx, string? handle, CancellationToken ct)
    {
        using var arriving = pressure.Arriving();
        long? recipientId = null;
        if (handle is not null)
        {
            var key = AccountService.HandleKey(handle);
            recipientId = await db.Accounts.AsNoTracking().Where(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
            if (recipientId is null)
            {
                return Refuse(404, "Not found", $"There is no account @{handle} here.");
            }
        }

        // Size first: nothing larger is read, let alone parsed or verified.
        if (ctx.Request.ContentLength > InboxEndpoints.MaxBodyBytes)
        {
            return Refuse(413, "Too large", $"An activity may be up to {InboxEndpoints.MaxBodyBytes} bytes.");
        }
        byte[] body;
        try
        {
            body = await ReadLimitedAsync(ctx.Request.Body, InboxEndpoints.MaxBodyBytes, ct);
        }
        catch (InvalidDataException)
        {
            return Refuse(413, "Too large", $"An activity may be up to {InboxEndpoints.MaxBodyBytes} bytes.");
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return Refuse(413, "Too large", $"An activity may be up to {InboxEndpoints.MaxBodyBytes} bytes.");
        }

        var signed = SignedMessage.From(ctx.Request);
        if (signed.Header("signature") is null && signed.Header("authorization") is null)
        {
            return Refuse(401, "Not signed", "Deliveries must carry an HTTP signature (draft-cavage Signature or RFC 9421 Signature-Input and Signature).");
        }

        if (Parse(body) is not { } parsed)
        {
            return Refuse(400, "Not an activity", "The body must be an ActivityStreams activity in JSON: an object with an id, a type and an actor, and a @context that is a string, an object or an array.");
        }
        var (activityId, type, actorUri) = parsed;
        if (!Activity.SameOrigin(activityId, actorUri))
        {
            return Refuse(400, "Not an activity", $"The activity {activityId} is not on the server of its actor {actorUri}.");
        }
        if (await blocks.IsSuspendedAsync(RemoteAccounts.DomainOf(actorUri), ct))
        {
            return Refuse(403, "Domain suspended", $"{RemoteAccounts.DomainOf(actorUri)} is suspended on this server.");
        }

        // The signature: with the key of the actor that signed, fetched when unknown; once more when it doesn't
        // verify with the stored one (the actor may have rotated its key).
        var keys = new SignatureKeyLookup(remote, blocks);
        var now = clock.GetUtcNow();
        try
        {
            try
            {
                await HttpSignatures.VerifyAsync(signed, body, now, keys.ResolveAsync, ct);
            }
            catch (SignatureException e) when (e.Message.Contains("does not match", StringComparison.Ordinal) && keys.Signer is not null)
            {
                keys.Refresh = true;
                await HttpSignatures.VerifyAsync(signed, body, now, keys.ResolveAsync, ct);
            }
        }
        catch (SignatureException e)
        {
            return Refuse(401, "Bad signature", keys.Problem is null ? e.Message : $"{e.Message}: {keys.Problem}");
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return Refuse(401, "Bad signature", $"The signature could not be read: {e.Message}");
        }
        if (keys.Signer?.Uri != actorUri)
        {
            return Refuse(401, "Bad signature", $"The request is signed by {keys.Signer?.Uri}, not by the activity's actor {actorUri}.");
        }

        // Idempotent by id: a second delivery of the same activity changes nothing.
        if (await db.InboundActivities.AnyAsync(a => a.ActivityUri == activityId, ct))
        {
            return Results.Accepted();
        }
        var stored = new InboundActivity
        {
            Id = ids.Next(),
            ActivityUri = activityId,
            Type = type,
            ActorUri = actorUri,
            RecipientId = recipientId,
            Body = System.Text.Encoding.UTF8.GetString(body),
            ReceivedAt = now.UtcDateTime,
        };
        db.InboundActivities.Add(stored);
        jobs.Enqueue(db, new ProcessInboundActivity(stored.Id));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same activity arrived twice at once: the other delivery stored it. Anything else is a real failure.
            if (!await DeliveredMeanwhileAsync(activityId))
            {
                throw;
            }
        }
        log.LogDebug("Accepted {Type} {Id} from {Actor}", type, activityId, actorUri);
        return Results.Accepted();
    }

    private async Task<bool> DeliveredMeanwhileAsync(string activityId)
    {
        db.ChangeTracker.Clear();
        return await db.InboundActivities.AnyAsync(a => a.ActivityUri == activityId);
    }

    /// <summary>The activity's id, type and actor, or null when the body is not JSON, not an object, or lacks them.</summary>
    public static (string Id, string Type, string Actor)? Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (root.TryGetProperty("@context", out var context) && context.ValueKind is not (JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Object))
            {
                return null;
            }
            var id = Activity.Str(root, "id");
            var type = Activity.TypeOf(root);
            var actor = Activity.IdOf(root, "actor");
            if (id is null || type is null || actor is null || type.Length > 64
                || !Uri.TryCreate(id, UriKind.Absolute, out var idUri) || !Uri.TryCreate(actor, UriKind.Absolute, out var actorUri)
                || idUri.Scheme is not ("https" or "http") || actorUri.Scheme is not ("https" or "http")
                || id.Length > AccountConfiguration.UriMax || actor.Length > AccountConfiguration.UriMax)
            {
                return null;
            }
            return (id, type, actor);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream stream, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException("too large");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
