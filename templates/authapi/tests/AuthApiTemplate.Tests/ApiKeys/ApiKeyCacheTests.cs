using System.Diagnostics;
using System.Security.Cryptography;
using AuthApiTemplate.Auth.ApiKeys;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.ApiKeys;

/// <summary>
/// A revoke that overtakes a load: a request read the key's row before the revoke committed, and the
/// revoke's eviction went by before the request cached what it read. The stale entry must not stay.
/// </summary>
public sealed class ApiKeyCacheTests
{
    private static readonly ApiKeyCredential Valid = new(Guid.NewGuid(), "racing", "ak_race", ["items:read"], 60, null, null, null, null);

    [Fact]
    public async Task A_load_overtaken_by_a_revoke_on_this_instance_is_not_cached()
    {
        using var factory = new ApiFactory();
        var cache = factory.Services.GetRequiredService<ApiKeyCache>();
        var hash = RandomNumberGenerator.GetBytes(32);

        var load = cache.StartLoad();
        await cache.ForgetAsync(hash);
        cache.Set(hash, Valid, load);
        Assert.False(cache.TryGet(hash, out _));

        // A load that no eviction overtook is cached as always.
        cache.Set(hash, Valid, cache.StartLoad());
        Assert.True(cache.TryGet(hash, out _));
    }
#if (useRedis)

    [Fact]
    public async Task A_load_overtaken_by_a_revoke_on_another_instance_is_not_cached()
    {
        using var a = new ApiFactory();
        using var b = new ApiFactory { RedisPrefix = a.RedisPrefix };
        var onA = a.Services.GetRequiredService<ApiKeyCache>();
        var onB = b.Services.GetRequiredService<ApiKeyCache>();
        await ReachesAsync(onA, onB, RandomNumberGenerator.GetBytes(32));

        var hash = RandomNumberGenerator.GetBytes(32);
        var load = onB.StartLoad();
        await ReachesAsync(onA, onB, hash);
        onB.Set(hash, Valid, load);

        Assert.False(onB.TryGet(hash, out _));
    }

    /// <summary>A forgets the key and waits until B has heard of it over the backplane.</summary>
    private static async Task ReachesAsync(ApiKeyCache a, ApiKeyCache b, byte[] hash)
    {
        var before = b.StartLoad();
        var waited = Stopwatch.StartNew();
        // Until B's subscription is up, A's messages go nowhere: say it again.
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await a.ForgetAsync(hash);
            for (var i = 0; i < 20; i++)
            {
                if (b.StartLoad() != before)
                {
                    return;
                }

                await Task.Delay(25);
            }
        }

        Assert.Fail("B never heard of A's eviction over the backplane.");
    }
#endif
}
