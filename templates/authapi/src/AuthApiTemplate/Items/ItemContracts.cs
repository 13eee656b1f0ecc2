using System.ComponentModel.DataAnnotations;

namespace AuthApiTemplate.Items;

/// <summary>The body of POST /items and PUT /items/{id}.</summary>
public sealed record ItemRequest(
    [property: Required, StringLength(Item.NameMaxLength, MinimumLength = 1)] string Name,
    [property: StringLength(Item.DescriptionMaxLength)] string? Description = null);

public sealed record ItemResponse(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt)
{
    public static ItemResponse From(Item item) => new(item.Id, item.Name, item.Description, item.CreatedAt);
}
