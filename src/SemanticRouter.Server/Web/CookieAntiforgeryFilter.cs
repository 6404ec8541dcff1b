using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace SemanticRouter.Server.Web;

/// <summary>
/// Every form post from a browser carries the antiforgery token (the form tag helper adds it); a post
/// without a valid one gets 400 before its handler runs. A request with an <c>Authorization</c> header is
/// authenticated by that header alone (never by the cookie), and a page on another site cannot add the
/// header to a cross-site request, so such a request needs no token: that is how scripts post with a Bearer key.
/// </summary>
internal sealed class CookieAntiforgeryFilter(IAntiforgery antiforgery) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !request.Headers.ContainsKey("Authorization")
            && !await antiforgery.IsRequestValidAsync(context.HttpContext).ConfigureAwait(false))
        {
            context.Result = new BadRequestObjectResult("The form has expired or did not come from this page: reload the page and try again.");
            return;
        }

        await next().ConfigureAwait(false);
    }
}
