using Drawbridge.Federation;
using Drawbridge.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Admin;

/// <summary>The Identity role whose members run the server: they decide which other servers it talks to.</summary>
public static class Administrators
{
    public const string Role = "admin";
}

/// <summary>Other servers this one limits or suspends: administrators only.</summary>
[Authorize(Roles = Administrators.Role)]
public sealed class DomainsModel(DomainBlocks blocks) : DrawbridgePage
{
    public IReadOnlyList<DomainBlock> Blocks { get; private set; } = [];

    [BindProperty] public string? Domain { get; set; }
    [BindProperty] public string? Severity { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Blocks = await blocks.ListAsync(ct);

    public async Task<IActionResult> OnPostBlockAsync(CancellationToken ct)
    {
        var severity = Severity switch { "suspend" => DomainBlockSeverity.Suspend, "limit" => DomainBlockSeverity.Limit, _ => (DomainBlockSeverity)(-1) };
        var outcome = await blocks.BlockAsync(Domain ?? "", severity, Reason, ct);
        if (!outcome.Succeeded)
        {
            Errors.AddAll(outcome.Errors);
            Blocks = await blocks.ListAsync(ct);
            return Page();
        }
        Flash(severity == DomainBlockSeverity.Suspend
            ? $"{outcome.Value!.Domain} is suspended: nothing from it is accepted, and what was kept from it is removed."
            : $"{outcome.Value!.Domain} is limited: its posts stay out of public timelines.");
        return LocalRedirect("/admin/domains");
    }

    public async Task<IActionResult> OnPostUnblockAsync(string domain, CancellationToken ct)
    {
        if (!await blocks.UnblockAsync(domain, ct))
        {
            return NotFound();
        }
        Flash($"{domain} is no longer blocked.");
        return LocalRedirect("/admin/domains");
    }
}
