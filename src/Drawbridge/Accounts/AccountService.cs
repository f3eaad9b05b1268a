using System.Net.Mail;
using System.Text.RegularExpressions;
using Drawbridge.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Drawbridge.Accounts;

public sealed record SignUpInput(string Handle, string DisplayName, string Email, string Password, AccountKind Kind, string? Profession = null, string? Employer = null);

public sealed record ProfileInput(string DisplayName, string Bio, string? Profession, string? Employer, IReadOnlyList<ProfileLink> Links);

public sealed partial class AccountService(DrawbridgeDb db, UserManager<User> users, Snowflake ids, TimeProvider clock, Events.DomainEvents events)
{
    /// <summary>Words that are addresses of their own and so can't be handles.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "admin", "administrator", "api", "auth", "about", "account", "accounts", "compose", "drafts", "explore", "health",
        "help", "home", "lib", "local", "login", "logout", "media", "metrics", "moderation", "notifications", "oauth",
        "openapi", "public", "root", "search", "settings", "signin", "signup", "support", "system", "tags", "well_known",
        "drawbridge", "staff", "moderator", "null", "undefined",
    };

    public static string HandleKey(string handle) => handle.Trim().TrimStart('@').ToLowerInvariant();

    public static string? ValidateHandle(string? handle)
    {
        if (string.IsNullOrWhiteSpace(handle))
        {
            return "Enter a handle";
        }
        var h = handle.Trim().TrimStart('@');
        if (!HandlePattern().IsMatch(h))
        {
            return "Handle must be 2 to 30 characters: letters, numbers and underscores only";
        }
        return Reserved.Contains(h) ? $"The handle @{h} is reserved" : null;
    }

    public async Task<Outcome<Account>> SignUpAsync(SignUpInput input, CancellationToken ct)
    {
        var errors = new ErrorBag();
        if (ValidateHandle(input.Handle) is { } handleError)
        {
            errors.Add("handle", handleError);
        }
        var displayName = input.DisplayName?.Trim() ?? "";
        if (displayName.Length is 0 or > 100)
        {
            errors.Add("displayName", "Enter a display name of up to 100 characters");
        }
        if (!IsEmail(input.Email))
        {
            errors.Add("email", "Enter an email address in the correct format, like name@example.com");
        }
        if (input.Kind == AccountKind.Organisation)
        {
            errors.Add("kind", "Organisation accounts are created by their admins, not by sign-up");
        }
        if (input.Kind == AccountKind.Professional && string.IsNullOrWhiteSpace(input.Profession))
        {
            errors.Add("profession", "Enter your profession, for example Staff nurse");
        }
        // Checked here too (Identity checks it again) so every mistake is reported at once.
        var minimum = users.Options.Password.RequiredLength;
        if ((input.Password?.Length ?? 0) < minimum)
        {
            errors.Add("password", $"Enter a password of at least {minimum} characters");
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Account>();
        }
        var handle = input.Handle.Trim().TrimStart('@');
        var key = HandleKey(handle);
        if (await db.Accounts.AnyAsync(a => a.HandleKey == key && a.Domain == null, ct))
        {
            return Outcome<Account>.Conflict("handle", $"The handle @{handle} is already taken");
        }
        if (await users.FindByEmailAsync(input.Email.Trim()) is not null)
        {
            return Outcome<Account>.Conflict("email", "An account with this email address already exists. Sign in or reset your password");
        }

        var account = new Account
        {
            Id = ids.Next(),
            Handle = handle,
            HandleKey = key,
            Domain = null,
            DisplayName = displayName,
            Kind = input.Kind,
            Profession = input.Kind == AccountKind.Professional ? input.Profession?.Trim() : null,
            Employer = input.Kind == AccountKind.Professional ? input.Employer?.Trim() : null,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        // Account and user are written together or not at all.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(ct);
        var user = new User { UserName = key, Email = input.Email.Trim(), AccountId = account.Id };
        var created = await users.CreateAsync(user, input.Password ?? "");
        if (!created.Succeeded)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var bag = new ErrorBag();
            foreach (var e in created.Errors)
            {
                bag.Add(e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : e.Code.Contains("Email", StringComparison.Ordinal) ? "email" : "", e.Description);
            }
            return bag.ToOutcome<Account>();
        }
        await tx.CommitAsync(ct);
        return Outcome<Account>.Ok(account);
    }

    public static bool IsEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 254)
        {
            return false;
        }
        return MailAddress.TryCreate(email.Trim(), out var parsed) && parsed.Address == email.Trim() && parsed.Host.Contains('.', StringComparison.Ordinal);
    }

    /// <summary>A local account by its handle: local pages and feeds never show a remote account under a bare handle.</summary>
    public Task<Account?> FindByHandleAsync(string handle, CancellationToken ct)
    {
        var key = HandleKey(handle);
        return db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.HandleKey == key && a.Domain == null && a.DeletionRequestedAt == null, ct);
    }

    public Task<Account?> FindAsync(long id, CancellationToken ct) =>
        db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);

    public async Task<Outcome<Account>> UpdateProfileAsync(long accountId, ProfileInput input, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null)
        {
            return Outcome<Account>.NotFound("Account not found");
        }
        var errors = new ErrorBag();
        var displayName = input.DisplayName?.Trim() ?? "";
        if (displayName.Length is 0 or > 100)
        {
            errors.Add("displayName", "Enter a display name of up to 100 characters");
        }
        if ((input.Bio?.Length ?? 0) > 1000)
        {
            errors.Add("bio", "Bio must be 1,000 characters or fewer");
        }
        if ((input.Profession?.Length ?? 0) > 100)
        {
            errors.Add("profession", "Profession must be 100 characters or fewer");
        }
        if ((input.Employer?.Length ?? 0) > 200)
        {
            errors.Add("employer", "Employer must be 200 characters or fewer");
        }
        if (input.Links.Count > 6)
        {
            errors.Add("links", "Add up to 6 links");
        }
        foreach (var link in input.Links)
        {
            if (!IsSafeHttpUrl(link.Url))
            {
                errors.Add("links", $"Link \"{link.Label}\" must be a full web address starting with https:// or http://");
            }
            if (link.Label.Length is 0 or > 50)
            {
                errors.Add("links", "Each link needs a label of up to 50 characters");
            }
        }
        if (errors.Any)
        {
            return errors.ToOutcome<Account>();
        }
        account.DisplayName = displayName;
        account.Bio = input.Bio?.Trim() ?? "";
        if (account.Kind == AccountKind.Professional)
        {
            account.Profession = input.Profession?.Trim();
            account.Employer = input.Employer?.Trim();
        }
        account.Links = ProfileLink.Format(input.Links.Select(l => l with { Label = l.Label.Trim(), Url = l.Url.Trim() }));
        await events.RaiseAsync(db, new Events.AccountUpdated(accountId), ct);
        await db.SaveChangesAsync(ct);
        return Outcome<Account>.Ok(account);
    }

    /// <summary>Sets the avatar or the profile header to an image the account uploaded.</summary>
    public async Task<Outcome<Account>> SetPictureAsync(long accountId, long mediaId, bool header, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId && a.Domain == null, ct);
        if (account is null)
        {
            return Outcome<Account>.NotFound("Account not found");
        }
        if (!await db.Media.AnyAsync(m => m.Id == mediaId && m.OwnerId == accountId && m.PostId == null && m.Kind == Media.MediaKind.Image, ct))
        {
            return Outcome<Account>.Invalid(header ? "header" : "avatar", "The picture must be an image you uploaded");
        }
        if (header)
        {
            account.HeaderMediaId = mediaId;
        }
        else
        {
            account.AvatarMediaId = mediaId;
        }
        await events.RaiseAsync(db, new Events.AccountUpdated(accountId), ct);
        await db.SaveChangesAsync(ct);
        return Outcome<Account>.Ok(account);
    }

    /// <summary>A locked account approves each follower: new follows become requests (existing followers stay).</summary>
    public async Task<Outcome<Account>> SetLockedAsync(long accountId, bool locked, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId && a.Domain == null, ct);
        if (account is null)
        {
            return Outcome<Account>.NotFound("Account not found");
        }
        account.Locked = locked;
        await events.RaiseAsync(db, new Events.AccountUpdated(accountId), ct);
        await db.SaveChangesAsync(ct);
        return Outcome<Account>.Ok(account);
    }

    public static bool IsSafeHttpUrl(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && url!.Length <= 500;

    /// <summary>Starts the grace period; the account disappears from public view at once and is removed later.</summary>
    public async Task RequestDeletionAsync(long accountId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Accounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.DeletionRequestedAt, clock.GetUtcNow().UtcDateTime), ct);
        await events.RaiseAsync(db, new Events.AccountUpdated(accountId), ct);
        await tx.CommitAsync(ct);
    }

    public async Task CancelDeletionAsync(long accountId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Accounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.DeletionRequestedAt, (DateTime?)null), ct);
        await events.RaiseAsync(db, new Events.AccountUpdated(accountId), ct);
        await tx.CommitAsync(ct);
    }

    [GeneratedRegex("^[A-Za-z0-9_]{2,30}$", RegexOptions.CultureInvariant)]
    private static partial Regex HandlePattern();
}
