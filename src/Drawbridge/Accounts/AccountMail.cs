using System.Globalization;
using Drawbridge.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Drawbridge.Accounts;

/// <summary>The emails an account gets: one place for their wording and links, used by pages and the API alike.</summary>
public sealed class AccountMail(UserManager<User> users, Mailer mailer, IOptions<DrawbridgeOptions> options, ILogger<AccountMail> log)
{
    /// <summary>The base address for links in mail, or null when none can be trusted (see <see cref="DrawbridgeOptions.LinkBaseUrl"/>).</summary>
    public string? BaseUrl(HttpRequest request) => options.Value.LinkBaseUrl(request);

    public async Task SendConfirmationAsync(User user, string? baseUrl, CancellationToken ct)
    {
        if (baseUrl is null)
        {
            log.LogError(DrawbridgeOptions.NoLinkBase);
            return;
        }
        var code = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = $"{baseUrl}/auth/confirm-email?userId={user.Id.ToString(CultureInfo.InvariantCulture)}&code={Uri.EscapeDataString(code)}";
        await mailer.SendAsync(user.Email!, "Confirm your email address for Drawbridge",
            $"Welcome to Drawbridge.\n\nConfirm your email address by opening this link:\n{link}\n\nIf you didn't create an account, ignore this email.", ct);
    }
}
