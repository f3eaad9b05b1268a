using System.Globalization;
using Drawbridge.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Drawbridge.Accounts;

/// <summary>The emails an account gets: one place for their wording and links, used by pages and the API alike.</summary>
public sealed class AccountMail(UserManager<User> users, Mailer mailer, IOptions<DrawbridgeOptions> options)
{
    /// <summary>The public base address: the configured one, else the address this request came to.</summary>
    public string BaseUrl(HttpRequest request) => options.Value.BaseUrl(request);

    public async Task SendConfirmationAsync(User user, string baseUrl, CancellationToken ct)
    {
        var code = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = $"{baseUrl}/auth/confirm-email?userId={user.Id.ToString(CultureInfo.InvariantCulture)}&code={Uri.EscapeDataString(code)}";
        await mailer.SendAsync(user.Email!, "Confirm your email address for Drawbridge",
            $"Welcome to Drawbridge.\n\nConfirm your email address by opening this link:\n{link}\n\nIf you didn't create an account, ignore this email.", ct);
    }
}
