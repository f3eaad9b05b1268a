using Drawbridge.Accounts;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.Organisations;

/// <summary>The organisations you belong to, and a form to create one (professionals only).</summary>
public sealed class OrganisationsModel(OrganisationService organisations, AccountService accounts) : DrawbridgePage
{
    [BindProperty] public string? Handle { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Bio { get; set; }
    public IReadOnlyList<Account> Mine { get; private set; } = [];
    public bool CanCreate { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await organisations.CreateAsync(MeRequired, new OrganisationInput(Handle ?? "", DisplayName ?? "", Bio ?? ""), ct);
        await LoadAsync(ct);
        if (Refused(outcome) is { } refused)
        {
            return refused;
        }
        Flash($"{outcome.Value!.DisplayName} is on Drawbridge, and you are its admin. Add your colleagues as staff.");
        return LocalRedirect($"/organisations/{outcome.Value.Handle}/staff");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Mine = await organisations.OrganisationsOfAsync(MeRequired, ct);
        CanCreate = (await accounts.FindAsync(MeRequired, ct))?.Kind == AccountKind.Professional;
    }
}
