using System.Globalization;
using Drawbridge.Accounts;
using Drawbridge.Social;
using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

/// <summary>
/// Who follows a local account, and whom it follows, page by page: the accepted follows only, newest first, each
/// person linked to their profile here (those on other servers as user@domain).
/// </summary>
public sealed class ConnectionsModel(AccountService accounts, FollowService follows) : DrawbridgePage
{
    public const int MaxPage = 500;

    public Account Account { get; private set; } = null!;
    public bool Followers { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public IReadOnlyList<Account> People { get; private set; } = [];
    public bool More { get; private set; }

    public string Href(int page) => $"/@{Account.Handle}/{(Followers ? "followers" : "following")}" + (page == 1 ? "" : "?page=" + page.ToString(CultureInfo.InvariantCulture));

    public async Task<IActionResult> OnGetAsync(string handle, string list, [FromQuery(Name = "page")] string? page, CancellationToken ct)
    {
        if (await accounts.FindByHandleAsync(handle, ct) is not { IsLocal: true } account)
        {
            return NotFound();
        }
        if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > MaxPage))
        {
            return new ContentResult { StatusCode = StatusCodes.Status400BadRequest, ContentType = "text/plain; charset=utf-8", Content = $"The page number must be a whole number from 1 to {MaxPage}." };
        }
        Account = account;
        Followers = list == "followers";
        PageNumber = page is null ? 1 : int.Parse(page, CultureInfo.InvariantCulture);
        (var people, More) = await follows.ListPageAsync(account.Id, Followers, PageNumber, ct);
        People = people;
        More = More && PageNumber < MaxPage;
        return Page();
    }
}
