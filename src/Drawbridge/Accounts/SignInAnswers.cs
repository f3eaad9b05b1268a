using Microsoft.AspNetCore.Identity;

namespace Drawbridge.Accounts;

/// <summary>
/// Sign-in answers that don't say which emails have accounts: an unknown email costs the same password hash check
/// as a known one, and "locked" or "confirm your email" is said only to someone who gave the right password.
/// </summary>
public static class SignInAnswers
{
    public const string Wrong = "The email address or password is not right";

    private static readonly Lazy<(PasswordHasher<User> Hasher, string Hash)> Dummy = new(() =>
    {
        var hasher = new PasswordHasher<User>();
        return (hasher, hasher.HashPassword(new User(), Guid.NewGuid().ToString("N")));
    });

    /// <summary>Spends the time of a password check for an email with no account.</summary>
    public static void CheckAgainstNobody(string? password) =>
        Dummy.Value.Hasher.VerifyHashedPassword(new User(), Dummy.Value.Hash, password ?? "");

    /// <summary>Whether the password is right, without counting towards lockout (used only to decide what to say).</summary>
    public static Task<bool> PasswordIsRightAsync(UserManager<User> users, User user, string? password) =>
        Task.FromResult(user.PasswordHash is not null
            && users.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash, password ?? "") != PasswordVerificationResult.Failed);
}
