using Drawbridge.Accounts;
using Drawbridge.Data;
using Drawbridge.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Drawbridge.Pages.Auth;

[EnableRateLimiting("sign-up")]
public sealed class SignUpModel(AccountService accounts, UserManager<User> users, AccountMail mail) : DrawbridgePage
{
    [BindProperty] public string? Kind { get; set; } = "member";
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Handle { get; set; }
    [BindProperty] public string? Profession { get; set; }
    [BindProperty] public string? Employer { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    public bool Sent { get; private set; }

    public void OnGet(bool sent) => Sent = sent;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var kind = Kind == "professional" ? AccountKind.Professional : AccountKind.Member;
        if (Kind is not ("member" or "professional"))
        {
            Errors.Add("kind", "Select whether you are a member of the public or a professional");
        }
        if (Errors.Any)
        {
            return Page();
        }
        var outcome = await accounts.SignUpAsync(new SignUpInput(Handle ?? "", DisplayName ?? "", Email ?? "", Password ?? "", kind, Profession, Employer), ct);
        if (Refused(outcome) is { } refused)
        {
            return refused;
        }
        var user = await users.FindByEmailAsync(Email!.Trim());
        if (user is not null)
        {
            await mail.SendConfirmationAsync(user, mail.BaseUrl(Request), ct);
        }
        return LocalRedirect("/auth/sign-up?sent=true");
    }
}
