using System.Threading.RateLimiting;
using Drawbridge.Data;

namespace Drawbridge.Listening;

/// <summary>
/// How often one address may send feedback, through the form or the API alike (one count for both). Held in this
/// node's memory: behind several nodes each counts its own share, as the other rate limits do today.
/// </summary>
public sealed class FeedbackLimiter : IDisposable
{
    public const string Message = "You've sent a lot of feedback from this address in the last hour. Please try again later; what you wrote is still here.";
    private readonly PartitionedRateLimiter<string>? _limiter;

    public FeedbackLimiter(IConfiguration config)
    {
        var limits = config.GetSection("Drawbridge:RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (limits.Enabled)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.FeedbackPerHour, Window = TimeSpan.FromHours(1) }));
        }
    }

    public bool TryAcquire(HttpContext http, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null)
        {
            return true;
        }
        using var lease = _limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (lease.IsAcquired)
        {
            return true;
        }
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromHours(1);
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
