using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.ApiKeys;

public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>The readable start of every key (<c>ak_…</c>), so leaked keys are easy to recognise and scan for.</summary>
    [Required, RegularExpression("^[a-z][a-z0-9]{0,15}$", ErrorMessage = "ApiKeys:Prefix must be 1-16 lowercase letters or digits, starting with a letter.")]
    public string Prefix { get; set; } = "ak";

    /// <summary>Accept keys in the <c>api_key</c> query parameter. Off: URLs end up in logs and browser history.</summary>
    public bool AllowQueryString { get; set; }

    /// <summary>How long the old secret keeps working after a rotation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The per-key limit for keys created without their own.</summary>
    [Range(1, 1_000_000)]
    public int DefaultPermitsPerMinute { get; set; } = 600;

    /// <summary>Invalid keys one client may present per minute before it gets 429.</summary>
    [Range(1, 10_000)]
    public int FailedAttemptsPerMinute { get; set; } = 20;

    /// <summary>How often last-used times are written: never once per request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LastUsedFlushInterval { get; set; } = TimeSpan.FromSeconds(30);
}

[OptionsValidator]
public sealed partial class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>;
