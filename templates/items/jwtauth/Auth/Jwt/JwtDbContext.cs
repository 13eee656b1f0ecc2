using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthApiTemplate.Auth.Jwt;

public sealed class JwtDbContext(DbContextOptions<JwtDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory_Jwt";

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new RefreshTokenConfiguration());
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> token)
    {
        token.ToTable("RefreshTokens");
        token.HasKey(t => t.Id);
        token.Property(t => t.Id).ValueGeneratedNever();
        token.Property(t => t.TokenHash).HasMaxLength(32).IsRequired();
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.HasIndex(t => t.FamilyId);
        token.HasIndex(t => t.UserId);
    }
}
