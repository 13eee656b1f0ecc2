using AuthApiTemplate.Infrastructure.Health;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace AuthApiTemplate.Infrastructure.Caching;

/// <summary>
/// Redis, for running several instances behind a load balancer. One connection serves:
/// the distributed cache (token denylist), HybridCache implemented by FusionCache with Redis as its
/// second level and its Redis backplane (a change on one instance evicts the local copies on every
/// other instance over pub/sub), the rate limiter's counters, and the Data Protection key ring
/// (cookies and OAuth state protected by one instance are readable by the others).
/// </summary>
public static class RedisExtensions
{
    public const string ConnectionStringName = "Redis";

    private const string DataProtectionKeysKey = "DataProtection-Keys";

    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(IConnectionMultiplexer)))
        {
            return builder;
        }

        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set it in appsettings.json or the environment variable ConnectionStrings__{ConnectionStringName} (for example 127.0.0.1:6379).");
        }

        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not a valid Redis configuration: {exception.Message}", exception);
        }

        // Start, and keep reconnecting, while Redis is away; commands issued meanwhile fail at once
        // (so requests that need Redis fail closed with 503) instead of queueing until a timeout.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= builder.Environment.ApplicationName;

        services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        var prefix = builder.Configuration.GetSection(RedisOptions.SectionName).Get<RedisOptions>()?.KeyPrefix ?? new RedisOptions().KeyPrefix;

        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));

        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
        {
            options.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
            options.InstanceName = prefix;
        });

        // HybridCache (the users' security states, the API key cache) through FusionCache: its Redis
        // backplane is what evicts the other instances' local copies when one instance changes a value.
        services.AddFusionCache()
            .WithOptions(options =>
            {
                options.CacheKeyPrefix = prefix;
                options.BackplaneChannelPrefix = prefix + "backplane";
            })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer())
            .WithRegisteredDistributedCache()
            .WithBackplane(provider => new RedisBackplane(
                Options.Create(new RedisBackplaneOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult(provider.GetRequiredService<IConnectionMultiplexer>()),
                }),
                provider.GetService<ILogger<RedisBackplane>>()))
            .AsHybridCache();

        // One key ring for every instance, and one application name whatever folder each instance runs from.
        services.AddDataProtection().SetApplicationName("AuthApiTemplate");
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), prefix + DataProtectionKeysKey));

        services.AddHealthChecks().AddRedis(
            provider => provider.GetRequiredService<IConnectionMultiplexer>(),
            name: "redis",
            tags: [HealthTags.Ready]);
        return builder;
    }
}
