using Drawbridge.Web;

namespace Drawbridge.Pages;

/// <summary>The server's rules and how moderation works: public.</summary>
public sealed class AboutModel : DrawbridgePage
{
    public void OnGet()
    {
    }
}
