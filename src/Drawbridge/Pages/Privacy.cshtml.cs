using Drawbridge.Data;
using Drawbridge.Web;
using Microsoft.Extensions.Options;

namespace Drawbridge.Pages;

/// <summary>What the server keeps, why and for how long: public.</summary>
public sealed class PrivacyModel(IOptions<DrawbridgeOptions> options) : DrawbridgePage
{
    public int GraceDays => options.Value.DeletionGraceDays;

    public void OnGet()
    {
    }
}
