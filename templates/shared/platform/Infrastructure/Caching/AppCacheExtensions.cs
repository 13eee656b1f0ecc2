namespace AuthApiTemplate.Infrastructure.Caching;

/// <summary>
/// The distributed cache the plugins share (the token denylist lives there). In memory it belongs to
/// one instance; with Redis every instance sees the same entries. Safe to call from each plugin.
/// </summary>
public static class AppCacheExtensions
{
    public static IHostApplicationBuilder AddAppCaches(this IHostApplicationBuilder builder)
    {
#if (useRedis)
        builder.AddRedis();
#else
        builder.Services.AddDistributedMemoryCache();
#endif
        return builder;
    }
}
