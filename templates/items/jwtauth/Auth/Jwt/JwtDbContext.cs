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
        // Stored as numbers so that time comparisons run in the database on every provider: the
        // revocation list is restored from the sessions ended within one access-token lifetime, and
        // each login deletes the sessions that ended before that.
        token.Property(t => t.RevokedAt).HasConversion<long>();
        token.HasIndex(t => t.RevokedAt);
        token.Property(t => t.SessionExpiresAt).HasConversion<long>();
        token.HasIndex(t => t.SessionExpiresAt);
    }
}
