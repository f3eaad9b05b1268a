using Drawbridge.Web;
using Microsoft.AspNetCore.Mvc;

namespace Drawbridge.Pages;

/// <summary>Friendly pages for errors and status codes (the exception handler and status-code pages re-execute here).</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : DrawbridgePage
{
    public string Heading { get; private set; } = "Sorry, there is a problem with the service";
    public string Explanation { get; private set; } = "Try again later.";

    public void OnGet() => Describe();

    public void OnPost() => Describe();

    private void Describe()
    {
        // Read from the route, not bound: binding reads a form body too, and an unreadable one would leave the code empty.
        int? code = int.TryParse(HttpContext.GetRouteValue("code") as string, out var parsed) ? parsed : null;
        // Only real error statuses: the code comes from the address, which anyone can type.
        var status = code is >= 400 and <= 599 ? code.Value : StatusCodes.Status500InternalServerError;
        (Heading, Explanation) = status switch
        {
            404 => ("Page not found", "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address. The post or account may also have been deleted."),
            403 => ("You can't do that", "You don't have permission to see this page or do this."),
            400 => ("Sorry, we couldn't do that", "The form may have expired. Go back, refresh the page and try again."),
            405 => ("Sorry, we couldn't do that", "Go back and try again."),
            429 => ("You're doing that too often", "Wait a little and try again."),
            _ => ("Sorry, there is a problem with the service", "Try again later. What you typed may not have been saved."),
        };
        Response.StatusCode = status;
    }
}
