using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

/// <summary>Where a sign-in may send the browser, or post its login code: never somewhere a caller names freely.</summary>
public sealed class SignInTargets(IOptions<GoogleSignInOptions> options)
{
    public const string DefaultPage = "/login.html";

    private readonly HashSet<string> _allowedOrigins = options.Value.AllowedOrigins
        .Select(o => GoogleSignInOptionsValidator.TryNormalizeOrigin(o, out var origin) ? origin : null)
        .OfType<string>()
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A local path (<c>/x</c>, not <c>//x</c> or <c>/\x</c>) or an absolute URL on an allow-listed
    /// origin, in printable ASCII; anything else becomes <see cref="DefaultPage"/>.
    /// </summary>
    public string ReturnUrlOrDefault(string? returnUrl, HttpRequest request)
    {
        // A URL as browsers write it: printable ASCII, the rest percent-encoded. A raw space or non-ASCII
        // character ("/\u3000/evil.example") is a trick, and no valid Location header either.
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2048 || returnUrl.Any(c => c is < '!' or > '~'))
        {
            return DefaultPage;
        }

        if (IsLocalPath(returnUrl))
        {
            return returnUrl;
        }

        return OriginOf(returnUrl) is { } origin && IsAllowedOrigin(origin, request) ? returnUrl : DefaultPage;
    }

    /// <summary>The origin a popup posts its login code to: the return URL's, which is ours or allow-listed.</summary>
    public string OpenerOrigin(string safeReturnUrl, HttpRequest request) =>
        IsLocalPath(safeReturnUrl) ? OwnOrigin(request) : OriginOf(safeReturnUrl) ?? OwnOrigin(request);

    public bool IsAllowedOrigin(string origin, HttpRequest request) =>
        _allowedOrigins.Contains(origin) || string.Equals(origin, OwnOrigin(request), StringComparison.OrdinalIgnoreCase);

    private static bool IsLocalPath(string url) =>
        url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains('\\');

    private static string? OriginOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;

    private static string OwnOrigin(HttpRequest request) => $"{request.Scheme}://{request.Host.Value}";
}
