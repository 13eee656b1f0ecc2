using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthApiTemplate.Auth.Google.Handoff;

public sealed class GoogleHandoffDbContext(DbContextOptions<GoogleHandoffDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory_GoogleHandoff";

    public DbSet<GoogleLoginCode> LoginCodes => Set<GoogleLoginCode>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new GoogleLoginCodeConfiguration());
}

internal sealed class GoogleLoginCodeConfiguration : IEntityTypeConfiguration<GoogleLoginCode>
{
    public void Configure(EntityTypeBuilder<GoogleLoginCode> code)
    {
        code.ToTable("GoogleLoginCodes");
        code.HasKey(c => c.CodeHash);
        code.Property(c => c.CodeHash).HasMaxLength(32);
        // Stored as a number so that expiry comparisons run in the database on every provider.
        code.Property(c => c.ExpiresAt).HasConversion<long>();
        code.HasIndex(c => c.ExpiresAt);
    }
}
