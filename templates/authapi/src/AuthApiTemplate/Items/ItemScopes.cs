namespace AuthApiTemplate.Items;

/// <summary>What an API key needs to use the items endpoints; any signed-in user may do both.</summary>
public static class ItemScopes
{
    public const string Read = "items:read";
    public const string Write = "items:write";
}
