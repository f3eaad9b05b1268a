using Drawbridge.Accounts;
using Drawbridge.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Cli;

/// <summary>
/// <c>accounts token HANDLE --scopes "read write follow"</c>: prints one new API token for an account, as Mastodon's
/// tootctl does, for operators and scripts. Other arguments are the server's settings (--Drawbridge:DataDirectory=…).
/// </summary>
public static class AccountsCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0 && args[0] == "role")
        {
            return await RoleAsync(args, stdout, stderr);
        }
        if (args.Length == 0 || args[0] != "token")
        {
            await stderr.WriteLineAsync("Usage: accounts token HANDLE [--scopes \"read write follow\"] [settings such as --Drawbridge:DataDirectory=DIR]\n       accounts role HANDLE moderator|admin [--remove] [settings]");
            return 2;
        }
        string? handle = null;
        var scopes = "read write follow";
        var settings = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a == "--scopes")
            {
                if (i + 1 >= args.Length)
                {
                    await stderr.WriteLineAsync("--scopes needs a value, for example --scopes \"read write follow\"");
                    return 2;
                }
                scopes = args[++i];
            }
            else if (a.StartsWith("--scopes=", StringComparison.Ordinal))
            {
                scopes = a["--scopes=".Length..];
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                settings.Add(a);
                if (!a.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    settings.Add(args[++i]);
                }
            }
            else if (handle is null)
            {
                handle = a.TrimStart('@');
            }
            else
            {
                await stderr.WriteLineAsync($"Unexpected argument '{a}': give one HANDLE");
                return 2;
            }
        }
        if (string.IsNullOrEmpty(handle))
        {
            await stderr.WriteLineAsync("Give the HANDLE of the account the token is for");
            return 2;
        }
        var parsed = ApiScopes.Parse(scopes);
        if (parsed.Length == 0 || parsed.FirstOrDefault(s => !ApiScopes.IsKnown(s)) is { } unknown && unknown is not null)
        {
            await stderr.WriteLineAsync($"--scopes must name scopes such as read, write, follow, push, profile, read:statuses (got '{scopes}')");
            return 2;
        }
        await using var host = DrawbridgeHost.Build([.. settings]);
        await DatabaseSetup.MigrateAsync(host.Services);
        await using var scope = host.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<AccountService>().FindByHandleAsync(handle, CancellationToken.None);
        var user = account is null ? null : await scope.ServiceProvider.GetRequiredService<UserManager<User>>().Users.FirstOrDefaultAsync(u => u.AccountId == account.Id);
        if (account is null || user is null || account.DeletionRequestedAt is not null)
        {
            await stderr.WriteLineAsync($"No account @{handle} that a person signs in to");
            return 1;
        }
        var token = await scope.ServiceProvider.GetRequiredService<AccessTokenService>().IssueAsync(user, "Command line", string.Join(' ', parsed), null, CancellationToken.None);
        await stdout.WriteLineAsync(token);
        return 0;
    }

    /// <summary>
    /// <c>accounts role HANDLE moderator|admin [--remove]</c>: how an operator makes the first admin (who then grants roles
    /// at /admin/roles). The change is audited as the account's own.
    /// </summary>
    private static async Task<int> RoleAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var words = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var settings = args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--remove").ToArray();
        var remove = args.Contains("--remove");
        if (words.Count != 2 || !Web.Moderators.Roles.Contains(words[1]))
        {
            await stderr.WriteLineAsync("Usage: accounts role HANDLE moderator|admin [--remove] [settings such as --Drawbridge:DataDirectory=DIR]");
            return 2;
        }
        await using var host = DrawbridgeHost.Build(settings);
        await DatabaseSetup.MigrateAsync(host.Services);
        await using var scope = host.Services.CreateAsyncScope();
        var handle = words[0].TrimStart('@');
        var account = await scope.ServiceProvider.GetRequiredService<AccountService>().FindByHandleAsync(handle, CancellationToken.None);
        if (account is null)
        {
            await stderr.WriteLineAsync($"No account @{handle} that a person signs in to");
            return 1;
        }
        var outcome = await scope.ServiceProvider.GetRequiredService<Moderation.ModerationService>().SetRoleAsync(account.Id, handle, words[1], !remove, CancellationToken.None);
        if (!outcome.Succeeded)
        {
            await stderr.WriteLineAsync(outcome.FirstError);
            return 1;
        }
        await stdout.WriteLineAsync(remove ? $"@{account.Handle} is no longer {words[1]}" : $"@{account.Handle} is now {words[1]}");
        return 0;
    }
}
