using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Drawbridge.Web;

/// <summary>
/// A page sent a form body the framework cannot decode (a NUL or a malformed escape in a value) is answered 400 with
/// what was wrong, before model binding meets it: binding would otherwise leave every value empty and the page
/// would go on as if nothing had been typed. Runs after the request size limits, which are resource filters too.
/// </summary>
public sealed class UnreadableFormFilter : IAsyncResourceFilter, IOrderedFilter
{
    public int Order => 0;

    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.HasFormContentType)
        {
            try
            {
                await request.ReadFormAsync(context.HttpContext.RequestAborted);
            }
            catch (InvalidDataException e)
            {
                context.Result = new ContentResult
                {
                    StatusCode = StatusCodes.Status400BadRequest,
                    ContentType = "text/plain; charset=utf-8",
                    Content = $"The request could not be read. The form could not be read: {e.Message}",
                };
                return;
            }
        }
        await next();
    }
}
