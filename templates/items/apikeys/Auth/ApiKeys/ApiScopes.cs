namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// The scopes this API defines (chosen with --scopes when the template was instantiated), plus the
/// ones its plugins guard their own routes with. A key can only carry scopes that grant one of these.
/// </summary>
public static class ApiScopes
{
    public const string ManageKeys = "keys:manage";
    public const string ReadUsage = "usage:read";

    private const string Configured = "items:read,items:write";

    public static IReadOnlyList<string> All { get; } =
    [
        .. Configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(ManageKeys)
            .Append(ReadUsage)
            .Distinct(StringComparer.Ordinal),
    ];

    /// <summary>A requested scope is acceptable when it is well formed and grants at least one defined scope.</summary>
    public static bool IsGrantable(string scope) => ScopeMatcher.IsValid(scope) && All.Any(defined => ScopeMatcher.Grants(scope, defined));
}
