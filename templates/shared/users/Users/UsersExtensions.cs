using AuthApiTemplate.Data;
#if (useRedis)
using AuthApiTemplate.Infrastructure.Caching;
#endif
using AuthApiTemplate.Infrastructure.CommandLine;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuthApiTemplate.Users;

public static class UsersExtensions
{
    /// <summary>The user store shared by the sign-in plugins. Safe to call from each of them.</summary>
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(UserStore)))
        {
            return builder;
        }

        builder.AddDatabaseContext<UsersDbContext>(UsersDbContext.MigrationsHistoryTable);
#if (useRedis)
        // HybridCache backed by FusionCache with a Redis backplane: a disabled user or a logout-all on
        // one instance evicts the cached state on every instance.
        builder.AddAppCaches();
#else
        builder.Services.AddHybridCache();
#endif
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserSecurityStates>();
        builder.Services.AddScoped<UserStore>();
        builder.Services.AddSingleton<IAppCommand, UsersCommand>();
        return builder;
    }
}
