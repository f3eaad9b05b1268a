using Drawbridge.Data;
using Drawbridge.Social;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

/// <summary>Lists notifications and marks them read (the badge in the header counts the unread ones).</summary>
public sealed class NotificationsModel(NotificationService notifications) : DrawbridgePage
{
    public IReadOnlyList<NotificationView> Items { get; private set; } = [];
    public Pager Pager { get; private set; } = new(null, null);

    public async Task OnGetAsync([FromQuery(Name = "max_id")] long? maxId, [FromQuery(Name = "min_id")] long? minId, CancellationToken ct)
    {
        var request = new PageRequest(maxId, null, minId);
        Items = await notifications.ListAsync(MeRequired, request, ct);
        Pager = Pager.For("/notifications", new Dictionary<string, string?>(), Items.Select(n => n.Notification.Id).ToList(), request);
        await notifications.MarkAllReadAsync(MeRequired, ct);
    }
}
