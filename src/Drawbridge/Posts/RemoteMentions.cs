using Drawbridge.Accounts;

namespace Drawbridge.Posts;

/// <summary>
/// Finds the accounts on other servers that a post names as <c>@user@domain</c>, so the post can link to them and reach
/// them. Federation provides it; posts depend on this seam, not on federation.
/// </summary>
public interface IRemoteMentionResolver
{
    /// <summary>
    /// Resolves each <c>user@domain</c> (lower case) it can, within a bounded time, storing the accounts it finds; the
    /// ones it cannot (unknown, unreachable, refused, this server's own) are left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, Account>> ResolveAsync(IReadOnlyCollection<string> accts, CancellationToken ct);
}
