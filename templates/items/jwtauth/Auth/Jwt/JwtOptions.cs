using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Jwt;

public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    [Required, MinLength(1)]
    public string Issuer { get; set; } = "";

    [Required, MinLength(1)]
    public string Audience { get; set; } = "";

    /// <summary>HS256 key: at least 32 random bytes, base64. Checked by <see cref="JwtSigningKeyValidator"/>.</summary>
    public string? SigningKey { get; set; }

    // The lifetimes chosen when the template was instantiated (--access-token-lifetime, --refresh-token-lifetime).
    public const string DefaultAccessTokenLifetime = "0.00:15:00";
    public const string DefaultRefreshTokenLifetime = "7.00:00:00";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.Parse(DefaultAccessTokenLifetime, CultureInfo.InvariantCulture);

    [Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.Parse(DefaultRefreshTokenLifetime, CultureInfo.InvariantCulture);

    /// <summary>No refresh extends a session past this age: the user signs in again.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan SessionMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How recent the interactive login must be for endpoints that require a fresh login.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan FreshLoginMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after a refresh its spent token, presented again, counts as a concurrent refresh (409, the
    /// session lives on) rather than a replay (the session ends). Zero treats every reuse as a replay.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RefreshReuseLeeway { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tolerance for clocks that disagree; RFC 8725 advises minutes at most, we allow one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

[OptionsValidator]
public sealed partial class JwtOptionsValidator : IValidateOptions<JwtOptions>;

/// <summary>
/// Refuses, in every environment, a signing key that is missing, not base64, shorter than 32 bytes
/// or a well-known placeholder, and a session age shorter than one refresh token's life.
/// </summary>
public sealed class JwtSigningKeyValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var failures = new List<string>();
        if (!JwtSigningKey.TryDecode(options.SigningKey, out _, out var keyProblem))
        {
            failures.Add($"{JwtOptions.SectionName}:{nameof(JwtOptions.SigningKey)} {keyProblem} Generate one with: openssl rand -base64 32");
        }

        if (options.SessionMaxAge < options.RefreshTokenLifetime)
        {
            failures.Add($"{JwtOptions.SectionName}:{nameof(JwtOptions.SessionMaxAge)} must be at least {JwtOptions.SectionName}:{nameof(JwtOptions.RefreshTokenLifetime)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
