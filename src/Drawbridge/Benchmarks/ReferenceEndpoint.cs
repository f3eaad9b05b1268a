namespace Drawbridge.Benchmarks;

/// <summary>
/// For bench/run only (off unless Drawbridge:Benchmark:ReferenceEndpoint is true): a response of a given size,
/// precomputed once, served by the same Kestrel pipeline, so a real endpoint's throughput can be compared with
/// the cost of just moving the same number of bytes.
/// </summary>
public static class ReferenceEndpoint
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte[]> Bodies = new();

    public static void MapBenchmarkReference(this IEndpointRouteBuilder app) =>
        app.MapGet("/bench/reference", (int bytes, string? type, HttpContext ctx) =>
        {
            var size = Math.Clamp(bytes, 2, 10_000_000);
            var body = Bodies.GetOrAdd(size, n =>
            {
                var b = new byte[n];
                Array.Fill(b, (byte)' ');
                b[0] = (byte)'[';
                b[^1] = (byte)']';
                return b;
            });
            return Results.Bytes(body, type == "html" ? "text/html; charset=utf-8" : "application/json; charset=utf-8");
        });
}
