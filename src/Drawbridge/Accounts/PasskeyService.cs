using System.Buffers.Text;
using System.Globalization;
using Drawbridge.Data;
using Microsoft.AspNetCore.Identity;

namespace Drawbridge.Accounts;

/// <summary>
/// A passkey as its owner sees it in settings. <see cref="Id"/> is the credential id, base64url-encoded; <see cref="Synced"/>
/// says the device reported it backed up (a password manager that syncs between devices), not tied to one device.
/// </summary>
public sealed record PasskeyView(string Id, string Name, DateTime CreatedAt, bool Synced)
{
    public static PasskeyView Of(UserPasskeyInfo p) =>
        new(Base64Url.EncodeToString(p.CredentialId), string.IsNullOrEmpty(p.Name) ? "Passkey" : p.Name, p.CreatedAt.UtcDateTime, p.IsBackedUp);
}

/// <summary>
/// A person's passkeys (WebAuthn credentials), with ASP.NET Core Identity doing the ceremony: options for the browser,
/// attestation checked by <see cref="SignInManager{TUser}"/>, credentials kept by the Identity store.
/// The browser half is wwwroot/js/passkeys.mjs.
/// </summary>
public sealed partial class PasskeyService(UserManager<User> users, SignInManager<User> signIn, Mailer mailer, TimeProvider time, ILogger<PasskeyService> logger)
{
    public const int MaxNameLength = 100;

    public const string ExpiredMessage = "The passkey request expired or was already used. Try again";

    public async Task<IReadOnlyList<PasskeyView>> ListAsync(User user)
    {
        var passkeys = await users.GetPasskeysAsync(user);
        return passkeys
            .OrderBy(p => p.CreatedAt)
            .Select(PasskeyView.Of)
            .ToList();
    }

    public async Task<PasskeyView?> FindAsync(User user, string id) =>
        DecodeId(id) is { } credentialId && await users.GetPasskeyAsync(user, credentialId) is { } p
            ? PasskeyView.Of(p)
            : null;

    /// <summary>Options for navigator.credentials.create(); the challenge is kept by Identity (in a short-lived cookie) for <see cref="AddAsync"/>.</summary>
    public Task<string> CreationOptionsAsync(User user) =>
        signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = user.Id.ToString(CultureInfo.InvariantCulture),
            // What the browser's passkey picker shows: the email address is what the person signs in with.
            Name = user.Email ?? user.UserName ?? "",
            DisplayName = user.Email ?? user.UserName ?? "",
        });

    /// <summary>Checks the browser's new credential against the challenge and stores it, or says why not (nothing is stored then).</summary>
    public async Task<Outcome<PasskeyView>> AddAsync(User user, string? credentialJson, string? name)
    {
        name = name?.Trim();
        if (name?.Length > MaxNameLength)
        {
            return Outcome<PasskeyView>.Invalid("name", $"Name must be {MaxNameLength} characters or fewer");
        }
        if (string.IsNullOrWhiteSpace(credentialJson))
        {
            return Outcome<PasskeyView>.Invalid("", "Your browser didn't send a passkey. Try again");
        }
        PasskeyAttestationResult attestation;
        try
        {
            attestation = await signIn.PerformPasskeyAttestationAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // Identity keeps the challenge for five minutes, in a cookie: it has expired, or was used already (a second submit).
            return Outcome<PasskeyView>.Invalid("", ExpiredMessage);
        }
        if (!attestation.Succeeded)
        {
            LogRefused(logger, "attestation", user.Id, attestation.Failure.Message);
            return Outcome<PasskeyView>.Invalid("", "We couldn't check the new passkey, so it hasn't been added. Try again");
        }
        // The challenge was made for whoever was signed in then: make sure that is still this person.
        if (attestation.UserEntity.Id != user.Id.ToString(CultureInfo.InvariantCulture))
        {
            return Outcome<PasskeyView>.Invalid("", "That passkey was made for a different account, so it hasn't been added. Try again");
        }
        var passkey = attestation.Passkey;
        passkey.Name = string.IsNullOrEmpty(name) ? DefaultName(time.GetUtcNow()) : name;
        var stored = await users.AddOrUpdatePasskeyAsync(user, passkey);
        if (!stored.Succeeded)
        {
            LogRefused(logger, "storing", user.Id, string.Join("; ", stored.Errors.Select(e => e.Description)));
            return Outcome<PasskeyView>.Invalid("", "The passkey couldn't be saved. Try again");
        }
        // As GitHub and banks do: a new way into the account is worth an email, in case it wasn't them.
        await mailer.SendAsync(user.Email!, "A passkey was added to your Drawbridge account",
            $"A passkey called \"{passkey.Name}\" was added to your Drawbridge account.\n\nIf this wasn't you, sign in, remove it in Settings > Passkeys, and change your password.", default);
        return Outcome<PasskeyView>.Ok(PasskeyView.Of(passkey));
    }

    public async Task<Outcome<PasskeyView>> RenameAsync(User user, string id, string? name)
    {
        name = name?.Trim();
        if (DecodeId(id) is not { } credentialId || await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return Outcome<PasskeyView>.NotFound("No such passkey");
        }
        if (string.IsNullOrEmpty(name))
        {
            return Outcome<PasskeyView>.Invalid("name", "Enter a name for the passkey");
        }
        if (name.Length > MaxNameLength)
        {
            return Outcome<PasskeyView>.Invalid("name", $"Name must be {MaxNameLength} characters or fewer");
        }
        passkey.Name = name;
        var stored = await users.AddOrUpdatePasskeyAsync(user, passkey);
        return stored.Succeeded
            ? Outcome<PasskeyView>.Ok(PasskeyView.Of(passkey))
            : Outcome<PasskeyView>.Invalid("name", "The name couldn't be saved. Try again");
    }

    public async Task<Outcome<PasskeyView>> RemoveAsync(User user, string id)
    {
        if (DecodeId(id) is not { } credentialId || await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return Outcome<PasskeyView>.NotFound("No such passkey");
        }
        var removed = await users.RemovePasskeyAsync(user, credentialId);
        return removed.Succeeded
            ? Outcome<PasskeyView>.Ok(PasskeyView.Of(passkey))
            : Outcome<PasskeyView>.Invalid("", "The passkey couldn't be removed. Try again");
    }

    /// <summary>What a browser's refusal (the DOMException name the script reports) means to the person, in plain words.</summary>
    public static string BrowserRefusal(string? code, bool adding) => code switch
    {
        "NotAllowedError" => adding
            ? "The passkey wasn't made: it was cancelled, or took too long. Try again"
            : "No passkey was used: it was cancelled, or took too long. Try again, or sign in with your email address and password",
        "InvalidStateError" => "This device already has a passkey for your account. You only need one passkey on each device",
        "SecurityError" => "Your browser won't use a passkey on this web address. Passkeys need a secure (https) address that matches this site",
        "NotSupportedError" => "This device or browser can't make a passkey we can use",
        "AbortError" => adding ? "Making the passkey was stopped. Try again" : "Signing in with a passkey was stopped. Try again",
        _ => adding
            ? "Your browser couldn't make a passkey. Try again, or use another device"
            : "Your browser couldn't use a passkey. Try again, or sign in with your email address and password",
    };

    private static string DefaultName(DateTimeOffset now) =>
        "Passkey added " + now.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    private static byte[]? DecodeId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 2048)
        {
            return null;
        }
        try
        {
            return Base64Url.DecodeFromChars(id);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Passkey {Step} refused for user {UserId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string step, long userId, string reason);
}
