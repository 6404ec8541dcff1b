using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Web;

/// <summary>
/// The web page (Razor Pages under <c>/ui</c>, docs/web.md): registered only when <see cref="WebOptions.Enabled"/>,
/// served on the HTTP port beside <c>/metrics</c>. It reads through the contract (<see cref="ISemanticRouter"/>) and
/// <c>IRouterInsight</c>, and writes through <c>AdminActions</c>, like the gRPC service.
/// </summary>
public static class WebSetup
{
    /// <summary>The path every page and asset is under.</summary>
    public const string PathBase = "/ui";

    /// <summary>Reads <c>SemanticRouter:Web</c>; when enabled, registers the pages, their sign-in and their policies. Returns whether it did.</summary>
    public static bool AddSemanticRouterWeb(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SettingNames.Section).GetSection(WebOptions.Section);
        services.AddOptions<WebOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebOptions>, WebOptionsValidator>();
        if (!section.GetValue<bool>(nameof(WebOptions.Enabled)))
        {
            return false;
        }

        services.AddSingleton<WebKeys>();
        services.AddSingleton<IAuthorizationHandler, WebAuthentication.ReadRequirementHandler>();
        // Sign-ins live as long as the process: their keys are never written to disk, and a restart signs everyone out.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(keys =>
        {
            keys.XmlRepository = new InMemoryKeyRepository();
            keys.XmlEncryptor = new NullXmlEncryptor(); // nothing at rest to encrypt
        });
        // No default scheme: gRPC calls are never authenticated here (the interceptor does that); only the
        // pages' policies name WebAuthentication.Scheme.
        services.AddAuthentication()
            .AddPolicyScheme(WebAuthentication.Scheme, null, policy =>
                policy.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey("Authorization")
                    ? WebAuthentication.BearerScheme
                    : WebAuthentication.CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, WebAuthentication.BearerKeyHandler>(WebAuthentication.BearerScheme, _ => { })
            .AddCookie(WebAuthentication.CookieScheme, _ => { });
        services.AddOptions<CookieAuthenticationOptions>(WebAuthentication.CookieScheme).Configure<IOptions<WebOptions>>((cookie, web) =>
        {
            cookie.Cookie.Name = "semantic-router-ui";
            cookie.Cookie.Path = PathBase;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = web.Value.SignInLifetime;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = PathBase + "/signin";
            cookie.AccessDeniedPath = PathBase + "/signin";
            cookie.ReturnUrlParameter = "returnUrl";
        });
        services.AddAuthorization(WebAuthentication.AddPolicies);
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "semantic-router-ui-af";
            antiforgery.Cookie.Path = PathBase;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddRazorPages(pages =>
            {
                pages.RootDirectory = "/Web/Pages";
                pages.Conventions.AuthorizeFolder("/", WebAuthentication.ReadPolicy);
                pages.Conventions.AuthorizeFolder("/Admin", WebAuthentication.AdminPolicy);
                pages.Conventions.AllowAnonymousToPage("/SignIn");
                // CookieAntiforgeryFilter replaces the automatic check, so a Bearer script can post without a token.
                pages.Conventions.ConfigureFilter(new IgnoreAntiforgeryTokenAttribute());
                pages.Conventions.ConfigureFilter(new ServiceFilterAttribute(typeof(CookieAntiforgeryFilter)));
            })
            // Only this assembly's pages, whichever assembly the process started from.
            .ConfigureApplicationPartManager(parts => parts.ApplicationParts.Clear())
            .AddApplicationPart(typeof(WebSetup).Assembly);
        services.AddSingleton<CookieAntiforgeryFilter>();
        return true;
    }

    /// <summary>Maps the pages and their assets, with the page's limits and headers, when the web page is enabled.</summary>
    public static WebApplication MapSemanticRouterWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var web = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
        if (!web.Enabled)
        {
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments(PathBase), branch => branch.Use(async (context, next) =>
        {
            // A body over the limit is refused before anything reads it (declared length), or as soon as a
            // read passes the limit (chunked): 413 either way, not the 500 of an exception in a page.
            if (context.Request.ContentLength > web.MaxRequestBodyBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            {
                body.MaxRequestBodySize = web.MaxRequestBodyBytes;
            }

            var headers = context.Response.Headers;
            // Nothing but this server: no CDN, no inline script or style; no framing.
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = e.StatusCode;
            }
        }));
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        MapAsset(app, "site.css", "text/css; charset=utf-8");
        MapAsset(app, "icon.svg", "image/svg+xml");
        return app;
    }

    // The page's assets are embedded in this assembly and served from it: nothing to deploy beside the binary.
    private static void MapAsset(WebApplication app, string name, string contentType)
    {
        byte[] bytes;
        using (var stream = typeof(WebSetup).Assembly.GetManifestResourceStream($"SemanticRouter.Server.Web.Assets.{name}")
            ?? throw new InvalidOperationException($"embedded asset {name} is missing"))
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }

        app.MapGet($"{PathBase}/assets/{name}", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(bytes, contentType);
        });
    }
}
