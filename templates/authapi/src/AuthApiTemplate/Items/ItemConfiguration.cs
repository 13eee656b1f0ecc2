using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthApiTemplate.Items;

internal sealed class ItemConfiguration : IEntityTypeConfiguration<Item>
{
    public void Configure(EntityTypeBuilder<Item> item)
    {
        item.ToTable("Items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).ValueGeneratedNever();
        item.Property(i => i.Name).HasMaxLength(Item.NameMaxLength).IsRequired();
        item.Property(i => i.Description).HasMaxLength(Item.DescriptionMaxLength);
        item.Property(i => i.CreatedAt).IsRequired();
    }
}
