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

    /// <summary>
    /// A version 7 UUID for an item created at <paramref name="createdAt"/>. The 12 bits after the version
    /// carry the time below the millisecond (RFC 9562, section 6.2, method 3), so items created within one
    /// millisecond still list in creation order; <see cref="Guid.CreateVersion7(DateTimeOffset)"/> fills
    /// them at random.
    /// </summary>
    public static Guid NewId(DateTimeOffset createdAt)
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7(createdAt).TryWriteBytes(bytes, bigEndian: true, out _);
        var belowMillisecond = (int)(createdAt.UtcTicks % TimeSpan.TicksPerMillisecond * 4096 / TimeSpan.TicksPerMillisecond);
        bytes[6] = (byte)(0x70 | (belowMillisecond >> 8));
        bytes[7] = (byte)belowMillisecond;
        return new Guid(bytes, bigEndian: true);
    }
}
