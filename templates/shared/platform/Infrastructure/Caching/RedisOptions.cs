using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.Caching;

public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// Starts every key, channel and rate-limit counter this app puts in Redis, so several apps (or
    /// test runs) can share one server. Every instance of one app must use the same prefix.
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9_.:-]{1,64}$", ErrorMessage = "Redis:KeyPrefix must be 1-64 letters, digits or _ . : -")]
    public string KeyPrefix { get; set; } = "AuthApiTemplate:";
}

[OptionsValidator]
public sealed partial class RedisOptionsValidator : IValidateOptions<RedisOptions>;
