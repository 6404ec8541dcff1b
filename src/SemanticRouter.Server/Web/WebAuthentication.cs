using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SemanticRouter.Server.Web;

/// <summary>
/// Who may do what on the web page: a browser signs in once with a key and gets a cookie
/// (<see cref="CookieScheme"/>); a script sends <c>Authorization: Bearer &lt;key&gt;</c> on each request
/// (<see cref="BearerScheme"/>). <see cref="Scheme"/> picks one per request: Bearer when the header is there,
/// else the cookie. The page's two policies, <see cref="ReadPolicy"/> and <see cref="AdminPolicy"/>, are here and
/// only here; the keys' meaning is <see cref="WebKeys"/>'s.
/// </summary>
internal static class WebAuthentication
{
    /// <summary>The scheme the policies authenticate with (forwards to the cookie or Bearer scheme).</summary>
    public const string Scheme = "SemanticRouter.Web";

    public const string CookieScheme = "SemanticRouter.Web.Cookie";

    public const string BearerScheme = "SemanticRouter.Web.Bearer";

    /// <summary>Look and rank: anyone when no key is configured, else whoever holds the API or the admin key.</summary>
    public const string ReadPolicy = "SemanticRouter.Web.Read";

    /// <summary>Change what is served: whoever holds the admin key (nobody when none is configured).</summary>
    public const string AdminPolicy = "SemanticRouter.Web.Admin";

    /// <summary>The role claim of a holder of the admin key (the API key's holder has <see cref="ReaderRole"/>).</summary>
    public const string AdminRole = "admin";

    public const string ReaderRole = "reader";

    /// <summary>The principal of someone who presented a key that opens <paramref name="access"/> (not <see cref="WebAccess.None"/>).</summary>
    public static ClaimsPrincipal Principal(WebAccess access, string scheme)
    {
        var role = access == WebAccess.Admin ? AdminRole : ReaderRole;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], scheme);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>Whether <paramref name="user"/> may write (the admin key was presented).</summary>
    public static bool IsAdmin(ClaimsPrincipal user) => user?.IsInRole(AdminRole) == true;

    public static void AddPolicies(AuthorizationOptions options)
    {
        options.AddPolicy(ReadPolicy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .AddRequirements(new ReadRequirement()));
        options.AddPolicy(AdminPolicy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireRole(AdminRole));
    }

    /// <summary>Reading is open when no key is configured; otherwise it needs a signed-in reader or admin.</summary>
    internal sealed class ReadRequirement : IAuthorizationRequirement;

    internal sealed class ReadRequirementHandler(WebKeys keys) : AuthorizationHandler<ReadRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadRequirement requirement)
        {
            if (!keys.SignInRequired || context.User.IsInRole(ReaderRole) || context.User.IsInRole(AdminRole))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary><c>Authorization: Bearer &lt;key&gt;</c> on each request, for scripts; 401 with <c>WWW-Authenticate: Bearer</c> when missing or wrong.</summary>
    internal sealed class BearerKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, WebKeys keys)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        private const string Prefix = "Bearer ";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? header = Request.Headers.Authorization;
            if (header is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(AuthenticateResult.Fail("authorization must be 'Bearer <key>'."));
            }

            var access = keys.Classify(header.AsSpan(Prefix.Length).Trim());
            return Task.FromResult(access == WebAccess.None
                ? AuthenticateResult.Fail("invalid key.")
                : AuthenticateResult.Success(new AuthenticationTicket(Principal(access, Scheme.Name), Scheme.Name)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = 401;
            Response.Headers.WWWAuthenticate = "Bearer";
            return Task.CompletedTask;
        }
    }
}
