using Drawbridge.Moderation;
using Drawbridge.Web;

namespace Drawbridge.Pages;

/// <summary>The public moderation log: anyone may read it; it holds no personal data.</summary>
public sealed class ModerationLogModel(ModerationService moderation) : DrawbridgePage
{
    public const int PageSize = 50;

    public IReadOnlyList<PublicLogEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(long? before, CancellationToken ct) => Entries = await moderation.PublicLogAsync(before, PageSize, ct);
}
