using AuthApiTemplate.Users;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Usage;

/// <summary>Names signed-in users, whose consumer id is their <c>sub</c> (the user id), by their email.</summary>
public sealed class UserConsumerNames(UsersDbContext db) : IUsageConsumerNames
{
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> consumers, CancellationToken cancellationToken)
    {
        var ids = UsageConsumers.ByGuid(consumers);
        if (ids.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var keys = ids.Keys.ToList();
        var users = await db.Users.AsNoTracking()
            .Where(u => keys.Contains(u.Id))
            .Select(u => new { u.Id, u.Email })
            .ToListAsync(cancellationToken);
        return users.ToDictionary(u => ids[u.Id], u => u.Email, StringComparer.Ordinal);
    }
}
