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
