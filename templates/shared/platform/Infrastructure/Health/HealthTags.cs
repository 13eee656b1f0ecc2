namespace AuthApiTemplate.Infrastructure.Health;

public static class HealthTags
{
    /// <summary>Checks that must pass before the instance takes traffic (database, each plugin's stores).</summary>
    public const string Ready = "ready";
}
