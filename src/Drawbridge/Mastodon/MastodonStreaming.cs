using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Streaming;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Drawbridge.Mastodon;

/// <summary>
/// Mastodon's streaming API (methods/streaming.md): a WebSocket at /api/v1/streaming, multiplexed with subscribe and
/// unsubscribe messages or one stream from <c>?stream=</c>, and server-sent events at /api/v1/streaming/{stream}. The
/// token comes in the Authorization header, the access_token parameter, or as the WebSocket subprotocol (masto.js),
/// which is then echoed back: Chrome drops a connection whose answer names no protocol it asked for.
/// </summary>
public static class MastodonStreaming
{
    private const int WebSocketFormat = StreamItem.MastodonWebSocket;
    private const int EventStreamFormat = StreamItem.MastodonEventStream;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void MapMastodonStreaming(this IEndpointRouteBuilder app)
    {
        var streaming = app.MapGroup("/api/v1/streaming").WithTags("Mastodon").RequireCors(MastodonOAuth.Cors).DisableAntiforgery();
        streaming.MapGet("/health", () => Results.Text("OK", "text/plain; charset=utf-8"));
        streaming.MapGet("", Connect);
        streaming.MapGet("/{**stream}", (string stream, HttpContext http, AccessTokenService tokens, StreamingHub hub, IOptions<DrawbridgeOptions> options) =>
            EventStream(stream.TrimEnd('/').Replace('/', ':'), http, tokens, hub, options));
    }

    /// <summary>Who is listening: a person's (or app's) token, or nobody; a token that was sent must be good.</summary>
    private sealed record Listener(long? AccountId, string Scopes, string? Protocol);

    private static async Task<(Listener? Listener, IResult? Error)> AuthenticateAsync(HttpContext http, AccessTokenService tokens)
    {
        string? token = null;
        string? protocol = null;
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (http.Request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            token = query;
        }
        else if (http.WebSockets.WebSocketRequestedProtocols is [var requested, ..])
        {
            token = protocol = requested;
        }
        if (token is null)
        {
            return (new Listener(null, "", null), null);
        }
        var grant = token.Length is > 10 and < 200 ? await tokens.ResolveAsync(token, http.RequestAborted) : null;
        if (grant is null)
        {
            return (null, MastodonResults.Error(StatusCodes.Status401Unauthorized, "The access token is invalid"));
        }
        return (new Listener(grant.AccountId, grant.Scopes, protocol), null);
    }

    /// <summary>A stream by Mastodon's name and parameters, or why it can't be had (with the HTTP status Mastodon uses).</summary>
    private static (StreamSubscription? Stream, int Status, string? Error) Parse(string? name, string? tag, string? list, Listener listener)
    {
        if (name is null || !StreamSubscription.MastodonNames.Contains(name))
        {
            return (null, 400, "Unknown stream type");
        }
        string? param = null;
        if (name.StartsWith("hashtag", StringComparison.Ordinal))
        {
            param = tag?.Trim().TrimStart('#').ToLowerInvariant();
            if (string.IsNullOrEmpty(param) || param.Length > 100)
            {
                return (null, 400, "No tag for stream provided");
            }
        }
        else if (name == "list")
        {
            if (list is not { Length: > 0 and < 20 } || !list.All(char.IsAsciiDigit))
            {
                return (null, 400, "No list for stream provided");
            }
            param = list;
        }
        var stream = new StreamSubscription(name, param);
        if (stream.NeedsAccount && listener.AccountId is null)
        {
            return (null, 401, "Missing access token");
        }
        var scope = name switch
        {
            "user:notification" => "read:notifications",
            "list" => "read:lists",
            _ => "read:statuses",
        };
        if (listener.AccountId is not null || listener.Scopes.Length > 0)
        {
            if (!ApiScopes.Allows(listener.Scopes, scope))
            {
                return (null, 403, "This action is outside the authorized scopes");
            }
        }
        return (stream, 200, null);
    }

    private static string BaseUrl(HttpContext http, IOptions<DrawbridgeOptions> options) => options.Value.BaseUrl(http.Request);

