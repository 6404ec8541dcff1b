using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace SemanticRouter.Server.Web;

/// <summary>
/// Where the page's cookie and antiforgery keys live: in memory, for the life of the process. Nothing is
/// written to the user's profile (ASP.NET Core's default), and a restart signs everyone out.
/// </summary>
internal sealed class InMemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _gate = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        lock (_gate)
        {
            _elements.Add(new XElement(element));
        }
    }
}
