using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using AuthApiTemplate.Users;
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

    /// <summary>
    /// Domains whose Google accounts may sign up: the account's <c>hd</c> claim, or its email's domain where
    /// Google is the authority for that address (<c>gmail.com</c>). With this and <see cref="AllowedEmails"/>
    /// both empty, any Google account may sign up. Existing users sign in whatever the lists say.
    /// </summary>
    public List<string> AllowedDomains { get; set; } = [];

    /// <summary>Exact email addresses (case-insensitive, verified by Google) that may sign up besides <see cref="AllowedDomains"/>.</summary>
    public List<string> AllowedEmails { get; set; } = [];

    /// <summary>Roles given to a user that a Google sign-in creates; none by default.</summary>
    public List<string> DefaultRoles { get; set; } = [];

    /// <summary>True when sign-up is limited to <see cref="AllowedDomains"/> and <see cref="AllowedEmails"/>.</summary>
    public bool RestrictsSignUp => AllowedDomains.Count > 0 || AllowedEmails.Count > 0;

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
/// Origins must be bare origins; the sign-up lists hold domain names and email addresses, and default roles
/// are role names, so that a typo fails the start instead of silently admitting nobody or granting nothing.
/// Outside Development the client id and secret must be set and must not be placeholders: a deployment
/// never starts half-configured.
/// </summary>
public sealed partial class GoogleSignInOptionsValidator(IHostEnvironment environment) : IValidateOptions<GoogleSignInOptions>
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

    /// <summary>
    /// A DNS name of at least two labels in ASCII (an internationalised name in its <c>xn--</c> form), as
    /// Google writes it in the <c>hd</c> claim: no <c>@</c>, scheme, port, wildcard or trailing dot.
    /// </summary>
    public static bool IsDomainName(string? value) =>
        value is { Length: > 0 and <= 253 } && DomainName().IsMatch(value);

    /// <summary>A mailbox address as Google reports one: a local part without spaces, <c>@</c>, a domain name.</summary>
    public static bool IsEmailAddress(string? value)
    {
        var at = value?.LastIndexOf('@') ?? -1;
        return value is { Length: <= User.EmailMaxLength }
            && at is > 0 and <= 64
            && !value[..at].Any(c => c == '@' || char.IsWhiteSpace(c) || char.IsControl(c))
            && IsDomainName(value[(at + 1)..]);
    }

    /// <summary>A role as tokens and <c>users create --roles</c> carry it: no spaces or commas, at most 64 characters.</summary>
    public static bool IsRoleName(string? value) =>
        value is { Length: > 0 and <= User.RoleMaxLength }
        && !value.Any(c => c == ',' || char.IsWhiteSpace(c) || char.IsControl(c));

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

        foreach (var domain in options.AllowedDomains)
        {
            if (!IsDomainName(domain))
            {
                failures.Add($"{GoogleSignInOptions.SectionName}:AllowedDomains: '{domain}' is not a domain name (for example example.com: no '@', scheme or wildcard; an internationalised name in its xn-- form).");
            }
        }

        foreach (var email in options.AllowedEmails)
        {
            if (!IsEmailAddress(email))
            {
                failures.Add($"{GoogleSignInOptions.SectionName}:AllowedEmails: '{email}' is not an email address (for example alice@example.com).");
            }
        }

        foreach (var role in options.DefaultRoles)
        {
            if (!IsRoleName(role))
            {
                failures.Add($"{GoogleSignInOptions.SectionName}:DefaultRoles: '{role}' is not a role name (1 to {User.RoleMaxLength} characters, no spaces or commas).");
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

    // Explicit ranges rather than IgnoreCase, which would also admit look-alikes such as the Kelvin sign; \z, not $,
    // which would admit a trailing newline.
    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainName();
}
