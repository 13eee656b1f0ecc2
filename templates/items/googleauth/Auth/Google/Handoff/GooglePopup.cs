using System.Text.Encodings.Web;
using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthApiTemplate.Auth.Google.Handoff;

/// <summary>
/// The end of the redirect flow in jwt mode. The page gets the login code in its body (never in a URL)
/// and posts it to the exact origin that started the sign-in; the opener trades it for tokens.
/// </summary>
public static class GooglePopup
{
    public static async Task<ContentHttpResult> ShowAsync(HttpContext context, SignInTargets targets, GoogleLoginCodes codes, CancellationToken cancellationToken)
    {
        GoogleSignInResponses.NoStore(context.Response);
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

        var handoff = await context.AuthenticateAsync(GoogleSignInMode.HandoffScheme);
        // The hand-off cookie serves one page view.
        await context.SignOutAsync(GoogleSignInMode.HandoffScheme);

        var origin = handoff.Properties?.Items.TryGetValue(TokenHandoffCompletion.OpenerOriginKey, out var saved) == true ? saved : null;
        if (origin is null || !targets.IsAllowedOrigin(origin, context.Request))
        {
            return Page(StatusCodes.Status400BadRequest, origin: null, code: null, error: "expired");
        }

        if (!handoff.Succeeded || !Guid.TryParse(handoff.Principal?.FindFirst(ApiClaimTypes.Subject)?.Value, out var userId)
            || handoff.Principal.FindFirst(GoogleSignInMode.HandoffIdClaim)?.Value is not { Length: > 0 } handoffId
            || !await codes.SpendHandoffAsync(handoffId, userId, cancellationToken))
        {
            return Page(StatusCodes.Status400BadRequest, origin, code: null, error: "expired");
        }

        var code = await codes.CreateAsync(userId, cancellationToken);
        return Page(StatusCodes.Status200OK, origin, code, error: null);
    }

    public static async Task<Results<Ok<TokenPair>, ProblemHttpResult, ValidationProblem>> ExchangeAsync(
        GoogleCodeExchangeRequest request, HttpContext context, GoogleLoginCodes codes, UserStore users, TokenService tokens, CancellationToken cancellationToken)
    {
        GoogleSignInResponses.NoStore(context.Response);
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["The login code is required."] });
        }

        var user = await codes.RedeemAsync(request.Code, cancellationToken) is { } userId
            ? await users.FindByIdAsync(userId, cancellationToken)
            : null;
        if (user is null || user.Disabled)
        {
            // One answer for unknown, used, expired codes and vanished users.
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The login code is invalid.",
                detail: "It is unknown, already used or older than a minute. Sign in again.",
                extensions: new Dictionary<string, object?> { ["error"] = "invalid_grant" });
        }

        return TypedResults.Ok(await tokens.IssueAsync(user, cancellationToken));
    }

    private static ContentHttpResult Page(int status, string? origin, string? code, string? error)
    {
        var encoder = HtmlEncoder.Default;
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Signing in…</title><meta name="referrer" content="no-referrer"></head>
            <body>
            <p id="status">{{(error is null ? "Signing in…" : "The sign-in has expired or was already used. Close this window and start again.")}}</p>
            <div id="handoff" hidden data-origin="{{encoder.Encode(origin ?? "")}}" data-code="{{encoder.Encode(code ?? "")}}" data-error="{{encoder.Encode(error ?? "")}}"></div>
            <script src="/js/google-popup.js"></script>
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}

public sealed record GoogleCodeExchangeRequest(string Code);
