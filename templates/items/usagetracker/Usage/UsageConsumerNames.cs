namespace AuthApiTemplate.Usage;

/// <summary>
/// Names consumers the way people know them. Usage rows hold only ids (a user's <c>sub</c>,
/// <c>apikey:&lt;id&gt;</c>); the plugins that own users and keys register one of these each, and
/// <c>/usage/users</c> asks every one once per call, for its top consumers only.
/// </summary>
public interface IUsageConsumerNames
{
    /// <summary>The names of those <paramref name="consumers"/> this source knows, keyed by consumer; one query at most.</summary>
    Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> consumers, CancellationToken cancellationToken);
}

public static class UsageConsumers
{
    /// <summary>How an API key's requests are attributed: its subject, <c>apikey:&lt;id&gt;</c>.</summary>
    public const string ApiKeyPrefix = "apikey:";

    /// <summary>
    /// The consumers of <paramref name="consumers"/> that are <paramref name="prefix"/> and a Guid (a user's
    /// <c>sub</c> with no prefix, <c>apikey:&lt;id&gt;</c>), by that Guid: what a name source looks up.
    /// </summary>
    public static Dictionary<Guid, string> ByGuid(IEnumerable<string> consumers, string prefix = "")
    {
        var ids = new Dictionary<Guid, string>();
        foreach (var consumer in consumers)
        {
            if (consumer.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParse(consumer.AsSpan(prefix.Length), out var id))
            {
                ids.TryAdd(id, consumer);
            }
        }

        return ids;
    }
}
