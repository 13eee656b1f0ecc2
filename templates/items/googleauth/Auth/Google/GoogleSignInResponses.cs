using Microsoft.AspNetCore.Mvc;

namespace AuthApiTemplate.Auth.Google;

/// <summary>The headers and error answers shared by the sign-in routes, the callback and the popup.</summary>
public static class GoogleSignInResponses
{
    /// <summary>
    /// Nothing about a sign-in is cached or leaks through a Referer, and the popup keeps its opener
    /// (a stricter opener policy would cut the window.opener link the login code travels over).
    /// </summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Cross-Origin-Opener-Policy"] = "unsafe-none";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    /// <summary>
    /// A browser (it asked for HTML) is sent back to the login page with a fixed error code; an API
    /// client gets a problem response carrying the same code.
    /// </summary>
    public static async Task FailAsync(HttpContext context, string code, string detail, int status)
    {
        NoStore(context.Response);
        var acceptsHtml = context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
        if (acceptsHtml)
        {
            context.Response.Redirect($"{SignInTargets.DefaultPage}?error={Uri.EscapeDataString(code)}");
            return;
        }

        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = "Google sign-in failed.",
                Detail = detail,
                Extensions = { ["error"] = code },
            },
        });
    }
}

/// <summary>
/// One warning per refused sign-in: a fixed reason code, the client address and the trace id the client
/// sees in the problem body; never a token, a code or anything else the caller sent.
/// </summary>
public static partial class GoogleSignInLog
{
    public static void Refused(HttpContext context, string reason)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AuthApiTemplate.Auth.Google");
        Refused(logger, reason, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier);
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Google sign-in refused ({Reason}), client {Client}, trace {TraceId}")]
    private static partial void Refused(ILogger logger, string reason, string client, string traceId);
}
