using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

/// <summary><c>Authentication:Google</c>: the Google client and how its sign-ins become users.</summary>
public sealed class GoogleSignInOptions
{
    public const string SectionName = "Authentication:Google";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>
    /// Origins (scheme, host and port, nothing else) of front ends on other hosts that may open the
    /// sign-in popup and receive its login code, and that <c>returnUrl</c> may point to. The API's own
    /// origin is always allowed.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Create a user on the first sign-in of a Google account with a verified email.</summary>
    public bool AutoCreateUsers { get; set; } = true;

    /// <summary>Only accounts of this Google Workspace domain (checked on the <c>hd</c> claim, not the email suffix).</summary>
    public string? HostedDomain { get; set; }

    // Google's endpoints; overridable so the flows can run against a local OAuth server.
    [Required, Url]
    public string AuthorizationEndpoint { get; set; } = "https://accounts.google.com/o/oauth2/v2/auth";

    [Required, Url]
    public string TokenEndpoint { get; set; } = "https://oauth2.googleapis.com/token";

    [Required, Url]
    public string UserInformationEndpoint { get; set; } = "https://openidconnect.googleapis.com/v1/userinfo";

    [Required, Url]
    public string JwksUri { get; set; } = "https://www.googleapis.com/oauth2/v3/certs";

    /// <summary>How long a cookie session lasts without use (cookie mode).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a cookie session lasts after its sign-in however often it is used (cookie mode).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "400.00:00:00")]
    public TimeSpan SessionMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>True when a client id and secret that are not placeholders are configured.</summary>
    public bool IsConfigured => !GoogleSignInOptionsValidator.IsPlaceholder(ClientId) && !GoogleSignInOptionsValidator.IsPlaceholder(ClientSecret);
}

[OptionsValidator]
public sealed partial class GoogleSignInDataAnnotationsValidator : IValidateOptions<GoogleSignInOptions>;

/// <summary>
/// Origins must be bare origins. Outside Development the client id and secret must be set and must
/// not be placeholders: a deployment never starts half-configured.
/// </summary>
public sealed class GoogleSignInOptionsValidator(IHostEnvironment environment) : IValidateOptions<GoogleSignInOptions>
{
    private static readonly string[] Placeholders =
        ["changeme", "change-me", "placeholder", "secret", "client-secret", "your-client-secret", "your-client-id", "todo", "xxx", "none", "test"];

    public static bool IsPlaceholder(string? value)
    {
        var trimmed = value?.Trim() ?? "";
        return trimmed.Length == 0
            || trimmed.StartsWith('<')
            || Placeholders.Contains(trimmed, StringComparer.OrdinalIgnoreCase)
            || trimmed.Distinct().Count() == 1;
    }

    public static bool TryNormalizeOrigin(string value, out string origin)
    {
        origin = "";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0
            || value.TrimEnd('/').Length != uri.GetLeftPart(UriPartial.Authority).Length)
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority);
        return true;
    }

    public ValidateOptionsResult Validate(string? name, GoogleSignInOptions options)
    {
        var failures = new List<string>();
        foreach (var origin in options.AllowedOrigins)
        {
            if (!TryNormalizeOrigin(origin, out _))
            {
                failures.Add($"{GoogleSignInOptions.SectionName}:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], no path).");
            }
        }

        if (!environment.IsDevelopment())
        {
            if (IsPlaceholder(options.ClientId))
            {
                failures.Add($"{GoogleSignInOptions.SectionName}:ClientId is missing or a placeholder. Create an OAuth client in the Google Cloud console.");
            }

            if (IsPlaceholder(options.ClientSecret))
            {
                failures.Add($"{GoogleSignInOptions.SectionName}:ClientSecret is missing or a placeholder. Store the real secret in user-secrets or the environment.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
