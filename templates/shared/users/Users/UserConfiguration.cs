using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthApiTemplate.Users;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("Users");
        user.HasKey(u => u.Id);
        user.Property(u => u.Id).ValueGeneratedNever();
        user.Property(u => u.Email).HasMaxLength(User.EmailMaxLength).IsRequired();
        user.Property(u => u.NormalizedEmail).HasMaxLength(User.EmailMaxLength).IsRequired();
        user.HasIndex(u => u.NormalizedEmail).IsUnique();
        user.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength);
        user.PrimitiveCollection(u => u.Roles).IsRequired();
        user.Property(u => u.GoogleSubject).HasMaxLength(255);
        user.HasIndex(u => u.GoogleSubject).IsUnique();
    }
}
