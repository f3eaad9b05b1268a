using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages.OAuth;

/// <summary>Shows the code to apps that registered urn:ietf:wg:oauth:2.0:oob (nowhere to be sent back to). Anyone may open it: the code is in the address.</summary>
public sealed class NativeModel : DrawbridgePage
{
    [BindProperty(SupportsGet = true)] public string? Code { get; set; }

    public void OnGet()
    {
        if (Code is { Length: > 2000 })
        {
            Code = null;
        }
    }
}
