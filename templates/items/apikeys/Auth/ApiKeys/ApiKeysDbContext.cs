using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthApiTemplate.Auth.ApiKeys;

public sealed class ApiKeysDbContext(DbContextOptions<ApiKeysDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory_ApiKeys";

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.ToTable("ApiKeys");
        key.HasKey(k => k.Id);
        key.Property(k => k.Id).ValueGeneratedNever();
        key.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength).IsRequired();
        key.Property(k => k.Prefix).HasMaxLength(32).IsRequired();
        key.Property(k => k.SecretHash).HasMaxLength(32).IsRequired();
        key.HasIndex(k => k.SecretHash).IsUnique();
        key.Property(k => k.PreviousSecretHash).HasMaxLength(32);
        key.HasIndex(k => k.PreviousSecretHash);
        key.Property(k => k.CreatedBy).HasMaxLength(100).IsRequired();
        key.PrimitiveCollection(k => k.Scopes).IsRequired();
    }
}
