using AuthApiTemplate.Auth.ApiKeys;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Usage;

/// <summary>Names API keys, whose consumer id is <c>apikey:&lt;id&gt;</c>, by the name they were created with.</summary>
public sealed class ApiKeyConsumerNames(ApiKeysDbContext db) : IUsageConsumerNames
{
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> consumers, CancellationToken cancellationToken)
    {
        var ids = UsageConsumers.ByGuid(consumers, UsageConsumers.ApiKeyPrefix);
        if (ids.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var keys = ids.Keys.ToList();
        var names = await db.ApiKeys.AsNoTracking()
            .Where(k => keys.Contains(k.Id))
            .Select(k => new { k.Id, k.Name })
            .ToListAsync(cancellationToken);
        return names.ToDictionary(k => ids[k.Id], k => k.Name, StringComparer.Ordinal);
    }
}
