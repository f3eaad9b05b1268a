using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Drawbridge.Accounts;

/// <summary>Puts the account id into the sign-in cookie so pages don't look it up on every request.</summary>
public sealed class ClaimsFactory(UserManager<User> users, RoleManager<IdentityRole<long>> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<User, IdentityRole<long>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(AccountClaims.AccountId, user.AccountId.ToString(CultureInfo.InvariantCulture)));
        return identity;
    }
}
