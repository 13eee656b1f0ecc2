namespace AuthApiTemplate.Items;

/// <summary>The sample resource: replace it with your own, keeping the shape of its endpoints and tests.</summary>
public sealed class Item
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public Guid Id { get; init; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}
