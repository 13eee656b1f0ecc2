using Microsoft.Extensions.FileProviders;

namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// Serves the sign-in page and its scripts from <c>wwwroot</c> with a strict Content-Security-Policy:
/// scripts only from this origin (and Google's own Identity Services client, loaded on request).
/// </summary>
public static class GoogleSignInPages
{
    private const string GoogleIdentityServices = "https://accounts.google.com/gsi/";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/login.html", (HttpContext context, IWebHostEnvironment environment) =>
                Serve(context, environment.WebRootFileProvider, "login.html", "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/js/google-sign-in.js", (HttpContext context, IWebHostEnvironment environment) =>
                Serve(context, environment.WebRootFileProvider, "js/google-sign-in.js", "text/javascript; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
    }

    public static IResult Serve(HttpContext context, IFileProvider files, string path, string contentType)
    {
        var file = files.GetFileInfo(path);
        if (!file.Exists)
        {
            return TypedResults.NotFound();
        }

        var headers = context.Response.Headers;
        GoogleSignInResponses.NoStore(context.Response);
        // The sign-in page opens the popup; it may keep a handle to it, but no other site may keep one to this page.
        headers["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups";
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'self' {GoogleIdentityServices}client; connect-src 'self' {GoogleIdentityServices}; " +
            $"frame-src {GoogleIdentityServices}; style-src 'self' 'unsafe-inline' {GoogleIdentityServices}style; img-src 'self' data:; " +
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        return TypedResults.Stream(file.CreateReadStream(), contentType);
    }
}
