using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace SemanticRouter.Server.Web;

/// <summary>What every page shows the same way: numbers, and a refused call's HTTP status.</summary>
internal static class WebPage
{
    /// <summary>A number as `rank --json` rounds it for reading: invariant culture, <paramref name="digits"/> decimals.</summary>
    public static string Number(double value, int digits = 4) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A time in UTC, to the second.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The HTTP status of a refused call: the same refusal the gRPC service maps to a status of the same name.</summary>
    public static int StatusOf(RouterErrorCode code) => code switch
    {
        RouterErrorCode.NotFound => StatusCodes.Status404NotFound,
        RouterErrorCode.AlreadyExists => StatusCodes.Status409Conflict,
        RouterErrorCode.FailedPrecondition => StatusCodes.Status409Conflict,
        RouterErrorCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        RouterErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        RouterErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        RouterErrorCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Lines of a text box, trimmed, blank ones dropped.</summary>
    public static List<string> Lines(string? text) =>
        [.. (text ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
}
