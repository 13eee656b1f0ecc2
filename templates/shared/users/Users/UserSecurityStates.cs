using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace AuthApiTemplate.Users;

/// <summary>
/// Every authenticated request asks whether its user may still be served. The answer is cached and
/// dropped whenever it changes, and only a cache miss opens a scope and a DbContext.
/// </summary>
public sealed class UserSecurityStates(HybridCache cache, IServiceScopeFactory scopes)
{
    private static readonly HybridCacheEntryOptions CacheOptions = new()
    {
        Expiration = TimeSpan.FromMinutes(5),
        LocalCacheExpiration = TimeSpan.FromMinutes(5),
    };

    public ValueTask<UserSecurityState> GetAsync(Guid userId, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(
            Key(userId),
            (scopes, userId),
            static async (state, token) =>
            {
                var (scopes, userId) = state;
                await using var scope = scopes.CreateAsyncScope();
                var user = await scope.ServiceProvider.GetRequiredService<UsersDbContext>().Users.AsNoTracking()
                    .Where(u => u.Id == userId)
                    .Select(u => new UserSecurityState(true, u.Disabled, u.SessionsValidAfter))
                    .FirstOrDefaultAsync(token);
                return user ?? UserSecurityState.Missing;
            },
            CacheOptions,
            cancellationToken: cancellationToken);

    public ValueTask ForgetAsync(Guid userId, CancellationToken cancellationToken) => cache.RemoveAsync(Key(userId), cancellationToken);

    private static string Key(Guid userId) => $"users:state:{userId:N}";
}