    private static async Task Connect(HttpContext http, AccessTokenService tokens, StreamingHub hub, IOptions<DrawbridgeOptions> options)
    {
        var q = http.Request.Query;
        if (!http.WebSockets.IsWebSocketRequest)
        {
            // A plain GET with ?stream= is the same as /api/v1/streaming/{stream}.
            if (q["stream"].ToString() is { Length: > 0 } named)
            {
                await EventStream(named, http, tokens, hub, options).ExecuteAsync(http);
                return;
            }
            await MastodonResults.Error(StatusCodes.Status400BadRequest, "Expected a WebSocket upgrade, or a stream parameter for server-sent events").ExecuteAsync(http);
            return;
        }
        var (listener, error) = await AuthenticateAsync(http, tokens);
        if (listener is null)
        {
            await error!.ExecuteAsync(http);
            return;
        }
        StreamSubscription? first = null;
        if (q["stream"].ToString() is { Length: > 0 } initial)
        {
            var (stream, status, why) = Parse(initial, q["tag"], q["list"], listener);
            if (stream is null)
            {
                await MastodonResults.Error(status, why!).ExecuteAsync(http);
                return;
            }
            first = stream;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = listener.Protocol,
            KeepAliveInterval = TimeSpan.FromSeconds(30),
        });
        var connection = hub.Connect(listener.AccountId, listener.Scopes, BaseUrl(http, options));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.Closed);
        try
        {
            if (first is not null)
            {
                connection.Subscribe(first);
            }
            var sending = SendAsync(socket, connection, stop.Token);
            var receiving = ReceiveAsync(socket, connection, listener, stop.Token);
            await Task.WhenAny(sending, receiving);
            if (receiving.IsCompleted && socket.State == WebSocketState.CloseReceived)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, closing.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException)
                {
                }
            }
        }
        finally
        {
            hub.Disconnect(connection);
            await stop.CancelAsync();
            // A client that stopped reading can't take a closing handshake: the socket is cut.
            socket.Abort();
        }
    }

    private static async Task SendAsync(WebSocket socket, StreamConnection connection, CancellationToken ct)
    {
        try
        {
            while (await connection.Reader.WaitToReadAsync(ct))
            {
                while (connection.Reader.TryRead(out var item))
                {
                    await socket.SendAsync(item.Encoded(WebSocketFormat, WebSocketFrame), WebSocketMessageType.Text, true, ct);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task ReceiveAsync(WebSocket socket, StreamConnection connection, Listener listener, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == 4096)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "Messages are at most 4 kB", ct);
                        return;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length, 4096 - length), ct);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Handle(buffer.AsSpan(0, length), connection, listener);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A client's message: <c>{"type":"subscribe","stream":"hashtag","tag":"nursing"}</c>, or unsubscribe.</summary>
    private static void Handle(ReadOnlySpan<byte> message, StreamConnection connection, Listener listener)
    {
        string? type, name, tag, list;
        try
        {
            var reader = new Utf8JsonReader(message);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException();
            }
            string? Text(string key) => root.TryGetProperty(key, out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            } : null;
            (type, name, tag, list) = (Text("type"), Text("stream"), Text("tag"), Text("list"));
        }
        catch (JsonException)
        {
            ErrorFrame(connection, "Could not parse the message as JSON", 400);
            return;
        }
        if (type is not ("subscribe" or "unsubscribe"))
        {
            ErrorFrame(connection, "Unknown message type: use subscribe or unsubscribe", 400);
            return;
        }
        var (stream, status, error) = Parse(name, tag, list, listener);
        if (stream is null)
        {
            ErrorFrame(connection, error!, status);
            return;
        }
        if (type == "subscribe")
        {
            connection.Subscribe(stream);
        }
        else
        {
            connection.Unsubscribe(stream);
        }
    }

    private static void ErrorFrame(StreamConnection connection, string error, int status)
    {
        var json = JsonSerializer.Serialize(new MastodonStreamError(error, status), MastodonJson.Default.MastodonStreamError);
        connection.TryEnqueueOwn(new StreamItem(new StreamSubscription("error", null), "error", json, null));
    }

    /// <summary><c>{"stream":["hashtag","nursing"],"event":"update","payload":"{…}"}</c>: the payload is the entity as a string.</summary>
    private static byte[] WebSocketFrame(StreamItem item)
    {
        if (item.Event == "error")
        {
            return Encoding.UTF8.GetBytes(item.Payload ?? "{}");
        }
        var buffer = new ArrayBufferWriter<byte>((item.Payload?.Length ?? 0) + 128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("stream");
            w.WriteStringValue(item.Stream.Name);
            if (item.Stream.Param is { } param)
            {
                w.WriteStringValue(param);
            }
            w.WriteEndArray();
            w.WriteString("event", item.Event);
            if (item.Payload is { } payload)
            {
                w.WriteString("payload", payload);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>event: update</c> / <c>data: {…}</c>: the entity itself, on one line.</summary>
    private static byte[] EventStreamFrame(StreamItem item) =>
        Encoding.UTF8.GetBytes($"event: {item.Event}\ndata: {item.Payload ?? ""}\n\n");

    private static IResult EventStream(string name, HttpContext http, AccessTokenService tokens, StreamingHub hub, IOptions<DrawbridgeOptions> options) =>
        new EventStreamResult(name, tokens, hub, BaseUrl(http, options));

    private sealed class EventStreamResult(string name, AccessTokenService tokens, StreamingHub hub, string baseUrl) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var (listener, error) = await AuthenticateAsync(http, tokens);
            if (listener is null)
            {
                await error!.ExecuteAsync(http);
                return;
            }
            var q = http.Request.Query;
            var (stream, status, why) = Parse(name, q["tag"], q["list"], listener);
            if (stream is null)
            {
                await MastodonResults.Error(status, why!).ExecuteAsync(http);
                return;
            }
            var connection = hub.Connect(listener.AccountId, listener.Scopes, baseUrl);
            connection.Subscribe(stream);
            await ServeEventsAsync(http, connection, hub, EventStreamFormat, EventStreamFrame);
        }
    }

    /// <summary>Writes a connection's events as server-sent events until the client goes or the hub drops it.</summary>
    public static async Task ServeEventsAsync(HttpContext http, StreamConnection connection, StreamingHub hub, int format, Func<StreamItem, byte[]> frame)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.Closed);
        try
        {
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync(":)\n\n", stop.Token);
            await http.Response.Body.FlushAsync(stop.Token);
            var reader = connection.Reader;
            while (true)
            {
                var wait = reader.WaitToReadAsync(stop.Token).AsTask();
                // A comment now and then keeps proxies from closing a quiet stream.
                while (await Task.WhenAny(wait, Task.Delay(Heartbeat, stop.Token)) != wait)
                {
                    await http.Response.WriteAsync(":thump\n\n", stop.Token);
                    await http.Response.Body.FlushAsync(stop.Token);
                }
                if (!await wait)
                {
                    return;
                }
                while (reader.TryRead(out var item))
                {
                    if (item.Event != "error")
                    {
                        await http.Response.Body.WriteAsync(item.Encoded(format, frame), stop.Token);
                    }
                }
                await http.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            hub.Disconnect(connection);
        }
    }
}
