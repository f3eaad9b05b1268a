using Drawbridge.Search;
using Drawbridge.Web;

namespace Drawbridge.Pages;

public sealed class SearchModel(SearchService search) : DrawbridgePage
{
    public const int PageSize = 20;
    public string? Q { get; private set; }
    public string Order { get; private set; } = "newest";
    public int Offset { get; private set; }
    public int? NextOffset { get; private set; }
    public SearchResults? Results { get; private set; }

    public async Task OnGetAsync(string? q, string? order, int? offset, CancellationToken ct)
    {
        Q = q?.Trim();
        Order = order == "relevance" ? "relevance" : "newest";
        Offset = Math.Clamp(offset ?? 0, 0, 1000);
        if (string.IsNullOrWhiteSpace(Q))
        {
            return;
        }
        Results = await search.SearchAsync(Q, Order == "relevance" ? SearchOrder.Relevance : SearchOrder.Newest, Me, PageSize, Offset, ct);
        NextOffset = Results.Posts.Count >= PageSize && Offset + PageSize <= 1000 ? Offset + PageSize : null;
    }
}
