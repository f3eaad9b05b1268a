using Drawbridge.Accounts;
using Drawbridge.Posts;

namespace Drawbridge.Federation;

/// <summary>
/// <c>@user@domain</c> in a local post, found through the domain's WebFinger as search finds it (<see cref="RemoteAccounts"/>:
/// the SSRF guard, size and time limits, suspended domains refused, accounts kept and reused for a day). A post waits
/// for this at most <see cref="Budget"/> in all; what is not found by then stays plain text.
/// </summary>
public sealed class RemoteMentionResolver(RemoteAccounts remote, ActorUrls urls, ILogger<RemoteMentionResolver> log) : IRemoteMentionResolver
{
    /// <summary>How long one post may wait for its mentions to be found, all of them together.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    /// <summary>At most this many other-server accounts are looked up for one post.</summary>
    public const int MaxLookups = 10;

    public async Task<IReadOnlyDictionary<string, Account>> ResolveAsync(IReadOnlyCollection<string> accts, CancellationToken ct)
    {
        var found = new Dictionary<string, Account>(StringComparer.Ordinal);
        var own = urls.Known ? urls.Domain.ToLowerInvariant() : null;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(Budget);
        foreach (var acct in accts.Where(a => own is null || !a.EndsWith("@" + own, StringComparison.Ordinal)).Take(MaxLookups))
        {
            try
            {
                if (await remote.ResolveHandleAsync(acct, budget.Token) is { Domain: not null, Uri: not null } account)
                {
                    found[acct] = account;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                log.LogInformation("Mentions not found in time: {Acct} and after stay plain text", acct);
                break;
            }
            catch (FederationFetchException e)
            {
                log.LogInformation("Mention of {Acct} not found: {Reason}", acct, e.Message);
            }
            catch (System.Text.Json.JsonException)
            {
                log.LogInformation("Mention of {Acct} not found: its server's answer is not JSON", acct);
            }
        }
        return found;
    }
}
