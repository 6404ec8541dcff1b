using Microsoft.AspNetCore.Mvc.RazorPages;
using SemanticRouter.Insight;

namespace SemanticRouter.Server.Web.Pages;

/// <summary>The index now serving (<see cref="IRouterInsight.DescribeIndex"/>), and the reload button.</summary>
internal sealed class IndexInfoModel(IServiceProvider services, WebKeys keys) : PageModel
{
    public IndexDescription? Index { get; private set; }

    public bool CanWrite => keys.AdminConfigured && WebAuthentication.IsAdmin(User);

    public bool AdminConfigured => keys.AdminConfigured;

    public void OnGet() => Index = (services.GetService(typeof(IRouterInsight)) as IRouterInsight)?.DescribeIndex();
}
