using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Drawbridge.Moderation;

/// <summary>
/// Whether a signed-in account is suspended, cached for a short while per account so a request doesn't pay a query.
/// A suspension on this node takes effect at once (the entry is dropped); on other nodes within <see cref="Ttl"/>.
/// </summary>
public sealed class AccountStanding(IMemoryCache cache, IServiceScopeFactory scopes)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private static string Key(long accountId) => "standing:" + accountId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask<bool> IsSuspendedAsync(long accountId, CancellationToken ct)
    {
        if (cache.TryGetValue(Key(accountId), out bool suspended))
        {
            return suspended;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DrawbridgeDb>();
        suspended = await db.Accounts.AsNoTracking().AnyAsync(a => a.Id == accountId && a.SuspendedAt != null, ct);
        cache.Set(Key(accountId), suspended, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Ttl, Size = 1 });
        return suspended;
    }

    public void Forget(long accountId) => cache.Remove(Key(accountId));

    /// <summary>
    /// A suspended account may read, sign out and appeal; any other change is refused (403), in the API and on pages
    /// alike, so no path that writes has to remember to check.
    /// </summary>
    public static async Task Enforce(HttpContext ctx, Func<Task> next)
    {
        var method = ctx.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            || ctx.User.AccountIdOf() is not { } accountId
            || ctx.Request.Path.StartsWithSegments("/appeals") || ctx.Request.Path.StartsWithSegments("/auth/sign-out")
            || !await ctx.RequestServices.GetRequiredService<AccountStanding>().IsSuspendedAsync(accountId, ctx.RequestAborted))
        {
            await next();
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
        const string detail = "Your account is suspended: you can read, and appeal against the decision at /appeals.";
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = ctx,
                ProblemDetails = { Status = 403, Title = "Account suspended", Detail = detail },
            });
            return;
        }
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(detail, ctx.RequestAborted);
    }
}
