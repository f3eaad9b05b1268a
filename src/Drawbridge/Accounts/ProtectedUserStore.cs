using Drawbridge.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Drawbridge.Accounts;

/// <summary>
/// Identity's store, with the authenticator (TOTP) secret and the recovery codes encrypted at rest under the Data
/// Protection keys, so a copy of the database alone (a leaked backup) gives no second factor. Values written before
/// this protection (no prefix) are still read, and are protected the next time they are written.
/// </summary>
public sealed class ProtectedUserStore(DrawbridgeDb context, IDataProtectionProvider protection, IdentityErrorDescriber? describer = null)
    : UserStore<User, IdentityRole<long>, DrawbridgeDb, long>(context, describer)
{
    private const string Prefix = "dp1:";
    private const string InternalProvider = "[AspNetUserStore]";
    private static readonly HashSet<string> Secrets = ["AuthenticatorKey", "RecoveryCodes"];
    private readonly IDataProtector _protector = protection.CreateProtector("Drawbridge.Accounts.TwoFactorSecrets");

    private static bool IsSecret(string loginProvider, string name) => loginProvider == InternalProvider && Secrets.Contains(name);

    public override Task SetTokenAsync(User user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        base.SetTokenAsync(user, loginProvider, name,
            value is not null && IsSecret(loginProvider, name) ? Prefix + _protector.Protect(value) : value, cancellationToken);

    public override async Task<string?> GetTokenAsync(User user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var stored = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return stored is not null && IsSecret(loginProvider, name) && stored.StartsWith(Prefix, StringComparison.Ordinal)
            ? _protector.Unprotect(stored[Prefix.Length..])
            : stored;
    }
}
